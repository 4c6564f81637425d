// Done-when of issue 3: a key-policy or bucket-policy mistake that AWS would reject, or that
// would deny access in AWS, fails the sandbox run in the same step with AWS's error code.
// Each world comes from a seed (examples/seeds/ where one ships). The blog's no-grant case
// is in failures.test.ts.
import { describe, expect, it } from 'vitest';
import type { SeedInput } from '../../sandbox/index.js';
import { p2Example, run } from './helpers.js';
import { BUCKET, KEY_ARN, seededSandbox, shippedSeed, trailEventNames } from './seeding.js';

const stop = { ...structuredClone(p2Example), onFailure: 'stop' };
const failedSteps = (report: { steps: { name: string; status: string }[] }) => report.steps.filter((s) => s.status === 'failed').map((s) => s.name);
const SLR_SESSION = /arn:aws:sts::111111111111:assumed-role\/AWSServiceRoleForFSxS3Access_fs-[0-9a-f]{17}\/FSx/;

/** A bucket policy of many harmless statements of other teams, `bytes` long at most. */
function crowdedBucketPolicy(bytes: number): NonNullable<SeedInput['buckets']>[number]['policy'] {
  const statement = (i: number) => ({
    Sid: `Team${String(i).padStart(4, '0')}ReadsItsOwnPrefix`,
    Effect: 'Allow' as const,
    Principal: { AWS: 'arn:aws:iam::222222222222:root' },
    Action: 's3:GetObject',
    Resource: `arn:aws:s3:::${BUCKET}/teams/team-${i}/*`,
  });
  const Statement = [];
  while (JSON.stringify({ Version: '2012-10-17', Statement: [...Statement, statement(Statement.length)] }).length <= bytes)
    Statement.push(statement(Statement.length));
  return { Version: '2012-10-17', Statement };
}

describe('policy mistakes fail the run where AWS would, with its error code', () => {
  it('fails ShareKey with MalformedPolicyDocumentException when the key policy names a deleted role', async () => {
    const sandbox = await seededSandbox(shippedSeed('stale-principal-in-key-policy'));
    const before = sandbox.snapshot().keys[0]!.policy;
    const report = await run(stop, sandbox);
    expect(report.error).toBe('MalformedPolicyDocumentException');
    expect(report.cause).toMatch(/invalid principals/);
    expect(failedSteps(report)).toEqual(['ShareKey']);
    // KMS refused the whole document: the key policy is as the seed left it.
    expect(sandbox.snapshot().keys[0]!.policy).toEqual(before);
  });

  it("fails PutBucketAccessPolicy with S3's Invalid principal when the bucket policy names a deleted role", async () => {
    const policy = {
      Version: '2012-10-17' as const,
      Statement: [
        {
          Sid: 'LegacyEtlRead',
          Effect: 'Allow' as const,
          Principal: { AWS: 'arn:aws:iam::444444444444:role/legacy-etl' },
          Action: 's3:GetObject',
          Resource: `arn:aws:s3:::${BUCKET}/*`,
        },
      ],
    };
    const sandbox = await seededSandbox({ buckets: [{ name: BUCKET, accountId: '222222222222', region: 'us-east-1', policy }] });
    const report = await run(stop, sandbox);
    expect(failedSteps(report)).toEqual(['PutBucketAccessPolicy']);
    // S3 re-validates every principal on PutBucketPolicy (MalformedPolicy). The stale principal
    // is someone else's, so the step says so at once instead of waiting for propagation.
    expect(report.error).toBe('ResourceConflict');
    expect(report.cause).toMatch(/names a principal that no longer exists.*Invalid principal in policy/);
    expect(report.steps.find((s) => s.name === 'PutBucketAccessPolicy')?.attempts).toBe(1);
    const refused = sandbox
      .snapshot()
      .cloudTrail.filter((r) => r['eventName'] === 'PutBucketPolicy')
      .map((r) => r['errorCode']);
    expect(new Set(refused)).toEqual(new Set(['MalformedPolicy']));
    expect(sandbox.snapshot().buckets[0]!.policy).toEqual(policy);
  });

  it("fails CreateDataRepositoryAssociation with FSx's BadRequest when the bucket policy denies account A's roles", async () => {
    const sandbox = await seededSandbox({
      buckets: [
        {
          name: BUCKET,
          accountId: '222222222222',
          region: 'us-east-1',
          policy: {
            Statement: [
              {
                Sid: 'NoComputeAccountRoles',
                Effect: 'Deny',
                Principal: '*',
                Action: 's3:*',
                Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
                Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/fsx-onboard-*' } },
              },
            ],
          },
        },
      ],
    });
    const report = await run(stop, sandbox);
    // FSx checks S3 access with the caller's credentials (the file-system role), not the SLR's.
    expect(report.error).toBe('BadRequest');
    expect(report.cause).toMatch(/unable to validate access to the S3 bucket/);
    expect(failedSteps(report)).toEqual(['CreateDataRepositoryAssociation']);
    expect(sandbox.snapshot().dataRepositoryAssociations).toEqual([]);
  });

  it('fails the export check naming kms:GenerateDataKey when the key policy denies the SLR, grant or not', async () => {
    const sandbox = await seededSandbox(shippedSeed('key-denies-fsx-slr'));
    const report = await run(stop, sandbox);
    expect(failedSteps(report)).toEqual(['VerifyExport']);
    expect(report.error).toBe('ExportNotLanded');
    expect(report.cause).toMatch(/kms:GenerateDataKey AccessDenied/);
    expect(report.cause).toMatch(SLR_SESSION);
    expect(report.cause).toMatch(/explicit deny in a resource-based policy/);
    // KMS logs the denied cross-account request only in the caller's account: the SLR's, A.
    const denials = sandbox.snapshot().cloudTrail.filter((r) => r['eventName'] === 'GenerateDataKey' && r['errorCode'] === 'AccessDenied');
    expect(denials.length).toBeGreaterThan(0);
    expect(new Set(denials.map((r) => r['recipientAccountId']))).toEqual(new Set(['111111111111']));
    expect(report.cause).toMatch(/CloudTrail in account 111111111111 recorded kms:GenerateDataKey AccessDenied/);
    // CloudTrail delivers minutes after the call: VerifyExport polled until the evidence arrived.
    const verify = report.steps.find((s) => s.name === 'VerifyExport')!;
    expect(verify.attempts).toBeGreaterThan(4);
    // The grant was created and covers GenerateDataKey: the explicit deny still wins.
    const key = sandbox.snapshot().keys[0]!;
    expect(key.grants).toEqual([expect.objectContaining({ operations: expect.arrayContaining(['GenerateDataKey']) })]);
  });

  it('refuses in ValidateRequest, before anything is written, when the bucket policy would pass 20 KB', async () => {
    const policy = crowdedBucketPolicy(20_000);
    const sandbox = await seededSandbox({ buckets: [{ name: BUCKET, accountId: '222222222222', region: 'us-east-1', policy }] });
    const report = await run(stop, sandbox);
    expect(failedSteps(report)).toEqual(['ValidateRequest']);
    expect(report.error).toBe('PolicyTooLarge');
    expect(report.cause).toMatch(/over S3's limit of 20,480 bytes/);
    expect(sandbox.snapshot().buckets[0]!.policy).toEqual(policy);
    expect(trailEventNames(sandbox)).not.toContain('PutBucketPolicy');
  });

  it.each([
    ['bucket', ['ValidateRequest'], shippedSeed('missing-bucket-role')],
    ['key', ['ValidateRequest'], { absentRoles: ['arn:aws:iam::333333333333:role/fsx-onboard-key'] }],
    // ValidateRequest reads what of the request exists in A (its baseline) through the file-system role.
    ['file-system', ['ValidateRequest'], { absentRoles: ['arn:aws:iam::111111111111:role/fsx-onboard-filesystem'] }],
  ])('fails the first step acting through a missing %s role with AccessDenied from STS', async (_role, steps, seed) => {
    const sandbox = await seededSandbox(seed);
    const report = await run(stop, sandbox);
    expect(failedSteps(report)).toEqual(steps);
    expect(report.error).toBe('AccessDenied');
    expect(report.cause).toMatch(/is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::\d{12}:role\/fsx-onboard-/);
    // CloudTrail of the caller's and of the role's account both show the refused AssumeRole.
    const denied = sandbox.snapshot().cloudTrail.filter((r) => r['eventName'] === 'AssumeRole' && r['errorCode'] === 'AccessDenied');
    expect(denied.length).toBeGreaterThan(0);
  });

  it.each([
    ['an asymmetric key (shipped seed)', shippedSeed('asymmetric-key'), /key spec is RSA_2048/],
    ['a disabled key', { keys: [{ arn: KEY_ARN, state: 'Disabled' as const }] }, /state is Disabled/],
  ])('refuses %s in ValidateRequest before any change', async (_what, seed, cause) => {
    const sandbox = await seededSandbox(seed);
    const report = await run(p2Example, sandbox);
    expect(report.steps.map((s) => s.name)).toEqual(['ValidateRequest']);
    expect(report.error).toBe('KeyNotUsable');
    expect(report.cause).toMatch(cause);
    expect(trailEventNames(sandbox).filter((n) => /^Put|^Create/.test(n))).toEqual([]);
  });
});
