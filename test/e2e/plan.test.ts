// The plan cannot drift from the run: what `plan` says each step will write is what a run then
// writes, document for document (the SLR's id is the one placeholder, known only after the run).
import { describe, expect, it } from 'vitest';
import { planOnboarding, sandboxFactory, type OnboardingPlan } from '../../cli/plan/clients.js';
import type { PolicyDocument } from '../../policy/types.js';
import { readFileSync } from 'node:fs';
import { freshSandbox, legacyExample, p2Example, parsed, run, touchable } from './helpers.js';
import { seededSandbox, shippedSeed } from './seeding.js';
import { preexistingFileSystem } from '../reliability/scenarios.js';

const change = (plan: OnboardingPlan, kind: string, step?: string) => plan.changes.find((c) => c.kind === kind && (!step || c.step === step))!;
const withFileSystem = (value: unknown, fileSystemId: string) => JSON.parse(JSON.stringify(value).replaceAll('fs-xxxxxxxxxxxxxxxxx', fileSystemId));
const ours = (policy: string | null | undefined, sids: string[]) =>
  (JSON.parse(policy ?? '{"Statement":[]}') as PolicyDocument).Statement.filter((s) => sids.includes(s.Sid ?? ''));

describe('plan against the run that follows it', () => {
  it('plans exactly the key statements, bucket statements, encryption and grant the run writes, and changes nothing itself', async () => {
    const sandbox = await freshSandbox();
    const request = parsed(p2Example);
    sandbox.ensureWorldFor(request);
    const before = touchable(sandbox, request);
    const plan = await planOnboarding(request, sandboxFactory(sandbox, request.region));
    expect(touchable(sandbox, request)).toEqual(before);
    expect(plan.checks.filter((c) => c.status === 'fail')).toEqual([]);

    const report = await run(p2Example, sandbox);
    expect(report.status).toBe('SUCCEEDED');
    const fileSystemId = report.outputs.fileSystemId!;
    const world = sandbox.snapshot();
    // The stored texts, as GetKeyPolicy and GetBucketPolicy return them.
    const keyPolicy = sandbox.state.keys[request.key.arn]!.policy;
    const bucketPolicy = sandbox.state.buckets[request.bucket.name]!.policy;
    const bucket = world.buckets.find((b) => b.name === request.bucket.name)!;
    const key = world.keys.find((k) => k.arn === request.key.arn)!;

    const keyPlan = change(plan, 'keyPolicy').after as { Sid: string }[];
    expect(
      ours(
        keyPolicy,
        keyPlan.map((s) => s.Sid),
      ),
    ).toEqual(keyPlan);
    expect(Buffer.byteLength(keyPolicy)).toBe(change(plan, 'keyPolicy').bytes);

    const narrowed = withFileSystem(change(plan, 'bucketPolicy', 'NarrowBucketPolicy').after, fileSystemId) as { Sid: string }[];
    expect(
      ours(
        bucketPolicy,
        narrowed.map((s) => s.Sid),
      ),
    ).toEqual(narrowed);
    expect(Buffer.byteLength(bucketPolicy ?? '')).toBe(change(plan, 'bucketPolicy', 'NarrowBucketPolicy').bytes);

    const encryption = change(plan, 'defaultEncryption').after as {
      Rules: { ApplyServerSideEncryptionByDefault: { KMSMasterKeyID: string }; BucketKeyEnabled: boolean }[];
    };
    expect(bucket.encryption).toMatchObject({
      sseAlgorithm: 'aws:kms',
      kmsMasterKeyId: encryption.Rules[0]!.ApplyServerSideEncryptionByDefault.KMSMasterKeyID,
      bucketKeyEnabled: encryption.Rules[0]!.BucketKeyEnabled,
    });

    const grant = withFileSystem(change(plan, 'grant').after, fileSystemId) as { Name: string; GranteePrincipal: string; Operations: string[] };
    expect(key.grants).toContainEqual(expect.objectContaining({ name: grant.Name, granteePrincipal: grant.GranteePrincipal, operations: grant.Operations }));
    expect(report.outputs.serviceLinkedRoleArn).toBe(grant.GranteePrincipal);

    const association = change(plan, 'dataRepositoryAssociation').after as { FileSystemPath: string; DataRepositoryPath: string };
    expect(world.dataRepositoryAssociations).toContainEqual(
      expect.objectContaining({ fileSystemPath: association.FileSystemPath, dataRepositoryPath: association.DataRepositoryPath }),
    );
  });

  it('after a succeeded run, plans nothing more for the same request', async () => {
    const sandbox = await freshSandbox();
    const request = parsed(p2Example);
    expect((await run(p2Example, sandbox)).status).toBe('SUCCEEDED');
    const plan = await planOnboarding(request, sandboxFactory(sandbox, request.region));
    const actions = Object.fromEntries(plan.changes.filter((c) => c.step !== 'NarrowBucketPolicy' && c.kind !== 'testExport').map((c) => [c.step, c.action]));
    // The pattern form is written again on a re-run until NarrowBucketPolicy narrows it (architecture.md, Idempotency).
    expect(actions).toEqual({
      PutBucketAccessPolicy: 'update',
      ShareKey: 'none',
      SetDefaultEncryption: 'none',
      CreateGrant: 'none',
      CreateFileSystem: 'none',
      CreateDataRepositoryAssociation: 'none',
    });
    expect(change(plan, 'bucketPolicy', 'NarrowBucketPolicy').action).toBe('none');
  });

  it('plans no association for a legacy linked file system', async () => {
    const sandbox = await freshSandbox();
    const request = parsed(legacyExample);
    sandbox.ensureWorldFor(request);
    const plan = await planOnboarding(request, sandboxFactory(sandbox, request.region));
    expect(change(plan, 'dataRepositoryAssociation')).toMatchObject({ action: 'skip', after: null });
    expect(JSON.stringify(change(plan, 'fileSystem').after)).toContain('"ImportPath":"s3://');
  });

  it('fails the encryption-in-transit check when the request requires it, as CheckClientInstance then refuses the run', async () => {
    const sandbox = await freshSandbox();
    const raw = structuredClone(p2Example);
    raw['testExport'].requireEncryptionInTransit = true;
    const request = parsed(raw);
    sandbox.ensureWorldFor(request);
    sandbox.state.instances[request.testExport.clientInstanceId!]!.instanceType = 't3.medium';
    const plan = await planOnboarding(request, sandboxFactory(sandbox, request.region));
    expect(plan.checks.find((c) => c.name === 'clientEncryptionInTransit')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/t3\.medium.*testExport\.requireEncryptionInTransit refuses it/),
    });
    sandbox.state.instances[request.testExport.clientInstanceId!]!.instanceType = 'c6in.xlarge';
    const fixed = await planOnboarding(request, sandboxFactory(sandbox, request.region));
    expect(fixed.checks.find((c) => c.name === 'clientEncryptionInTransit')).toMatchObject({ status: 'pass', detail: expect.stringMatching(/c6in\.xlarge/) });
  });

  it('fails the client check for an instance whose SSM agent is offline, as StartTestExport then fails; warns on a type without encryption in transit', async () => {
    const sandbox = await freshSandbox();
    const request = parsed(p2Example);
    sandbox.ensureWorldFor(request);
    const instance = sandbox.state.instances[request.testExport.clientInstanceId!]!;
    instance.instanceType = 't3.medium';
    let plan = await planOnboarding(request, sandboxFactory(sandbox, request.region));
    expect(plan.checks.find((c) => c.name === 'clientEncryptionInTransit')).toMatchObject({ status: 'warn', detail: expect.stringMatching(/t3\.medium/) });
    expect(plan.checks.find((c) => c.name === 'clientInstance')?.status).toBe('pass');

    instance.pingStatus = 'ConnectionLost';
    plan = await planOnboarding(request, sandboxFactory(sandbox, request.region));
    expect(plan.checks.find((c) => c.name === 'clientInstance')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/ConnectionLost/) });
    const report = await run({ ...structuredClone(p2Example), onFailure: 'stop' }, sandbox);
    expect(report.steps.filter((s) => s.status === 'failed').map((s) => s.name)).toEqual(['StartTestExport']);
    expect(report.error).toBe('InvalidInstanceId');
  });

  it('fails the network check where the run then fails at CreateFileSystem (security group without 1018-1023)', async () => {
    const sandbox = await seededSandbox(shippedSeed('security-group-without-lustre-ports'));
    const request = parsed(p2Example);
    sandbox.ensureWorldFor(request);
    const plan = await planOnboarding(request, sandboxFactory(sandbox, request.region));
    expect(plan.checks.find((c) => c.name === 'network')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/1018/) });
    const report = await run({ ...structuredClone(p2Example), onFailure: 'stop' }, sandbox);
    expect(report.steps.filter((s) => s.status === 'failed').map((s) => s.name)).toEqual(['CreateFileSystem']);
    expect(report.error).toBe('InvalidNetworkSettings');
  });

  it("on an adopted file system, plans with its SLR's real name and fails the path check for a path nested in another onboarding's association", async () => {
    const sandbox = await freshSandbox();
    const first = structuredClone(p2Example);
    first['fileSystem'].existingFileSystemId = await preexistingFileSystem(sandbox, first);
    expect((await run(first, sandbox)).status).toBe('SUCCEEDED');
    const fileSystemId = first['fileSystem'].existingFileSystemId as string;

    const nested = parsed({
      ...structuredClone(first),
      requestId: 'genomics-nested',
      fileSystem: { ...first['fileSystem'], fileSystemPath: '/genomics/cohort' },
    });
    const plan = await planOnboarding(nested, sandboxFactory(sandbox, nested.region));
    expect(change(plan, 'fileSystem')).toMatchObject({ action: 'adopt', resource: fileSystemId });
    expect(JSON.stringify(change(plan, 'grant').after)).toContain(`AWSServiceRoleForFSxS3Access_${fileSystemId}`);
    expect(plan.checks.find((c) => c.name === 'associationPaths')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/\/genomics\/cohort overlaps the data repository association .* at \/genomics/),
    });

    const beside = parsed({ ...structuredClone(first), requestId: 'genomics-beside', fileSystem: { ...first['fileSystem'], fileSystemPath: '/other' } });
    const besidePlan = await planOnboarding(beside, sandboxFactory(sandbox, beside.region));
    expect(besidePlan.checks.find((c) => c.name === 'associationPaths')?.status).toBe('pass');
  });

  it("checks the file system's own key: passes for the shipped example, fails naming the Sid of a Deny on its use through FSx", async () => {
    const ownKey = parsed(JSON.parse(readFileSync('examples/request-own-key.json', 'utf8')));
    const keyArn = ownKey.fileSystem.kmsKeyArn!;
    const sandbox = await freshSandbox();
    sandbox.ensureWorldFor(ownKey);
    let plan = await planOnboarding(ownKey, sandboxFactory(sandbox, ownKey.region));
    expect(plan.checks.find((c) => c.name === 'fileSystemKey')?.status).toBe('pass');
    expect(change(plan, 'fileSystem').after).toMatchObject({ KmsKeyId: keyArn });

    sandbox.state.keys[keyArn]!.policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ownKey.fileSystem.accountId}:root` }, Action: 'kms:*', Resource: '*' },
        {
          Sid: 'NoGrantsThroughFsx',
          Effect: 'Deny',
          Principal: '*',
          Action: 'kms:CreateGrant',
          Resource: '*',
          Condition: { StringEquals: { 'kms:ViaService': `fsx.${ownKey.region}.amazonaws.com` } },
        },
      ],
    });
    plan = await planOnboarding(ownKey, sandboxFactory(sandbox, ownKey.region));
    expect(plan.checks.find((c) => c.name === 'fileSystemKey')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/kms:CreateGrant .*NoGrantsThroughFsx/),
    });
  });
});
