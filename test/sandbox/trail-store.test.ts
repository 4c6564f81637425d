// CloudTrail events are kept beside the state file, not in it (issue 9: they were 92 % of a state
// file every command reads and rewrites whole): appended on save, read back when looked up.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { sandboxClientFactory } from '../../cli/local/sandbox-clients.js';
import { Sandbox } from '../../sandbox/index.js';
import { resetStateDir } from '../../sandbox/state-dir.js';
import { cloudTrailFileOf, readTrailFile } from '../../sandbox/trail-store.js';
import { exampleRequest, START } from './world.js';

async function openedWorld() {
  const dir = await mkdtemp(join(tmpdir(), 'fsx-onboard-trail-'));
  const stateFile = join(dir, 'sandbox.json');
  const sandbox = await Sandbox.open({ stateFile, startTime: START });
  const request = exampleRequest();
  sandbox.ensureWorldFor(request);
  return { dir, stateFile, sandbox, request };
}

/** A denied cross-account KMS call: logged in the caller's account (A), what VerifyExport's evidence looks for. */
async function deniedDescribeKey(kms: { send(c: DescribeKeyCommand): Promise<unknown> }, keyArn: string) {
  await expect(kms.send(new DescribeKeyCommand({ KeyId: keyArn }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
}

const lookupDescribeKey = async (sandbox: Sandbox) => {
  const { cloudtrail } = sandboxClientFactory(sandbox, 'us-east-1').forTarget('fileSystem', '111111111111');
  const found = await cloudtrail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'DescribeKey' }] }));
  return found.Events ?? [];
};

describe('the CloudTrail store', () => {
  it('keeps events out of the state file, appends each save once, and LookupEvents finds them after reopening', async () => {
    const { stateFile, sandbox, request } = await openedWorld();
    const { kms } = sandboxClientFactory(sandbox, 'us-east-1').forTarget('fileSystem', '111111111111');
    await deniedDescribeKey(kms, request.key.arn);
    await sandbox.save();
    await sandbox.save();
    expect(JSON.parse(await readFile(stateFile, 'utf8'))).not.toHaveProperty('events');
    const saved = readTrailFile(cloudTrailFileOf(stateFile));
    expect(saved.filter((e) => e.record['eventName'] === 'DescribeKey')).toHaveLength(1);

    const reopened = await Sandbox.open({ stateFile });
    reopened.clock.advance(reopened.sim.cloudTrailDeliveryMs / 1000);
    expect((await lookupDescribeKey(reopened)).map((e) => e.EventName)).toEqual(['DescribeKey']);
    // A second save appends only what this process recorded (the LookupEvents' AssumeRole), not the file again.
    await reopened.save();
    expect(readTrailFile(cloudTrailFileOf(stateFile)).filter((e) => e.record['eventName'] === 'DescribeKey')).toHaveLength(1);
    expect(reopened.snapshot().cloudTrail.filter((r) => r['eventName'] === 'DescribeKey')).toHaveLength(1);
  });

  it('moves the events of an older state file that held them inline into the trail file', async () => {
    const { stateFile, sandbox, request } = await openedWorld();
    const { kms } = sandboxClientFactory(sandbox, 'us-east-1').forTarget('fileSystem', '111111111111');
    await deniedDescribeKey(kms, request.key.arn);
    const inline = sandbox.snapshot().cloudTrail;
    const old = { ...JSON.parse(JSON.stringify(sandbox.state)), events: readTrailFile(cloudTrailFileOf(stateFile)) };
    expect(old.events).toEqual([]);
    old.events = inline.map((record) => ({ recipientAccountId: String(record['recipientAccountId']), time: START, managementEvent: true, record }));
    await writeFile(stateFile, JSON.stringify(old));

    const reopened = await Sandbox.open({ stateFile });
    reopened.clock.advance(3600);
    expect((await lookupDescribeKey(reopened)).length).toBeGreaterThan(0);
    await reopened.save();
    expect(JSON.parse(await readFile(stateFile, 'utf8'))).not.toHaveProperty('events');
    expect(readTrailFile(cloudTrailFileOf(stateFile)).filter((e) => e.record['eventName'] === 'DescribeKey').length).toBeGreaterThan(0);
  });

  it('skips a last line cut short by a crash, and `sandbox reset` deletes the trail file', async () => {
    const { dir, stateFile, sandbox, request } = await openedWorld();
    const { kms } = sandboxClientFactory(sandbox, 'us-east-1').forTarget('fileSystem', '111111111111');
    await deniedDescribeKey(kms, request.key.arn);
    await sandbox.save();
    const file = cloudTrailFileOf(stateFile);
    const complete = readTrailFile(file).length;
    await writeFile(file, `${await readFile(file, 'utf8')}{"recipientAccountId":"1111`);
    expect(readTrailFile(file)).toHaveLength(complete);
    const outcome = await resetStateDir(dir);
    expect(outcome.kind === 'reset' && outcome.deleted).toContain('sandbox-cloudtrail.jsonl');
    expect(existsSync(file)).toBe(false);
  });
});
