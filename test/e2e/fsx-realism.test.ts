// Whole runs against the FSx behaviours a rehearsal must reproduce: a security group closed to
// Lustre, an association FSx cannot fully set up (MISCONFIGURED: no event notification; FAILED:
// the SLR cannot reach the bucket) and the re-run that recovers from a FAILED one.
import { describe, expect, it } from 'vitest';
import { p2Example, parsed, run } from './helpers.js';
import type { SeedInput } from '../../sandbox/index.js';
import { BUCKET, seededSandbox } from './seeding.js';

const request = parsed(p2Example);
const A = request.fileSystem.accountId;
const stop = { ...structuredClone(p2Example), onFailure: 'stop' };
const failedSteps = (report: Awaited<ReturnType<typeof run>>) => report.steps.filter((s) => s.status === 'failed').map((s) => s.name);

const denyToFsxRoles = (action: string, resource: string) => ({
  Sid: 'NoFsxServiceRoles',
  Effect: 'Deny' as const,
  Principal: '*' as const,
  Action: action,
  Resource: resource,
  Condition: { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${A}:role/aws-service-role/*` } },
});

/** The bucket of examples/request.json with one statement of another team's in its policy. */
const bucketWith = (statement: ReturnType<typeof denyToFsxRoles>): SeedInput => ({
  buckets: [{ name: BUCKET, accountId: request.bucket.accountId, region: request.region, policy: { Version: '2012-10-17' as const, Statement: [statement] } }],
});
describe('FSx realism in whole runs', () => {
  it('fails CreateFileSystem when the security group does not allow Lustre traffic', async () => {
    const sandbox = await seededSandbox({
      subnets: [{ id: request.fileSystem.subnetIds[0]!, accountId: A, region: request.region, vpcId: 'vpc-0a1b2c3d4e5f60718' }],
      securityGroups: [
        {
          id: request.fileSystem.securityGroupIds[0]!,
          accountId: A,
          region: request.region,
          vpcId: 'vpc-0a1b2c3d4e5f60718',
          inbound: [{ protocol: 'tcp', fromPort: 22, toPort: 22 }],
        },
      ],
    });
    const report = await run(stop, sandbox);
    expect(report.status).toBe('FAILED');
    expect(report.error).toBe('InvalidNetworkSettings');
    expect(report.cause).toContain('do not permit Lustre LNET network traffic on port 988');
    expect(failedSteps(report)).toEqual(['CreateFileSystem']);
  });

  it('stops with the association MISCONFIGURED when the SLR may not put the FSx notification', async () => {
    const sandbox = await seededSandbox(bucketWith(denyToFsxRoles('s3:PutBucketNotification', `arn:aws:s3:::${BUCKET}`)));
    const report = await run(stop, sandbox);
    expect(report.status).toBe('FAILED');
    expect(report.error).toBe('DataRepositoryAssociationFailed');
    expect(report.cause).toMatch(/stayed MISCONFIGURED .*event notification named FSx.*s3:PutBucketNotification/);
    expect(failedSteps(report)).toEqual(['WaitForDataRepositoryAssociation']);
  });

  it('recreates a FAILED association on a re-run once the cause is fixed', async () => {
    const sandbox = await seededSandbox(bucketWith(denyToFsxRoles('s3:ListBucket', `arn:aws:s3:::${BUCKET}`)));
    const first = await run(stop, sandbox);
    expect(first.error).toBe('DataRepositoryAssociationFailed');
    expect(first.cause).toMatch(/is FAILED: Amazon FSx does not have the required permissions/);
    const failedId = Object.keys(sandbox.state.dras)[0]!;
    // The other team lifts its deny.
    const bucket = sandbox.state.buckets[BUCKET]!;
    const policy = JSON.parse(bucket.policy!) as { Statement: { Sid?: string }[] };
    bucket.policy = JSON.stringify({ ...policy, Statement: policy.Statement.filter((s) => s.Sid !== 'NoFsxServiceRoles') });
    const second = await run(stop, sandbox);
    expect(second.status, `${second.error}: ${second.cause}`).toBe('SUCCEEDED');
    expect(second.outputs.dataRepositoryAssociationId).toMatch(/^dra-/);
    expect(second.outputs.dataRepositoryAssociationId).not.toBe(failedId);
    sandbox.clock.advance(120);
    expect(sandbox.state.dras[failedId]).toBeUndefined();
  });
});
