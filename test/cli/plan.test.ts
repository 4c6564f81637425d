// `fsx-onboard plan` on the sandbox: the changes of every kind, the checks, exit codes, and that
// nothing is written (the state file stays byte-identical, and no file is created).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode, main } from '../../cli/main.js';
import { changeKinds } from '../../lambdas/shared/preflight/types.js';

interface PlanDocument {
  requestId: string;
  changes: { kind: string; account: string; resource: string; action: string; step: string; before: unknown; after: unknown; bytes?: number }[];
  checks: { name: string; status: string; detail: string }[];
}

async function cli(stateDir: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'fsx-onboard', '--state-dir', stateDir, ...args], { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

const freshDir = () => mkdtempSync(join(tmpdir(), 'fsx-onboard-plan-'));

function seedFile(policyStatements: unknown[]): string {
  const path = join(freshDir(), 'seed.json');
  const key = JSON.parse(readFileSync('examples/seeds/key-denies-fsx-slr.json', 'utf8')) as { keys: { policy: { Statement: unknown[] } }[] };
  key.keys[0]!.policy.Statement = [key.keys[0]!.policy.Statement[0], ...policyStatements];
  writeFileSync(path, JSON.stringify(key));
  return path;
}

describe('fsx-onboard plan (sandbox)', () => {
  it('lists a change of every kind and the checks, exits 0, and leaves the sandbox state byte-identical', async () => {
    const dir = freshDir();
    // A saved world to compare against: another team's statements, seeded and saved.
    expect((await cli(dir, 'sandbox', 'seed', 'examples/seeds/other-teams.json')).code).toBe(ExitCode.Ok);
    const stateFile = join(dir, 'sandbox.json');
    const before = readFileSync(stateFile);

    const result = await cli(dir, 'plan', 'examples/request.json', '--json');
    expect(result.err).toBe('');
    const plan = JSON.parse(result.out) as PlanDocument;
    expect(result.code).toBe(ExitCode.Ok);
    expect(new Set(plan.changes.map((c) => c.kind))).toEqual(new Set(changeKinds));
    for (const change of plan.changes)
      expect(Object.keys(change)).toEqual(expect.arrayContaining(['kind', 'account', 'resource', 'action', 'before', 'after']));
    expect(plan.checks.length).toBeGreaterThan(5);
    for (const check of plan.checks) expect(['pass', 'warn', 'fail']).toContain(check.status);
    expect(plan.checks.filter((c) => c.status === 'fail')).toEqual([]);
    // The bucket statements are written by pattern first, then narrowed to the SLR, as a run does.
    const bucket = plan.changes.filter((c) => c.kind === 'bucketPolicy');
    expect(bucket.map((c) => c.step)).toEqual(['PutBucketAccessPolicy', 'NarrowBucketPolicy']);
    expect(JSON.stringify(bucket[0]!.after)).toContain('AWSServiceRoleForFSxS3Access_fs-*');
    expect(JSON.stringify(bucket[1]!.after)).toContain('"Principal":{"AWS":"arn:aws:iam::111111111111:role/aws-service-role/');
    // Another team's statements are in the document the sizes are measured on.
    expect(bucket[0]!.bytes).toBeGreaterThan(JSON.stringify(bucket[0]!.after).length);

    expect(readFileSync(stateFile).equals(before)).toBe(true);
  });

  it('creates no state file when there was none, and prints the changes and checks as text', async () => {
    const dir = freshDir();
    const result = await cli(dir, 'plan', 'examples/request.json');
    expect(result.code).toBe(ExitCode.Ok);
    expect(result.out).toMatch(/\+ keyPolicy create .* by ShareKey/);
    expect(result.out).toMatch(/policy after this step: \d+ of 32768 bytes/);
    expect(result.out).toMatch(/~ defaultEncryption update .*\n\s+SSE-S3 \(AES256\) → SSE-KMS with arn:aws:kms:/);
    expect(result.out).toMatch(/✓ serviceLinkedRoleKeyAccess: .*kms:GenerateDataKey allowed by grant:/);
    expect(existsSync(join(dir, 'sandbox.json'))).toBe(false);
  });

  it('fails a check naming the KMS actions and the Sid of an explicit Deny of the SLR on the key, and exits 1', async () => {
    const dir = freshDir();
    const result = await cli(dir, 'plan', 'examples/request.json', '--seed', 'examples/seeds/key-denies-fsx-slr.json', '--json');
    expect(result.code).toBe(ExitCode.BadInput);
    const plan = JSON.parse(result.out) as PlanDocument;
    const access = plan.checks.find((c) => c.name === 'serviceLinkedRoleKeyAccess');
    expect(access?.status).toBe('fail');
    expect(access?.detail).toMatch(/kms:GenerateDataKey is denied by an explicit Deny in statement NoServiceLinkedRolesOfFileSystemAccount/);
    expect(access?.detail).toMatch(/kms:Decrypt is denied/);
    // --seed stays in memory.
    expect(existsSync(join(dir, 'sandbox.json'))).toBe(false);
  });

  it('fails the check for a Deny of everyone on kms:Decrypt alone, and passes GenerateDataKey', async () => {
    const seed = seedFile([{ Sid: 'NoDecryptForAnyone', Effect: 'Deny', Principal: '*', Action: 'kms:Decrypt', Resource: '*' }]);
    const result = await cli(freshDir(), 'plan', 'examples/request.json', '--seed', seed, '--json');
    expect(result.code).toBe(ExitCode.BadInput);
    const access = (JSON.parse(result.out) as PlanDocument).checks.find((c) => c.name === 'serviceLinkedRoleKeyAccess');
    expect(access?.detail).toMatch(/kms:Decrypt is denied by an explicit Deny in statement NoDecryptForAnyone/);
    expect(access?.detail).not.toMatch(/GenerateDataKey is denied/);
  });

  it('fails the stale-principal check for a principal that shows as a bare unique id (a deleted role)', async () => {
    const seed = seedFile([{ Sid: 'OldEtl', Effect: 'Allow', Principal: { AWS: 'AROAEXAMPLEDELETED123' }, Action: 'kms:Decrypt', Resource: '*' }]);
    const result = await cli(freshDir(), 'plan', 'examples/request.json', '--seed', seed, '--json');
    const stale = (JSON.parse(result.out) as PlanDocument).checks.find((c) => c.name === 'stalePrincipals:key');
    expect(stale).toMatchObject({ status: 'fail' });
    expect(stale?.detail).toMatch(/AROAEXAMPLEDELETED123 \(statement OldEtl\).*PutKeyPolicy/);
    expect(result.code).toBe(ExitCode.BadInput);
  });

  it('fails the stale-principal check for the shipped seed whose key policy names a deleted role, as ShareKey would fail', async () => {
    const result = await cli(freshDir(), 'plan', 'examples/request.json', '--seed', 'examples/seeds/stale-principal-in-key-policy.json', '--json');
    expect(result.code).toBe(ExitCode.BadInput);
    const checks = (JSON.parse(result.out) as PlanDocument).checks;
    expect(checks.find((c) => c.name === 'stalePrincipals:key')?.detail).toMatch(/AROA[0-9A-F]{17} \(statement LegacyEtlDecrypt\)/);
    expect(checks.find((c) => c.name === 'stalePrincipals:bucket')?.status).toBe('pass');
  });

  it('fails the network check for a security group without the Lustre ports 1018-1023, naming them', async () => {
    const result = await cli(freshDir(), 'plan', 'examples/request.json', '--seed', 'examples/seeds/security-group-without-lustre-ports.json', '--json');
    expect(result.code).toBe(ExitCode.BadInput);
    const network = (JSON.parse(result.out) as PlanDocument).checks.find((c) => c.name === 'network');
    expect(network).toMatchObject({ status: 'fail', detail: expect.stringMatching(/TCP port\(s\) 1018, 1019, 1020, 1021, 1022, 1023:/) });
  });

  it('refuses an invalid request with exit 1, naming the field, before reading anything', async () => {
    const request = JSON.parse(readFileSync('examples/request.json', 'utf8')) as { fileSystem: { storageCapacityGiB: number } };
    request.fileSystem.storageCapacityGiB = 1000;
    const path = join(freshDir(), 'bad.json');
    writeFileSync(path, JSON.stringify(request));
    const result = await cli(freshDir(), 'plan', path);
    expect(result.code).toBe(ExitCode.BadInput);
    expect(result.err).toMatch(/fileSystem\.storageCapacityGiB: must be 1200, 2400 or a multiple of 2400 GiB/);
    expect(result.out).toBe('');
  });

  it('fails the target-role check when a seed declares the bucket role missing', async () => {
    const result = await cli(freshDir(), 'plan', 'examples/request.json', '--seed', 'examples/seeds/missing-bucket-role.json', '--json');
    expect(result.code).toBe(ExitCode.BadInput);
    const plan = JSON.parse(result.out) as PlanDocument;
    expect(plan.checks.find((c) => c.name === 'targetRole:bucket')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/cannot be assumed \(AccessDenied/),
    });
    expect(plan.checks.find((c) => c.name === 'targetRole:key')?.status).toBe('pass');
  });
});
