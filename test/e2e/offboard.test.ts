// `offboard`: after a succeeded run in the sandbox, the request's link is gone (grant,
// statements, association, canaries, default encryption) and the file system is still there;
// nothing happens without --yes when nobody can be asked.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../cli/main.js';
import { cli } from '../cli/in-process-cli.js';
import { namesFor, TAG_REQUEST_ID } from '../../core/naming.js';
import { keyStatementSids } from '../../policy/documents.js';
import { Sandbox } from '../../sandbox/index.js';
import { p2Example } from './helpers.js';

const requestId = p2Example['requestId'] as string;
const names = namesFor(requestId);

/** What of this request is in the saved sandbox: read from the state file, as a new process would. */
async function worldOf(stateDir: string) {
  const world = (await Sandbox.open({ stateFile: join(stateDir, 'sandbox.json') })).snapshot();
  const bucket = world.buckets.find((b) => b.name === p2Example['bucket'].name)!;
  const key = world.keys.find((k) => k.arn === p2Example['key'].arn)!;
  const sids = (policy: { Statement?: { Sid?: string }[] } | null) => (policy?.Statement ?? []).map((s) => s.Sid);
  return {
    grants: key.grants.filter((g) => g.name === names.grantName).map((g) => g.grantId),
    bucketSids: sids(bucket.policy).filter((sid) => sid === names.bucketAccessSid || sid === names.bucketObjectAccessSid),
    keySids: sids(key.policy).filter((sid) => keyStatementSids(names).includes(sid ?? '')),
    associations: world.dataRepositoryAssociations.filter((d) => d.tags[TAG_REQUEST_ID] === requestId).map((d) => d.id),
    canaries: bucket.objects.filter((o) => o.key.includes(names.canaryFileName)).map((o) => o.key),
    encryption: (bucket.encryption as { sseAlgorithm?: string }).sseAlgorithm,
    fileSystems: world.fileSystems.filter((f) => f.tags[TAG_REQUEST_ID] === requestId).map((f) => `${f.id} ${String(f.lifecycle)}`),
  };
}

async function succeededRun(): Promise<string> {
  const stateDir = mkdtempSync(join(tmpdir(), 'fsx-onboard-offboard-'));
  const run = await cli('--state-dir', stateDir, 'run', 'examples/request.json');
  expect(run.code).toBe(ExitCode.Ok);
  return stateDir;
}

describe('fsx-onboard offboard', () => {
  it("removes the request's grant, statements, association, canaries and encryption change, and keeps the file system", async () => {
    const stateDir = await succeededRun();
    const before = await worldOf(stateDir);
    expect(before.grants).toHaveLength(1);
    expect(before.bucketSids).toHaveLength(2);
    expect(before.keySids).toHaveLength(3);
    expect(before.associations).toHaveLength(1);
    expect(before.encryption).toBe('aws:kms');

    const result = await cli('--state-dir', stateDir, 'offboard', requestId, '--yes');
    expect(result.err).toBe('');
    expect(result.code).toBe(ExitCode.Ok);
    // The plan came first, naming what it would remove.
    expect(result.out.indexOf(`remove KMS grant on ${p2Example['key'].arn}: ${before.grants[0]}`)).toBeGreaterThan(-1);
    expect(result.out.indexOf(`= keep file system ${before.fileSystems[0]!.split(' ')[0]}`)).toBeLessThan(result.out.indexOf('▸ ValidateRequest'));

    const after = await worldOf(stateDir);
    expect(after).toEqual({
      grants: [],
      bucketSids: [],
      keySids: [],
      associations: [],
      canaries: [],
      encryption: 'AES256',
      fileSystems: [before.fileSystems[0]!.replace(/\S+$/, 'AVAILABLE')],
    });
  });

  it('changes nothing without --yes when stdin is not a terminal, nor with --json', async () => {
    const stateDir = await succeededRun();
    const before = await worldOf(stateDir);
    const asked = await cli('--state-dir', stateDir, 'offboard', requestId);
    expect(asked.code).toBe(ExitCode.BadInput);
    expect(asked.err).toMatch(/needs confirmation: pass --yes \(required when stdin is not a terminal\)\. Nothing was changed/);
    const json = await cli('--state-dir', stateDir, 'offboard', requestId, '--json');
    expect(json.code).toBe(ExitCode.BadInput);
    expect(JSON.parse(json.out)).toEqual({ status: 'REFUSED', problems: [{ field: '--yes', message: 'is required with --json' }] });
    expect(await worldOf(stateDir)).toEqual(before);
  });

  it('deletes the file system too with --delete-file-system', async () => {
    const stateDir = await succeededRun();
    const result = await cli('--state-dir', stateDir, 'offboard', requestId, '--yes', '--delete-file-system', '--json');
    expect(result.code).toBe(ExitCode.Ok);
    expect(JSON.parse(result.out)).toMatchObject({
      status: 'SUCCEEDED',
      plan: expect.arrayContaining([expect.objectContaining({ kind: 'fileSystem', action: 'delete' })]),
    });
    const after = await worldOf(stateDir);
    expect(after.fileSystems.every((f) => /DELETED|DELETING/.test(f))).toBe(true);
    expect(after.associations).toEqual([]);
  });

  it('refuses an execution it has no record of, naming --request', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'fsx-onboard-offboard-'));
    const result = await cli('--state-dir', stateDir, 'offboard', 'no-such-request', '--yes');
    expect(result.code).toBe(ExitCode.BadInput);
    expect(result.err).toMatch(/no execution named "no-such-request" .*pass --request <file>/);
  });
});

describe('fsx-onboard rollback of a succeeded onboarding', () => {
  it('asks first: without --yes (no terminal) nothing changes; with --yes the file system goes too', async () => {
    const stateDir = await succeededRun();
    const before = await worldOf(stateDir);
    const asked = await cli('--state-dir', stateDir, 'rollback', requestId);
    expect(asked.code).toBe(ExitCode.BadInput);
    expect(asked.out).toMatch(/succeeded; rolling it back will:[\s\S]*- delete file system/);
    expect(asked.err).toMatch(/pass --yes/);
    expect(await worldOf(stateDir)).toEqual(before);

    const done = await cli('--state-dir', stateDir, 'rollback', requestId, '--yes');
    expect(done.code).toBe(ExitCode.Ok);
    const after = await worldOf(stateDir);
    expect(after.grants).toEqual([]);
    expect(after.fileSystems.every((f) => /DELETED|DELETING/.test(f))).toBe(true);
  });
});
