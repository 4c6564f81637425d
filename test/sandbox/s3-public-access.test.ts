import {
  DeletePublicAccessBlockCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import type { PolicyStatement } from '../../policy/types.js';
import { world } from './world.js';

type World = Awaited<ReturnType<typeof world>>;
const bucketOf = (w: World) => w.request.bucket.name;
const doc = (...Statement: PolicyStatement[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const publicRead = (w: World): PolicyStatement => ({
  Sid: 'PublicRead',
  Effect: 'Allow',
  Principal: '*',
  Action: 's3:GetObject',
  Resource: `arn:aws:s3:::${bucketOf(w)}/*`,
});
const accountAList = (w: World): PolicyStatement => ({
  Sid: 'AccountAList',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${w.a}:root` },
  Action: 's3:ListBucket',
  Resource: `arn:aws:s3:::${bucketOf(w)}`,
});
const put = (w: World, Policy: string) => w.bucket.s3.send(new PutBucketPolicyCommand({ Bucket: bucketOf(w), Policy }));
/** The bucket role may also change Block Public Access (the deployed role may not: the workflow never does). */
function mayConfigureBlockPublicAccess(w: World): void {
  const role = w.sandbox.state.roles[`arn:aws:iam::${w.b}:role/fsx-onboard-bucket`]!;
  role.inlinePolicies['test-public-access-block'] = {
    Statement: [{ Effect: 'Allow', Action: 's3:PutBucketPublicAccessBlock', Resource: `arn:aws:s3:::${bucketOf(w)}` }],
  };
}
const allOff = { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false };

describe('sandbox S3 Block Public Access', () => {
  it('has all four settings on for a new bucket, and reports a deleted configuration as missing', async () => {
    const w = await world();
    mayConfigureBlockPublicAccess(w);
    const got = await w.bucket.s3.send(new GetPublicAccessBlockCommand({ Bucket: bucketOf(w) }));
    expect(got.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
    await w.bucket.s3.send(new PutPublicAccessBlockCommand({ Bucket: bucketOf(w), PublicAccessBlockConfiguration: { BlockPublicPolicy: true } }));
    const partial = await w.bucket.s3.send(new GetPublicAccessBlockCommand({ Bucket: bucketOf(w) }));
    expect(partial.PublicAccessBlockConfiguration).toEqual({ ...allOff, BlockPublicPolicy: true });
    await w.bucket.s3.send(new DeletePublicAccessBlockCommand({ Bucket: bucketOf(w) }));
    await expect(w.bucket.s3.send(new GetPublicAccessBlockCommand({ Bucket: bucketOf(w) }))).rejects.toMatchObject({
      name: 'NoSuchPublicAccessBlockConfiguration',
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('refuses a public policy under BlockPublicPolicy with 403 AccessDenied in S3 wording, and stores nothing', async () => {
    const w = await world();
    await expect(put(w, doc(accountAList(w), publicRead(w)))).rejects.toMatchObject({
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
      message: `User: arn:aws:sts::${w.b}:assumed-role/fsx-onboard-bucket/fsx-onboard is not authorized to perform: s3:PutBucketPolicy on resource: "arn:aws:s3:::${bucketOf(w)}" because public policies are blocked by the BlockPublicPolicy block public access setting.`,
    });
    await expect(w.bucket.s3.send(new GetBucketPolicyCommand({ Bucket: bucketOf(w) }))).rejects.toMatchObject({ name: 'NoSuchBucketPolicy' });
    // The same statement with a fixed aws:SourceAccount is non-public, and accepted.
    await put(w, doc({ ...publicRead(w), Condition: { StringEquals: { 'aws:SourceAccount': w.a } } }));
  });

  it('accepts a public policy once BlockPublicPolicy is off', async () => {
    const w = await world();
    mayConfigureBlockPublicAccess(w);
    await w.bucket.s3.send(new PutPublicAccessBlockCommand({ Bucket: bucketOf(w), PublicAccessBlockConfiguration: allOff }));
    await put(w, doc(publicRead(w)));
    const stored = await w.bucket.s3.send(new GetBucketPolicyCommand({ Bucket: bucketOf(w) }));
    expect(JSON.parse(stored.Policy!).Statement[0].Principal).toBe('*');
  });

  it('blocks cross-account access through a public policy under RestrictPublicBuckets, even through its non-public statements', async () => {
    const w = await world();
    const bucket = w.sandbox.state.buckets[bucketOf(w)]!;
    const list = () => w.fileSystem.s3.send(new ListObjectsV2Command({ Bucket: bucketOf(w), Prefix: w.request.bucket.prefix }));
    // Another team's public statement, stored before Block Public Access (as a seed would).
    bucket.policy = doc(accountAList(w), publicRead(w));
    await expect(list()).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    bucket.publicAccessBlock = { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: false };
    await expect(list()).resolves.toMatchObject({ KeyCount: 0 });
    // Restricted again, but the policy is no longer public: the delegation to account A works.
    delete bucket.publicAccessBlock;
    bucket.policy = doc(accountAList(w));
    await expect(list()).resolves.toMatchObject({ KeyCount: 0 });
  });
});

describe('sandbox S3 bucket policy validation', () => {
  const statement = (w: World, extra: Partial<PolicyStatement>): PolicyStatement => ({ ...accountAList(w), ...extra });

  it.each([
    ['an unknown action', { Action: 's3:GetObjects', Resource: 'arn:aws:s3:::genomics-reference-data/*' }, 'Policy has invalid action'],
    ['a wildcard naming no S3 action', { Action: 's3:Frobnicate*', Resource: 'arn:aws:s3:::genomics-reference-data/*' }, 'Policy has invalid action'],
    ['a non-S3 action', { Action: 'kms:Decrypt', Resource: 'arn:aws:s3:::genomics-reference-data/*' }, 'Policy has invalid action'],
    [
      'an object action on the bucket ARN',
      { Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::genomics-reference-data' },
      'Action does not apply to any resource(s) in statement',
    ],
    [
      'a bucket action on object ARNs',
      { Action: 's3:ListBucket', Resource: 'arn:aws:s3:::genomics-reference-data/*' },
      'Action does not apply to any resource(s) in statement',
    ],
    [
      'an account action',
      { Action: 's3:ListAllMyBuckets', Resource: 'arn:aws:s3:::genomics-reference-data' },
      'Action does not apply to any resource(s) in statement',
    ],
    [
      'a bucket ARN with a region and account',
      { Action: 's3:ListBucket', Resource: 'arn:aws:s3:us-east-1:222222222222:genomics-reference-data' },
      'Policy has invalid resource',
    ],
    ['another bucket', { Action: 's3:ListBucket', Resource: 'arn:aws:s3:::other-bucket' }, 'Policy has invalid resource'],
  ])('refuses %s with MalformedPolicy', async (_what, extra, message) => {
    const w = await world();
    await expect(put(w, doc(statement(w, extra as Partial<PolicyStatement>)))).rejects.toMatchObject({ name: 'MalformedPolicy', message });
  });

  it('accepts wildcards that name known actions, and a statement where one action applies', async () => {
    const w = await world();
    await put(
      w,
      doc(
        statement(w, { Action: ['s3:Get*', 's3:List*'], Resource: 'arn:aws:s3:::genomics-reference-data' }),
        statement(w, { Sid: 'Mixed', Action: ['s3:ListBucket', 's3:GetObject'], Resource: 'arn:aws:s3:::genomics-reference-data/cohort-2026/*' }),
        statement(w, { Sid: 'Lower', Action: 's3:putbucketnotification', Resource: 'arn:aws:s3:::genomics-reference-data' }),
      ),
    );
  });
});
