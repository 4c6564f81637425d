// The runbook's "fix the cause, then resume", rehearsed in the sandbox: a key policy that
// explicitly denies the SLR makes the run fail; `status` and `diagnose` read the local execution
// (diagnose names the Deny statement and the KMS action); `sandbox apply` replaces the key
// policy with the corrected one; `resume` then succeeds.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../cli/main.js';
import { cli } from '../cli/in-process-cli.js';
import { Sandbox } from '../../sandbox/index.js';
import { p2Example } from './helpers.js';

const requestId = p2Example['requestId'] as string;
const keyArn = p2Example['key'].arn as string;
const DENY_SID = 'NoServiceLinkedRolesOfFileSystemAccount';

function setUp(): { stateDir: string; request: string } {
  const stateDir = mkdtempSync(join(tmpdir(), 'fsx-onboard-fix-'));
  const request = join(stateDir, 'request.json');
  writeFileSync(request, JSON.stringify({ ...p2Example, onFailure: 'stop' }));
  return { stateDir, request };
}

async function keyPolicy(stateDir: string): Promise<{ Statement: { Sid?: string; Effect: string }[] }> {
  const world = (await Sandbox.open({ stateFile: join(stateDir, 'sandbox.json') })).snapshot();
  return world.keys.find((k) => k.arn === keyArn)!.policy;
}

describe('fix the cause, then resume (sandbox)', () => {
  it('status and diagnose read the failed local execution; diagnose names the explicit Deny; apply + resume succeed', async () => {
    const { stateDir, request } = setUp();
    const failed = await cli('--state-dir', stateDir, 'run', request, '--seed', 'examples/seeds/key-denies-fsx-slr.json');
    expect(failed.code).toBe(ExitCode.ExecutionFailed);

    const status = await cli('--state-dir', stateDir, 'status', requestId);
    expect(status.code).toBe(ExitCode.ExecutionFailed);
    expect(status.out).toMatch(new RegExp(`Execution ${requestId} on fsx-onboard-stop-on-failure \\(sandbox\\): FAILED`));
    expect(status.out).toMatch(/✗ VerifyExport\s+failed/);
    expect(status.out).toMatch(new RegExp(`fsx-onboard diagnose ${requestId}\\. After the fix: fsx-onboard resume ${requestId}`));
    const statusJson = JSON.parse((await cli('--state-dir', stateDir, 'status', requestId, '--json')).out);
    expect(statusJson).toMatchObject({ name: requestId, status: 'FAILED', failedStep: 'VerifyExport' });
    expect(statusJson.steps.map((s: { name: string }) => s.name)).toContain('CreateGrant');

    const diagnosis = await cli('--state-dir', stateDir, 'diagnose', requestId, '--json');
    expect(diagnosis.code).toBe(ExitCode.ExecutionFailed);
    const findings = JSON.parse(diagnosis.out).findings as { action: string; fix: string }[];
    const kms = findings.filter((f) => f.action === 'kms:GenerateDataKey' || f.action === 'kms:Decrypt');
    expect(kms.length).toBeGreaterThan(0);
    for (const f of kms) {
      expect(f.fix).toMatch(new RegExp(`^explicit Deny: the statement "${DENY_SID}" of the key policy of ${keyArn} denies ${f.action} `));
      expect(f.fix).not.toMatch(/aws kms create-grant/);
    }
    const text = await cli('--state-dir', stateDir, 'diagnose', requestId);
    expect(text.out).toMatch(/fix: explicit Deny: the statement "NoServiceLinkedRolesOfFileSystemAccount" of the key policy/);

    // Resuming before the fix fails the same way: the Deny is still there.
    expect((await cli('--state-dir', stateDir, 'resume', requestId)).code).toBe(ExitCode.ExecutionFailed);

    // The operator's fix: the key policy as it is now, without the Deny statement.
    const current = await keyPolicy(stateDir);
    const fixed = { ...current, Statement: current.Statement.filter((s) => s.Sid !== DENY_SID) };
    const fixFile = join(stateDir, 'fixed-key-policy.json');
    writeFileSync(fixFile, JSON.stringify({ keys: [{ arn: keyArn, policy: fixed }] }));
    const applied = await cli('--state-dir', stateDir, 'sandbox', 'apply', fixFile);
    expect(applied.err).toBe('');
    expect(applied.code).toBe(ExitCode.Ok);
    expect(applied.out).toMatch(new RegExp(`replaced key ${keyArn}: policy`));
    expect((await keyPolicy(stateDir)).Statement.map((s) => s.Sid)).not.toContain(DENY_SID);

    const resumed = await cli('--state-dir', stateDir, 'resume', requestId);
    expect(resumed.code).toBe(ExitCode.Ok);
    const after = await cli('--state-dir', stateDir, 'status', requestId);
    expect(after.code).toBe(ExitCode.Ok);
    expect(after.out).toMatch(/: SUCCEEDED/);
  });
});

describe('fsx-onboard sandbox apply', () => {
  async function world(stateDir: string) {
    return JSON.stringify((await Sandbox.open({ stateFile: join(stateDir, 'sandbox.json') })).snapshot().keys);
  }

  it('refuses, changing nothing, a resource that does not exist, a change AWS forbids, and a create-only section', async () => {
    const { stateDir } = setUp();
    await cli('--state-dir', stateDir, 'sandbox', 'seed', 'examples/seeds/key-denies-fsx-slr.json');
    const before = await world(stateDir);
    const file = join(stateDir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        keys: [
          { arn: keyArn, keySpec: 'RSA_2048', keyUsage: 'ENCRYPT_DECRYPT' },
          { arn: 'arn:aws:kms:us-east-1:333333333333:key/00000000-0000-0000-0000-000000000000' },
        ],
        fileSystems: [
          {
            id: 'fs-0123456789abcdef0',
            accountId: '111111111111',
            region: 'us-east-1',
            deploymentType: 'PERSISTENT_2',
            storageCapacityGiB: 1200,
            subnetIds: ['subnet-0a1b2c3d4e5f60718'],
            securityGroupIds: ['sg-0123456789abcdef0'],
          },
        ],
      }),
    );
    const result = await cli('--state-dir', stateDir, 'sandbox', 'apply', file);
    expect(result.code).toBe(ExitCode.BadInput);
    expect(result.err).toMatch(/nothing was changed/);
    expect(result.err).toMatch(/fileSystems: cannot be replaced by sandbox apply/);
    expect(result.err).toMatch(/keys\.0\.keySpec: must stay SYMMETRIC_DEFAULT: a KMS key's spec cannot change/);
    expect(result.err).toMatch(/keys\.1\.arn: .* does not exist in the sandbox; add it with sandbox seed/);
    expect(await world(stateDir)).toBe(before);
  });

  it('names a field the seed schema refuses, and unreadable JSON', async () => {
    const { stateDir } = setUp();
    const file = join(stateDir, 'bad.json');
    writeFileSync(file, JSON.stringify({ keys: [{ arn: keyArn, policy: { Statement: [{ Effect: 'Maybe', Action: 'kms:*' }] } }] }));
    const schema = await cli('--state-dir', stateDir, 'sandbox', 'apply', file);
    expect(schema.code).toBe(ExitCode.BadInput);
    expect(schema.err).toMatch(/keys\.0\.policy\.Statement\.0\.Effect:/);
    writeFileSync(file, '{');
    const json = await cli('--state-dir', stateDir, 'sandbox', 'apply', file);
    expect(json.err).toMatch(/\(file\): .* is not valid JSON/);
  });

  it('keeps the grants of a key whose policy it replaces, and says when nothing differs', async () => {
    const { stateDir, request } = setUp();
    expect((await cli('--state-dir', stateDir, 'run', request)).code).toBe(ExitCode.Ok);
    const snapshot = (await Sandbox.open({ stateFile: join(stateDir, 'sandbox.json') })).snapshot();
    const key = snapshot.keys.find((k) => k.arn === keyArn)!;
    const file = join(stateDir, 'same.json');
    writeFileSync(file, JSON.stringify({ keys: [{ arn: keyArn, policy: key.policy }] }));
    const same = await cli('--state-dir', stateDir, 'sandbox', 'apply', file);
    expect(same.out).toMatch(new RegExp(`unchanged: key ${keyArn}`));
    writeFileSync(file, JSON.stringify({ keys: [{ arn: keyArn, policy: { ...key.policy, Statement: key.policy.Statement.slice(0, 1) } }] }));
    await cli('--state-dir', stateDir, 'sandbox', 'apply', file);
    const after = (await Sandbox.open({ stateFile: join(stateDir, 'sandbox.json') })).snapshot().keys.find((k) => k.arn === keyArn)!;
    expect(after.policy.Statement).toHaveLength(1);
    expect(after.grants.map((g) => g.grantId)).toEqual(key.grants.map((g) => g.grantId));

    // What AWS does not let anyone change: a bucket's region, a service-linked role.
    const slr = snapshot.roles.find((r) => r.serviceLinked)!;
    const bucket = snapshot.buckets[0]!;
    writeFileSync(file, JSON.stringify({ roles: [{ arn: slr.arn }], buckets: [{ name: bucket.name, accountId: bucket.account, region: 'eu-west-1' }] }));
    const refused = await cli('--state-dir', stateDir, 'sandbox', 'apply', file);
    expect(refused.code).toBe(ExitCode.BadInput);
    expect(refused.err).toMatch(/roles\.0\.arn: .* is a service-linked role: IAM does not let anyone edit it/);
    expect(refused.err).toMatch(/buckets\.0\.region: must stay us-east-1: a bucket cannot move to another region/);
  });
});
