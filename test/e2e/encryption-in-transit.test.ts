// Encryption in transit end to end: ValidateRequest reads the Lustre client's instance type and
// whether it encrypts in transit, `run --json` reports it, and testExport.requireEncryptionInTransit
// refuses an instance type without it before any change.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../cli/main.js';
import { cli } from '../cli/in-process-cli.js';
import { freshSandbox, p2Example, parsed, run, touchable } from './helpers.js';
import { seededSandbox, shippedSeed, trailEventNames } from './seeding.js';

const requiring = () => {
  const request = structuredClone(p2Example);
  request['testExport'].requireEncryptionInTransit = true;
  return request;
};

const CHANGES = ['CreateFileSystem', 'PutBucketPolicy', 'PutKeyPolicy', 'PutBucketEncryption', 'CreateGrant', 'CreateDataRepositoryAssociation'];

describe('encryption in transit of the Lustre client', () => {
  it('reports {instanceType, supported: true} for a client whose type encrypts in transit, also when it is required', async () => {
    const sandbox = await freshSandbox();
    const report = await run(requiring(), sandbox);
    expect(report.status).toBe('SUCCEEDED');
    expect(report.outputs.encryptionInTransit).toEqual({ instanceType: 'm6i.large', supported: true });
  });

  it('refuses a t3.medium client with requireEncryptionInTransit before any change: exit 1, naming the field, the instance, its type and the rule', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'fsx-onboard-in-transit-'));
    expect((await cli('--state-dir', stateDir, 'sandbox', 'seed', 'examples/seeds/client-without-encryption-in-transit.json')).code).toBe(ExitCode.Ok);
    const file = join(stateDir, 'request.json');
    writeFileSync(file, JSON.stringify(requiring()));
    const { code, out } = await cli('--state-dir', stateDir, 'run', file, '--json');
    expect(code).toBe(ExitCode.BadInput);
    const report = JSON.parse(out) as { status: string; error: string; cause: string; steps: { name: string }[] };
    expect(report.status).toBe('FAILED');
    expect(report.error).toBe('EncryptionInTransitUnsupported');
    expect(report.cause).toMatch(
      /^testExport\.requireEncryptionInTransit: client instance i-0fedcba9876543210 is a t3\.medium, which does not support encryption in transit/,
    );
    expect(report.cause).toMatch(/NetworkInfo\.EncryptionInTransitSupported/);
    expect(report.steps.map((s) => s.name)).toEqual(['ValidateRequest', 'CheckClientInstance']);
    // Without the requirement the same client onboards, and the summary says it does not encrypt in transit.
    const fresh = mkdtempSync(join(tmpdir(), 'fsx-onboard-in-transit-'));
    expect((await cli('--state-dir', fresh, 'sandbox', 'seed', 'examples/seeds/client-without-encryption-in-transit.json')).code).toBe(ExitCode.Ok);
    const plain = await cli('--state-dir', fresh, 'run', 'examples/request.json');
    expect(plain.code).toBe(ExitCode.Ok);
    expect(plain.out).toMatch(/client encryption in transit: no \(t3\.medium\)/);
  });

  it('changes nothing when it refuses: no CreateFileSystem, no PutBucketPolicy, the world as before', async () => {
    const sandbox = await seededSandbox(shippedSeed('client-without-encryption-in-transit'));
    const request = parsed(requiring());
    sandbox.ensureWorldFor(request);
    const before = touchable(sandbox, request);
    const report = await run(requiring(), sandbox);
    expect(report.error).toBe('EncryptionInTransitUnsupported');
    expect(trailEventNames(sandbox)).toEqual(expect.arrayContaining(['DescribeInstances', 'DescribeInstanceTypes']));
    expect(trailEventNames(sandbox).filter((name) => CHANGES.includes(name))).toEqual([]);
    expect(touchable(sandbox, request)).toEqual(before);
  });

  it('without the requirement, onboards the t3.medium client and reports supported: false', async () => {
    const sandbox = await seededSandbox(shippedSeed('client-without-encryption-in-transit'));
    const report = await run(p2Example, sandbox);
    expect(report.status).toBe('SUCCEEDED');
    expect(report.outputs.encryptionInTransit).toEqual({ instanceType: 't3.medium', supported: false });
  });

  it('refuses, before any change, a client whose instance type its region does not offer', async () => {
    const sandbox = await seededSandbox({
      instanceTypes: [{ instanceType: 'm7i.large', encryptionInTransitSupported: true, regions: ['eu-west-1'] }],
      instances: [
        {
          id: 'i-0fedcba9876543210',
          accountId: '111111111111',
          region: 'us-east-1',
          tags: { 'fsx-onboard:lustre-client': 'true' },
          instanceType: 'm7i.large',
        },
      ],
    });
    const report = await run(p2Example, sandbox);
    expect(report.status).toBe('FAILED');
    expect(report.error).toBe('RequestInvalid');
    expect(report.cause).toMatch(/^testExport\.clientInstanceId: instance i-0fedcba9876543210's type m7i\.large is not offered in us-east-1/);
    expect(report.steps.map((s) => s.name)).toEqual(['ValidateRequest', 'CheckClientInstance']);
    expect(trailEventNames(sandbox).filter((name) => CHANGES.includes(name))).toEqual([]);
  });

  it('refuses a client instance that does not exist in account A, before any change', async () => {
    const sandbox = await seededSandbox({
      instances: [{ id: 'i-0fedcba9876543210', accountId: '999999999999', region: 'us-east-1', tags: { 'fsx-onboard:lustre-client': 'true' } }],
    });
    const report = await run(p2Example, sandbox);
    expect(report.error).toBe('RequestInvalid');
    expect(report.cause).toMatch(/^testExport\.clientInstanceId: instance i-0fedcba9876543210 does not exist .*InvalidInstanceID\.NotFound/);
    expect(report.steps.map((s) => s.name)).toEqual(['ValidateRequest', 'CheckClientInstance']);
  });

  it('fails at CheckClientInstance, before any change, when the file-system role may not ec2:DescribeInstanceTypes', async () => {
    const sandbox = await freshSandbox();
    const request = parsed(p2Example);
    sandbox.ensureWorldFor(request);
    const arn = 'arn:aws:iam::111111111111:role/fsx-onboard-filesystem';
    // Treated as a seeded role from here on, so the world builder does not put the policy back.
    sandbox.state.managedRoles = (sandbox.state.managedRoles ?? []).filter((managed) => managed !== arn);
    for (const document of Object.values(sandbox.state.roles[arn]!.inlinePolicies)) {
      document.Statement = document.Statement.filter((statement) => statement.Sid !== 'ClientEncryptionInTransit');
      document.Statement.push({ Sid: 'InstancesOnly', Effect: 'Allow', Action: ['ec2:DescribeInstances'], Resource: '*' });
    }
    const before = touchable(sandbox, request);
    const report = await run(p2Example, sandbox);
    expect(report.status).toBe('FAILED');
    expect(report.error).toBe('UnauthorizedOperation');
    expect(report.steps.map((s) => s.name)).toEqual(['ValidateRequest', 'CheckClientInstance']);
    expect(trailEventNames(sandbox).filter((name) => CHANGES.includes(name))).toEqual([]);
    expect(touchable(sandbox, request)).toEqual(before);
  });

  it('reports nothing in data-repository-task mode, which has no client, and refuses the requirement there naming the field', async () => {
    const { legacyExample } = await import('./helpers.js');
    const sandbox = await freshSandbox();
    const report = await run(legacyExample, sandbox);
    expect(report.status).toBe('SUCCEEDED');
    expect(report.outputs).not.toHaveProperty('encryptionInTransit');
    const request = structuredClone(legacyExample);
    request['testExport'].requireEncryptionInTransit = true;
    const file = join(mkdtempSync(join(tmpdir(), 'fsx-onboard-in-transit-')), 'task.json');
    writeFileSync(file, JSON.stringify(request));
    const { code, err } = await cli('--state-dir', mkdtempSync(join(tmpdir(), 'fsx-onboard-state-')), 'run', file);
    expect(code).toBe(ExitCode.BadInput);
    expect(err).toMatch(/testExport\.requireEncryptionInTransit: needs testExport\.mode "lustre-client"/);
  });
});
