import {
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { describe, expect, it } from 'vitest';
import { trailReader, awaitDelivery, canaryKey, exampleRequest, shareBucketAndKey, world } from './world.js';

const policyNaming = (bucket: string, principal: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'T', Effect: 'Allow', Principal: { AWS: principal }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` }],
  });

async function kmsEventsIn(w: Awaited<ReturnType<typeof world>>, account: 'B' | 'C', eventName: string) {
  awaitDelivery(w);
  const clients = trailReader(w, account === 'C' ? 'key' : 'bucket');
  const found = await clients.cloudtrail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: eventName }] }));
  return (found.Events ?? []).map((e) => JSON.parse(e.CloudTrailEvent!) as Record<string, any>);
}

describe('sandbox S3', () => {
  it('reports SSE-S3 default encryption and the region of a new bucket', async () => {
    const w = await world(
      exampleRequest((r) => {
        r['region'] = 'eu-west-1';
        r['key'].arn = r['key'].arn.replace('us-east-1', 'eu-west-1');
      }),
    );
    const enc = await w.bucket.s3.send(new GetBucketEncryptionCommand({ Bucket: w.request.bucket.name }));
    expect(enc.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).toBe('AES256');
    const location = await w.bucket.s3.send(new GetBucketLocationCommand({ Bucket: w.request.bucket.name }));
    expect(location.LocationConstraint).toBe('eu-west-1');
    await expect(w.bucket.s3.send(new GetBucketPolicyCommand({ Bucket: w.request.bucket.name }))).rejects.toMatchObject({ name: 'NoSuchBucketPolicy' });
  });

  it('rejects a bucket policy naming a role that does not exist, or was created moments ago', async () => {
    const w = await world();
    const bucket = w.request.bucket.name;
    const ghost = `arn:aws:iam::${w.a}:role/does-not-exist`;
    await expect(w.bucket.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policyNaming(bucket, ghost) }))).rejects.toMatchObject({
      name: 'MalformedPolicy',
      message: 'Invalid principal in policy',
    });
    const fresh = `arn:aws:iam::${w.a}:role/fresh`;
    w.sandbox.state.roles[fresh] = {
      arn: fresh,
      name: 'fresh',
      path: '/',
      account: w.a,
      trustPolicy: { Statement: [] },
      inlinePolicies: {},
      managedPolicies: [],
      createdAt: w.sandbox.clock.now(),
    };
    await expect(w.bucket.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policyNaming(bucket, fresh) }))).rejects.toMatchObject({
      name: 'MalformedPolicy',
    });
    w.sandbox.clock.advance(15);
    await w.bucket.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policyNaming(bucket, fresh) }));
    const stored = await w.bucket.s3.send(new GetBucketPolicyCommand({ Bucket: bucket }));
    expect(JSON.parse(stored.Policy!).Statement[0].Principal.AWS).toBe(fresh);
  });

  it('rejects a bucket policy over 20 KB', async () => {
    const w = await world();
    const bucket = w.request.bucket.name;
    const statements = Array.from({ length: 200 }, (_, i) => ({
      Sid: `S${i}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx`,
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${w.a}:root` },
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${bucket}/${i}/*`,
    }));
    await expect(
      w.bucket.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }) })),
    ).rejects.toMatchObject({ name: 'MalformedPolicy' });
  });

  it('encrypts with the key under the object ARN context and reads it back when bucket keys are off', async () => {
    const w = await world(exampleRequest((r) => (r['bucket'].bucketKeyEnabled = false)));
    await shareBucketAndKey(w);
    const key = canaryKey(w, 'from-s3.txt');
    await w.bucket.s3.send(new PutObjectCommand({ Bucket: w.request.bucket.name, Key: key, Body: 'hello kms' }));
    const head = await w.bucket.s3.send(new HeadObjectCommand({ Bucket: w.request.bucket.name, Key: key }));
    expect(head).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: w.request.key.arn, BucketKeyEnabled: false });
    const got = await w.bucket.s3.send(new GetObjectCommand({ Bucket: w.request.bucket.name, Key: key }));
    expect(await got.Body!.transformToString()).toBe('hello kms');
    const [event] = await kmsEventsIn(w, 'C', 'GenerateDataKey');
    expect(event).toMatchObject({
      eventSource: 'kms.amazonaws.com',
      requestParameters: { encryptionContext: { 'aws:s3:arn': `arn:aws:s3:::${w.request.bucket.name}/${key}` } },
      userIdentity: { arn: `arn:aws:sts::${w.b}:assumed-role/fsx-onboard-bucket/fsx-onboard`, invokedBy: 's3.amazonaws.com' },
    });
    expect(event).not.toHaveProperty('errorCode');
    expect(await kmsEventsIn(w, 'C', 'Decrypt')).toHaveLength(1);
  });

  it('uses the bucket ARN as context with bucket keys, so a key policy allowing only object ARNs denies the write', async () => {
    const w = await world(exampleRequest((r) => (r['bucket'].bucketKeyEnabled = true)));
    await shareBucketAndKey(w);
    const key = canaryKey(w, 'from-s3.txt');
    await w.bucket.s3.send(new PutObjectCommand({ Bucket: w.request.bucket.name, Key: key, Body: 'bucket key' }));
    const [ok] = await kmsEventsIn(w, 'C', 'GenerateDataKey');
    expect(ok?.['requestParameters'].encryptionContext['aws:s3:arn']).toBe(`arn:aws:s3:::${w.request.bucket.name}`);

    // The same world with a key statement written for object ARNs only.
    const narrow = await world(exampleRequest((r) => (r['bucket'].bucketKeyEnabled = false)));
    await shareBucketAndKey(narrow);
    narrow.sandbox.state.buckets[narrow.request.bucket.name]!.encryption!.bucketKeyEnabled = true;
    await expect(
      narrow.bucket.s3.send(new PutObjectCommand({ Bucket: narrow.request.bucket.name, Key: canaryKey(narrow, 'x.txt'), Body: 'x' })),
    ).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringContaining('kms:GenerateDataKey'),
    });
    // A denied cross-account KMS request is logged only in the caller's account (B), an allowed one in both.
    const [denied] = await kmsEventsIn(narrow, 'B', 'GenerateDataKey');
    expect(denied).toMatchObject({ errorCode: 'AccessDenied', recipientAccountId: narrow.b });
    expect(await kmsEventsIn(narrow, 'C', 'GenerateDataKey')).toEqual([]);
    expect(narrow.sandbox.state.buckets[narrow.request.bucket.name]!.objects).toEqual({});
  });

  it('denies an SSE-KMS write when the key policy does not share the key with the bucket account', async () => {
    const w = await world();
    await shareBucketAndKey(w, { keyUse: false });
    await expect(w.bucket.s3.send(new PutObjectCommand({ Bucket: w.request.bucket.name, Key: canaryKey(w, 'a.txt'), Body: 'x' }))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringContaining('because no resource-based policy allows the kms:GenerateDataKey action'),
    });
  });
});
