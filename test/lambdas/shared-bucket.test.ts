// ValidateRequest's read-only checks of a shared bucket (issue 8): Bucket Keys are kept unless
// the request says otherwise, objects under an unlisted key refuse the run before any change,
// and the bucket-wide default-encryption change is reported with who else it affects.
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DescribeKeyCommand, GetKeyPolicyCommand, KMSClient, ListGrantsCommand } from '@aws-sdk/client-kms';
import { DescribeFileSystemsCommand, FSxClient } from '@aws-sdk/client-fsx';
import {
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketPolicyCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { validateRequestStep } from '../../lambdas/validate-request/validate-request.js';
import { OBJECT_SAMPLE_SIZE } from '../../lambdas/validate-request/bucket-checks.js';
import { bucketKeyFor, encryptionFor } from '../../lambdas/shared/encryption.js';
import { namesFor } from '../../core/naming.js';
import { awsError, fakeFactory, loadRequest, rawRequest } from './fixtures.js';

const kms = mockClient(KMSClient);
const s3 = mockClient(S3Client);
const fsx = mockClient(FSxClient);
const KEY = 'arn:aws:kms:us-east-1:333333333333:key/2a1bae3d-a3e7-475b-acb2-b0dd92a5ff99';
const OTHER_KEY = 'arn:aws:kms:us-east-1:444444444444:key/0f0e0d0c-0b0a-4909-8807-060504030201';
const kmsRule = (key: string, bucketKey: boolean) => ({
  ServerSideEncryptionConfiguration: {
    Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' as const, KMSMasterKeyID: key }, BucketKeyEnabled: bucketKey }],
  },
});
const sseS3 = { ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' as const } }] } };

function objects(keys: string[], encryption: (key: string) => { ServerSideEncryption: 'AES256' | 'aws:kms'; SSEKMSKeyId?: string }) {
  s3.on(ListObjectsV2Command).resolves({ Contents: keys.map((Key) => ({ Key })), IsTruncated: false, KeyCount: keys.length });
  s3.on(HeadObjectCommand).callsFake((input: { Key: string }) => encryption(input.Key));
}

const validate = (edit?: (raw: Record<string, any>) => void) => {
  const raw = rawRequest('request.json');
  edit?.(raw);
  return validateRequestStep({ request: raw }, { clients: fakeFactory() });
};

beforeEach(() => {
  kms.reset();
  s3.reset();
  fsx.reset();
  // Nothing of the request exists yet (the run's baseline, lambdas/validate-request/baseline.ts).
  fsx.on(DescribeFileSystemsCommand).resolves({ FileSystems: [] });
  kms.on(ListGrantsCommand).resolves({ Grants: [] });
  kms.on(GetKeyPolicyCommand).resolves({ Policy: JSON.stringify({ Version: '2012-10-17', Statement: [] }) });
  kms
    .on(DescribeKeyCommand)
    .resolves({ KeyMetadata: { KeyId: 'k', Arn: KEY, KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT', KeyState: 'Enabled' } });
  s3.on(GetBucketLocationCommand).resolves({});
  s3.on(GetBucketEncryptionCommand).resolves(sseS3);
  s3.on(GetBucketPolicyCommand).rejects(awsError('NoSuchBucketPolicy'));
  objects([], () => ({ ServerSideEncryption: 'AES256' }));
});

describe('bucket.bucketKeyEnabled absent: the bucket keeps its setting', () => {
  const absent = loadRequest('request.json', (r) => delete r['bucket'].bucketKeyEnabled);

  it('keeps Bucket Keys on a bucket that has them under SSE-KMS, and off where it has none', () => {
    expect(bucketKeyFor(absent, kmsRule(OTHER_KEY, true).ServerSideEncryptionConfiguration)).toBe(true);
    expect(bucketKeyFor(absent, kmsRule(OTHER_KEY, false).ServerSideEncryptionConfiguration)).toBe(false);
    // SSE-S3 has no Bucket Keys to keep (S3 reports BucketKeyEnabled only for SSE-KMS).
    expect(bucketKeyFor(absent, { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: true }] })).toBe(false);
    expect(bucketKeyFor(absent, null)).toBe(false);
  });

  it('lets an explicit value win, so a request can still turn them off', () => {
    const off = loadRequest('request.json', (r) => (r['bucket'].bucketKeyEnabled = false));
    expect(encryptionFor(off, kmsRule(OTHER_KEY, true).ServerSideEncryptionConfiguration).Rules![0]!.BucketKeyEnabled).toBe(false);
  });

  it('is resolved by ValidateRequest from the bucket, so ShareKey and SetDefaultEncryption agree', async () => {
    s3.on(GetBucketEncryptionCommand).resolves(kmsRule(KEY, true));
    const out = await validate((r) => delete r['bucket'].bucketKeyEnabled);
    expect(out.request.bucket.bucketKeyEnabled).toBe(true);
    s3.on(GetBucketEncryptionCommand).resolves(sseS3);
    expect((await validate((r) => delete r['bucket'].bucketKeyEnabled)).request.bucket.bucketKeyEnabled).toBe(false);
  });
});

describe('objects already under the prefix (a sample)', () => {
  it('refuses an object under a key the SLR will not be granted, naming the key, the object, the symptom and the field', async () => {
    objects(['cohort-2026/a.bam', 'cohort-2026/b.bam'], (k) =>
      k.endsWith('b.bam') ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: OTHER_KEY } : { ServerSideEncryption: 'AES256' },
    );
    const error = await validate().catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'ObjectsUnderUnlistedKey' });
    expect((error as Error).message).toContain(`key ${OTHER_KEY} encrypts 1 sampled object(s), e.g. s3://genomics-reference-data/cohort-2026/b.bam`);
    expect((error as Error).message).toContain('"No data available"');
    expect((error as Error).message).toMatch(/^bucket\.additionalKeyArns: .*Add the key\(s\) to bucket\.additionalKeyArns/);
    // Refused on reads alone: the listing was limited to the prefix, nothing was written.
    expect(s3.commandCalls(ListObjectsV2Command)[0]!.args[0].input).toMatchObject({ Bucket: 'genomics-reference-data', Prefix: 'cohort-2026/' });
  });

  it('accepts objects under the request key, a key listed in bucket.additionalKeyArns, and SSE-S3', async () => {
    const keyOf: Record<string, string | undefined> = { 'cohort-2026/a': KEY, 'cohort-2026/b': OTHER_KEY, 'cohort-2026/c': undefined };
    objects(Object.keys(keyOf), (k) => (keyOf[k] ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyOf[k] } : { ServerSideEncryption: 'AES256' }));
    const out = await validate((r) => (r['bucket'].additionalKeyArns = [OTHER_KEY]));
    expect(out.steps['ValidateRequest']!['objectSample']).toEqual({
      sample: true,
      limit: OBJECT_SAMPLE_SIZE,
      checked: 3,
      wholePrefix: true,
      sseS3: 1,
      kmsKeys: { [KEY]: { objects: 1, example: 'cohort-2026/a' }, [OTHER_KEY]: { objects: 1, example: 'cohort-2026/b' } },
      unchecked: [],
    });
  });

  it(`reads at most ${OBJECT_SAMPLE_SIZE} keys and says the sample is not the whole prefix`, async () => {
    const many = Array.from({ length: OBJECT_SAMPLE_SIZE + 50 }, (_, i) => `cohort-2026/${String(i).padStart(4, '0')}`);
    s3.on(ListObjectsV2Command).callsFake((input: { MaxKeys?: number; ContinuationToken?: string }) => {
      const start = Number(input.ContinuationToken ?? 0);
      const page = many.slice(start, start + (input.MaxKeys ?? 1000));
      const next = start + page.length;
      return {
        Contents: page.map((Key) => ({ Key })),
        IsTruncated: next < many.length,
        ...(next < many.length ? { NextContinuationToken: String(next) } : {}),
      };
    });
    s3.on(HeadObjectCommand).resolves({ ServerSideEncryption: 'AES256' });
    const out = await validate();
    expect(s3.commandCalls(HeadObjectCommand)).toHaveLength(OBJECT_SAMPLE_SIZE);
    expect(out.steps['ValidateRequest']!['objectSample']).toMatchObject({ checked: OBJECT_SAMPLE_SIZE, wholePrefix: false });
  });

  it('records an object it may not head instead of failing on it', async () => {
    objects(['cohort-2026/locked'], () => ({ ServerSideEncryption: 'AES256' }));
    s3.on(HeadObjectCommand).rejects(awsError('Forbidden'));
    const out = await validate();
    expect(out.steps['ValidateRequest']!['objectSample']).toMatchObject({ checked: 0, unchecked: [{ key: 'cohort-2026/locked', error: 'Forbidden' }] });
  });
});

describe('the default-encryption change, reported before it is made', () => {
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'IngestWrites',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::555555555555:role/ingest' },
        Action: ['s3:PutObject'],
        Resource: 'arn:aws:s3:::genomics-reference-data/*',
      },
      {
        Sid: 'PipelineAll',
        Effect: 'Allow',
        Principal: { AWS: ['arn:aws:iam::666666666666:root'] },
        Action: 's3:*',
        Resource: 'arn:aws:s3:::genomics-reference-data/*',
      },
      {
        Sid: 'ReadersOnly',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::777777777777:role/reader' },
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::genomics-reference-data/*',
      },
      { Sid: 'NoWrites', Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: 'arn:aws:s3:::genomics-reference-data/locked/*' },
      {
        Sid: namesFor('genomics-scratch-2026-11').bucketObjectAccessSid,
        Effect: 'Allow',
        Principal: '*',
        Action: 's3:PutObject',
        Resource: 'arn:aws:s3:::genomics-reference-data/*',
      },
    ],
  };

  it('names before, after and every other writer of the bucket policy, and the account that owns the bucket', async () => {
    s3.on(GetBucketEncryptionCommand).resolves(kmsRule(OTHER_KEY, true));
    s3.on(GetBucketPolicyCommand).resolves({ Policy: JSON.stringify(policy) });
    const out = await validate((r) => {
      delete r['bucket'].bucketKeyEnabled;
      r['bucket'].additionalKeyArns = [OTHER_KEY];
    });
    const change = out.steps['ValidateRequest']!['defaultEncryption'] as { affects: string[] };
    expect(change).toMatchObject({
      changes: true,
      bucket: 'genomics-reference-data',
      before: `SSE-KMS with ${OTHER_KEY}, Bucket Keys on`,
      after: `SSE-KMS with ${KEY}, Bucket Keys on`,
    });
    expect(change.affects.slice(0, 2)).toEqual(['arn:aws:iam::555555555555:role/ingest', 'arn:aws:iam::666666666666:root']);
    expect(change.affects[2]).toMatch(/^identities of account 222222222222 whose IAM policies allow s3:PutObject/);
    expect(change.affects).toHaveLength(3);
  });

  it('reports no change (and no one affected) when the bucket already has this configuration', async () => {
    s3.on(GetBucketEncryptionCommand).resolves(kmsRule(KEY, true));
    const out = await validate();
    expect(out.steps['ValidateRequest']!['defaultEncryption']).toMatchObject({ changes: false, affects: [] });
  });

  it("words S3's default when the bucket has no configuration", async () => {
    s3.on(GetBucketEncryptionCommand).rejects(awsError('ServerSideEncryptionConfigurationNotFoundError'));
    const out = await validate();
    expect(out.steps['ValidateRequest']!['defaultEncryption']).toMatchObject({ before: "S3's default, SSE-S3 (AES256)" });
  });
});
