import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DeleteBucketPolicyCommand, GetBucketPolicyCommand, GetPublicAccessBlockCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { putBucketAccessPolicy } from '../../lambdas/put-bucket-access-policy/put-bucket-access-policy.js';
import { narrowBucketPolicy } from '../../lambdas/narrow-bucket-policy/narrow-bucket-policy.js';
import { removeBucketAccess } from '../../lambdas/remove-bucket-access/remove-bucket-access.js';
import { A, B, SLR_ARN, awsError, policyOf, setup } from './fixtures.js';

// The lock table: acquire and release succeed (tests of the lock itself: test/lambdas/resource-lock-*.test.ts).
mockClient(DynamoDBClient);
const s3 = mockClient(S3Client);
const other = {
  Sid: 'OtherTeamRead',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::444444444444:root' },
  Action: 's3:GetObject',
  Resource: 'arn:aws:s3:::genomics-reference-data/*',
};
const otherDeny = {
  Sid: 'DenyInsecure',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: ['arn:aws:s3:::genomics-reference-data', 'arn:aws:s3:::genomics-reference-data/*'],
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
};
const slrPattern = `arn:aws:iam::${A}:role/aws-service-role/s3.data-source.lustre.fsx.amazonaws.com/AWSServiceRoleForFSxS3Access_fs-*`;
const fsRole = `arn:aws:iam::${A}:role/fsx-onboard-filesystem`;

/** Serves GetBucketPolicy from what the last PutBucketPolicy wrote, like S3 would. */
function bucketWithPolicy(statements: unknown[] | undefined) {
  let policy = statements ? JSON.stringify({ Version: '2012-10-17', Statement: statements }) : undefined;
  s3.on(GetBucketPolicyCommand).callsFake(() => {
    if (!policy) throw awsError('NoSuchBucketPolicy', 'The bucket policy does not exist');
    return { Policy: policy };
  });
  s3.on(PutBucketPolicyCommand).callsFake((input: { Policy: string }) => {
    policy = input.Policy;
    return {};
  });
  s3.on(DeleteBucketPolicyCommand).callsFake(() => {
    policy = undefined;
    return {};
  });
}

const allBlocked = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

beforeEach(() => {
  s3.reset();
  // S3's default for new buckets since April 2023.
  s3.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: allBlocked });
});

describe('PutBucketAccessPolicy', () => {
  it('creates the policy with both statements for the SLR pattern and the file-system role, via the bucket role in B', async () => {
    bucketWithPolicy(undefined);
    const { input, deps, names, clients } = setup();
    await expect(putBucketAccessPolicy(input, deps)).resolves.toEqual({
      changed: true,
      sids: [names.bucketAccessSid, names.bucketObjectAccessSid],
      statementCount: 2,
    });
    expect(clients.targets).toEqual(['orchestrator', `bucket@${B}`]);
    expect(s3).toHaveReceivedCommandTimes(PutBucketPolicyCommand, 1);
    const call = s3.commandCalls(PutBucketPolicyCommand)[0]!;
    expect(call.args[0].input.Bucket).toBe('genomics-reference-data');
    expect(policyOf(call)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: names.bucketAccessSid,
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${A}:root` },
          Action: ['s3:Get*', 's3:List*', 's3:PutBucketNotification'],
          Resource: 'arn:aws:s3:::genomics-reference-data',
          Condition: { ArnLike: { 'aws:PrincipalArn': [slrPattern, fsRole] } },
        },
        {
          Sid: names.bucketObjectAccessSid,
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${A}:root` },
          Action: ['s3:Get*', 's3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'],
          Resource: 'arn:aws:s3:::genomics-reference-data/cohort-2026/*',
          Condition: { ArnLike: { 'aws:PrincipalArn': [slrPattern, fsRole] } },
        },
      ],
    });
  });

  it("fails with SharedDocumentChanged, not success, when the re-read has lost another team's statement", async () => {
    bucketWithPolicy([other]);
    // A writer that does not take the lock replaces the policy right after ours, from its own stale read.
    s3.on(PutBucketPolicyCommand).callsFake((input: { Policy: string }) => {
      const written = JSON.parse(input.Policy) as { Statement: { Sid: string }[] };
      const stale = { ...written, Statement: written.Statement.filter((s) => s.Sid !== other.Sid) };
      s3.on(GetBucketPolicyCommand).resolves({ Policy: JSON.stringify(stale) });
      return {};
    });
    const { input, deps } = setup();
    await expect(putBucketAccessPolicy(input, deps)).rejects.toMatchObject({
      name: 'SharedDocumentChanged',
      message: expect.stringContaining('1 statement(s) of others lost (OtherTeamRead)'),
    });
  });

  it("keeps other teams' statements untouched and first, and sends no write on a second run", async () => {
    bucketWithPolicy([other, otherDeny]);
    const { input, deps, names } = setup();
    await putBucketAccessPolicy(input, deps);
    const written = policyOf(s3.commandCalls(PutBucketPolicyCommand)[0]);
    expect(written.Statement.slice(0, 2)).toEqual([other, otherDeny]);
    expect(written.Statement.map((s: { Sid: string }) => s.Sid)).toEqual(['OtherTeamRead', 'DenyInsecure', names.bucketAccessSid, names.bucketObjectAccessSid]);

    s3.resetHistory();
    await expect(putBucketAccessPolicy(input, deps)).resolves.toMatchObject({ changed: false });
    expect(s3).not.toHaveReceivedCommand(PutBucketPolicyCommand);
  });

  it('refuses to grow a policy past 20 KB with ResourceConflict and writes nothing', async () => {
    bucketWithPolicy([{ ...other, Resource: `arn:aws:s3:::genomics-reference-data/${'x'.repeat(20_000)}` }]);
    const { input, deps } = setup();
    await expect(putBucketAccessPolicy(input, deps)).rejects.toMatchObject({ name: 'ResourceConflict', message: expect.stringContaining('20480-byte limit') });
    expect(s3).not.toHaveReceivedCommand(PutBucketPolicyCommand);
  });

  it('lets OperationAborted through unchanged for the state machine to retry', async () => {
    s3.on(GetBucketPolicyCommand).resolves({ Policy: JSON.stringify({ Version: '2012-10-17', Statement: [other] }) });
    s3.on(PutBucketPolicyCommand).rejects(awsError('OperationAborted', 'A conflicting conditional operation is currently in progress'));
    const { input, deps } = setup();
    await expect(putBucketAccessPolicy(input, deps)).rejects.toMatchObject({ name: 'OperationAborted' });
  });
});

describe('NarrowBucketPolicy', () => {
  const steps = { WaitForServiceLinkedRole: { done: true, attempts: 1, roleArn: SLR_ARN } };

  it('replaces the pattern principal of our statements with the SLR ARN, in place, leaving others alone', async () => {
    bucketWithPolicy([other]);
    const first = setup('request.json', steps);
    await putBucketAccessPolicy(first.input, first.deps);
    const pattern = policyOf(s3.commandCalls(PutBucketPolicyCommand)[0]);
    pattern.Statement.push(otherDeny);
    bucketWithPolicy(pattern.Statement);

    await expect(narrowBucketPolicy(first.input, first.deps)).resolves.toMatchObject({ changed: true, principal: SLR_ARN });
    const written = policyOf(s3.commandCalls(PutBucketPolicyCommand).at(-1));
    expect(written.Statement[0]).toEqual(other);
    expect(written.Statement[3]).toEqual(otherDeny);
    for (const s of written.Statement.slice(1, 3)) {
      expect(s.Principal).toEqual({ AWS: SLR_ARN });
      expect(s).not.toHaveProperty('Condition');
    }
    expect(written.Statement[2].Resource).toBe('arn:aws:s3:::genomics-reference-data/cohort-2026/*');

    s3.resetHistory();
    await expect(narrowBucketPolicy(first.input, first.deps)).resolves.toMatchObject({ changed: false });
    expect(s3).not.toHaveReceivedCommand(PutBucketPolicyCommand);
  });

  it('turns S3\'s "Invalid principal" into PrincipalNotYetPropagated', async () => {
    s3.on(GetBucketPolicyCommand).resolves({ Policy: JSON.stringify({ Statement: [other] }) });
    s3.on(PutBucketPolicyCommand).rejects(awsError('MalformedPolicy', 'Invalid principal in policy'));
    const { input, deps } = setup('request.json', steps);
    const error = await narrowBucketPolicy(input, deps).catch((e) => e);
    expect(error).toMatchObject({ name: 'PrincipalNotYetPropagated' });
    expect(error.cause).toMatchObject({ name: 'MalformedPolicy' });
  });

  it('reports a stale principal in another statement as ResourceConflict when adding its own statements', async () => {
    s3.on(GetBucketPolicyCommand).resolves({ Policy: JSON.stringify({ Statement: [other] }) });
    s3.on(PutBucketPolicyCommand).rejects(awsError('MalformedPolicy', 'Invalid principal in policy'));
    const { input, deps } = setup();
    await expect(putBucketAccessPolicy(input, deps)).rejects.toMatchObject({ name: 'ResourceConflict', message: expect.stringMatching(/did not write/) });
  });

  it('lets any other MalformedPolicy through unchanged', async () => {
    s3.on(GetBucketPolicyCommand).resolves({ Policy: JSON.stringify({ Statement: [other] }) });
    s3.on(PutBucketPolicyCommand).rejects(awsError('MalformedPolicy', 'Policy has invalid action'));
    const { input, deps } = setup('request.json', steps);
    await expect(narrowBucketPolicy(input, deps)).rejects.toMatchObject({ name: 'MalformedPolicy' });
  });
});

describe('RemoveBucketAccess', () => {
  it('removes only our statements and keeps the rest in order', async () => {
    const { input, deps, names } = setup();
    bucketWithPolicy([
      other,
      { Sid: names.bucketAccessSid, Effect: 'Allow', Principal: '*', Action: 's3:ListBucket', Resource: '*' },
      otherDeny,
      { Sid: names.bucketObjectAccessSid, Effect: 'Allow', Principal: '*', Action: 's3:Get*', Resource: '*' },
    ]);
    await expect(removeBucketAccess(input, deps)).resolves.toEqual({ changed: true, removed: 2, policyDeleted: false });
    expect(policyOf(s3.commandCalls(PutBucketPolicyCommand)[0]).Statement).toEqual([other, otherDeny]);

    s3.resetHistory();
    await expect(removeBucketAccess(input, deps)).resolves.toEqual({ changed: false, removed: 0, policyDeleted: false });
    expect(s3).not.toHaveReceivedCommand(PutBucketPolicyCommand);
    expect(s3).not.toHaveReceivedCommand(DeleteBucketPolicyCommand);
  });

  it('deletes the policy when ours were its only statements', async () => {
    const { input, deps, names } = setup();
    bucketWithPolicy([{ Sid: names.bucketAccessSid, Effect: 'Allow', Principal: '*', Action: 's3:ListBucket', Resource: '*' }]);
    await expect(removeBucketAccess(input, deps)).resolves.toEqual({ changed: true, removed: 1, policyDeleted: true });
    expect(s3).toHaveReceivedCommandWith(DeleteBucketPolicyCommand, { Bucket: 'genomics-reference-data' });
    expect(s3).not.toHaveReceivedCommand(PutBucketPolicyCommand);
  });

  it('does nothing when the bucket has no policy', async () => {
    bucketWithPolicy(undefined);
    const { input, deps } = setup();
    await expect(removeBucketAccess(input, deps)).resolves.toMatchObject({ changed: false });
    expect(s3.calls()).toHaveLength(1);
  });
});

describe('PutBucketAccessPolicy under Block Public Access', () => {
  const publicRead = {
    Sid: 'PublicReports',
    Effect: 'Allow',
    Principal: '*',
    Action: 's3:GetObject',
    Resource: 'arn:aws:s3:::genomics-reference-data/reports/*',
  };

  it('refuses, before any write, a bucket whose other statement is public under BlockPublicPolicy, naming the setting and the statement', async () => {
    bucketWithPolicy([other, publicRead]);
    const { input, deps } = setup();
    const error = await putBucketAccessPolicy(input, deps).catch((e) => e);
    expect(error).toMatchObject({ name: 'BucketPolicyPublic', message: expect.stringContaining('BlockPublicPolicy') });
    expect(error.message).toContain('"PublicReports" (statement 1)');
    expect(s3).not.toHaveReceivedCommand(PutBucketPolicyCommand);
  });

  it('refuses a public policy under RestrictPublicBuckets alone, since S3 would ignore it for account A', async () => {
    bucketWithPolicy([publicRead]);
    s3.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: { ...allBlocked, BlockPublicPolicy: false } });
    const { input, deps } = setup();
    await expect(putBucketAccessPolicy(input, deps)).rejects.toMatchObject({
      name: 'BucketPolicyPublic',
      message: expect.stringContaining('RestrictPublicBuckets'),
    });
    expect(s3).not.toHaveReceivedCommand(PutBucketPolicyCommand);
  });

  it('writes when the bucket has no Block Public Access configuration, which blocks nothing', async () => {
    bucketWithPolicy([publicRead]);
    s3.on(GetPublicAccessBlockCommand).rejects(awsError('NoSuchPublicAccessBlockConfiguration', 'The public access block configuration was not found'));
    const { input, deps } = setup();
    await expect(putBucketAccessPolicy(input, deps)).resolves.toMatchObject({ changed: true });
  });

  it("names S3's own BlockPublicPolicy refusal (an account-level setting) BucketPolicyPublic", async () => {
    s3.on(GetBucketPolicyCommand).resolves({ Policy: JSON.stringify({ Statement: [other] }) });
    s3.on(PutBucketPolicyCommand).rejects(
      awsError(
        'AccessDenied',
        'User: x is not authorized to perform: s3:PutBucketPolicy on resource: "arn:aws:s3:::genomics-reference-data" because public policies are blocked by the BlockPublicPolicy block public access setting.',
      ),
    );
    const { input, deps } = setup('request.json', { WaitForServiceLinkedRole: { done: true, attempts: 1, roleArn: SLR_ARN } });
    await expect(narrowBucketPolicy(input, deps)).rejects.toMatchObject({ name: 'BucketPolicyPublic' });
  });
});
