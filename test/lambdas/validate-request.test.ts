import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DescribeKeyCommand, GetKeyPolicyCommand, KMSClient, ListGrantsCommand } from '@aws-sdk/client-kms';
import { DescribeFileSystemsCommand, FSxClient } from '@aws-sdk/client-fsx';
import { GetBucketEncryptionCommand, GetBucketLocationCommand, GetBucketPolicyCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { validateRequestStep } from '../../lambdas/validate-request/validate-request.js';
import { namesFor } from '../../core/naming.js';
import { A, B, C, awsError, fakeFactory, rawRequest } from './fixtures.js';

const kms = mockClient(KMSClient);
const s3 = mockClient(S3Client);
const fsx = mockClient(FSxClient);
const keyArn = 'arn:aws:kms:us-east-1:333333333333:key/2a1bae3d-a3e7-475b-acb2-b0dd92a5ff99';
const goodKey = {
  KeyMetadata: {
    KeyId: '2a1bae3d-a3e7-475b-acb2-b0dd92a5ff99',
    Arn: keyArn,
    KeySpec: 'SYMMETRIC_DEFAULT' as const,
    KeyUsage: 'ENCRYPT_DECRYPT' as const,
    KeyState: 'Enabled' as const,
  },
};

beforeEach(() => {
  kms.reset();
  s3.reset();
  fsx.reset();
  // Nothing of the request exists yet (the run's baseline, lambdas/validate-request/baseline.ts).
  fsx.on(DescribeFileSystemsCommand).resolves({ FileSystems: [] });
  kms.on(ListGrantsCommand).resolves({ Grants: [] });
  kms.on(GetKeyPolicyCommand).resolves({ Policy: JSON.stringify({ Version: '2012-10-17', Statement: [] }) });
  kms.on(DescribeKeyCommand).resolves(goodKey);
  s3.on(GetBucketLocationCommand).resolves({});
  // An empty prefix, S3's default encryption and no bucket policy (shared-bucket.test.ts varies these).
  s3.on(ListObjectsV2Command).resolves({ Contents: [], IsTruncated: false });
  s3.on(GetBucketEncryptionCommand).rejects(awsError('ServerSideEncryptionConfigurationNotFoundError'));
  s3.on(GetBucketPolicyCommand).rejects(awsError('NoSuchBucketPolicy'));
});

describe('ValidateRequest', () => {
  it('returns the normalised request, the derived context and its shared-bucket report after read-only checks in C and B', async () => {
    const clients = fakeFactory();
    const out = await validateRequestStep({ request: rawRequest('request.json') }, { clients });
    // Issue 8: the step now reports the default-encryption change and the object sample (was: empty steps).
    expect(Object.keys(out.steps)).toEqual(['ValidateRequest']);
    expect(out.steps['ValidateRequest']).toMatchObject({ defaultEncryption: { changes: true }, objectSample: { sample: true, checked: 0 } });
    expect(out.request.dataRepository.autoExportEvents).toEqual(['NEW', 'CHANGED', 'DELETED']);
    expect(out.context).toEqual({
      names: namesFor('genomics-scratch-2026-11'),
      accounts: { fileSystem: A, bucket: B, key: C },
      roleArns: {
        fileSystem: `arn:aws:iam::${A}:role/fsx-onboard-filesystem`,
        bucket: `arn:aws:iam::${B}:role/fsx-onboard-bucket`,
        key: `arn:aws:iam::${C}:role/fsx-onboard-key`,
      },
      legacyLinked: false,
    });
    expect(kms).toHaveReceivedCommandExactlyOnceWith(DescribeKeyCommand, { KeyId: keyArn });
    expect(s3).toHaveReceivedCommandExactlyOnceWith(GetBucketLocationCommand, { Bucket: 'genomics-reference-data' });
    // C again for the key policy (the size budget and the baseline), and A: the baseline lists
    // the request's file systems and grants there.
    expect(clients.targets).toEqual([`key@${C}`, `bucket@${B}`, `key@${C}`, `fileSystem@${A}`]);
  });

  it('marks legacy linked types and reads EU as eu-west-1', async () => {
    s3.on(GetBucketLocationCommand).resolves({ LocationConstraint: 'EU' });
    kms
      .on(DescribeKeyCommand)
      .resolves({ KeyMetadata: { ...goodKey.KeyMetadata, Arn: 'arn:aws:kms:eu-west-1:333333333333:key/a056d364-d490-473d-ad19-bd6a483d8096' } });
    const out = await validateRequestStep({ request: rawRequest('request-legacy.json') }, { clients: fakeFactory('eu-west-1') });
    expect(out.context.legacyLinked).toBe(true);
  });

  it('lists every schema problem as "field: rule" and calls no AWS API', async () => {
    const raw = rawRequest('request.json');
    raw['requestId'] = 'x';
    raw['fileSystem'].storageCapacityGiB = 1000;
    raw['bucket'].name = 'Bad_Bucket';
    raw['key'].arn = 'arn:aws:kms:us-east-1:333333333333:alias/shared';
    delete raw['testExport'].clientInstanceId;
    const error = await validateRequestStep({ request: raw }, { clients: fakeFactory() }).catch((e) => e);
    expect(error.name).toBe('RequestInvalid');
    for (const line of [
      'requestId: must be 3 to 64 letters',
      'fileSystem.storageCapacityGiB: must be 1200, 2400 or a multiple of 2400 GiB',
      'bucket.name: must be lowercase letters',
      'key.arn: must be a KMS key ARN with a key id',
      'testExport.clientInstanceId: is required when testExport.mode is "lustre-client"',
    ]) {
      expect(error.message).toContain(line);
    }
    expect(kms.calls()).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
  });

  it('refuses an asymmetric key with KeyNotUsable, sending nothing but DescribeKey', async () => {
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { ...goodKey.KeyMetadata, KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' } });
    await expect(validateRequestStep({ request: rawRequest('request.json') }, { clients: fakeFactory() })).rejects.toMatchObject({
      name: 'KeyNotUsable',
      message: expect.stringMatching(/key spec is RSA_2048.*only symmetric.*key usage is SIGN_VERIFY/),
    });
    expect(kms.calls().map((c) => c.args[0].constructor.name)).toEqual(['DescribeKeyCommand']);
    expect(s3.calls()).toHaveLength(0);
  });

  it('refuses a disabled key with KeyNotUsable', async () => {
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { ...goodKey.KeyMetadata, KeyState: 'Disabled' } });
    await expect(validateRequestStep({ request: rawRequest('request.json') }, { clients: fakeFactory() })).rejects.toMatchObject({
      name: 'KeyNotUsable',
      message: expect.stringContaining('state is Disabled'),
    });
    expect(s3.calls()).toHaveLength(0);
  });

  it('refuses a bucket outside the request region', async () => {
    s3.on(GetBucketLocationCommand).resolves({ LocationConstraint: 'us-west-2' });
    await expect(validateRequestStep({ request: rawRequest('request.json') }, { clients: fakeFactory() })).rejects.toMatchObject({
      name: 'RequestInvalid',
      message: expect.stringContaining('is in us-west-2'),
    });
  });

  it('lets an AWS error through with its own name', async () => {
    kms.on(DescribeKeyCommand).rejects(awsError('NotFoundException', 'Key does not exist'));
    await expect(validateRequestStep({ request: rawRequest('request.json') }, { clients: fakeFactory() })).rejects.toMatchObject({ name: 'NotFoundException' });
  });

  it('checks only the schema for the standalone rollback machine', async () => {
    const out = await validateRequestStep({ request: rawRequest('request.json'), mode: 'rollback' }, { clients: fakeFactory() });
    expect(out.context.names.grantName).toBe('fsx-onboard-genomics-scratch-2026-11');
    expect(kms.calls()).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
  });
});
