import { describe, expect, it } from 'vitest';
import {
  bucketStatements,
  containsStatements,
  keyUseStatement,
  mergeStatements,
  parsePolicy,
  removeStatements,
  assertBucketPolicySize,
  assertKeyPolicySize,
  BUCKET_POLICY_MAX_BYTES,
} from '../../policy/documents.js';
import type { PolicyDocument, PolicyStatement } from '../../policy/types.js';
import { namesFor } from '../../core/naming.js';
import { A, SLR_ARN, loadRequest } from '../lambdas/fixtures.js';

const request = loadRequest('request.json');
const legacy = loadRequest('request-legacy.json');
const names = namesFor(request.requestId);
const fsRole = `arn:aws:iam::${A}:role/fsx-onboard-filesystem`;
const slrPattern = `arn:aws:iam::${A}:role/aws-service-role/s3.data-source.lustre.fsx.amazonaws.com/AWSServiceRoleForFSxS3Access_fs-*`;
const other: PolicyStatement = {
  Sid: 'OtherTeamRead',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::444444444444:root' },
  Action: 's3:GetObject',
  Resource: 'arn:aws:s3:::genomics-reference-data/*',
};
const otherDeny: PolicyStatement = {
  Sid: 'DenyInsecure',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: '*',
  Condition: { Bool: { 'aws:SecureTransport': false } },
};

describe('bucketStatements', () => {
  it('allows the SLR pattern and the file-system role by aws:PrincipalArn before the SLR exists', () => {
    expect(bucketStatements(request, names, { kind: 'pattern', fileSystemAccountId: A, fileSystemRoleArn: fsRole })).toEqual([
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
    ]);
  });

  it('names the exact SLR as principal and drops the condition when narrowed', () => {
    const [bucket, objects] = bucketStatements(request, names, { kind: 'serviceLinkedRole', serviceLinkedRoleArn: SLR_ARN });
    expect(bucket).toEqual({
      Sid: names.bucketAccessSid,
      Effect: 'Allow',
      Principal: { AWS: SLR_ARN },
      Action: ['s3:Get*', 's3:List*', 's3:PutBucketNotification'],
      Resource: 'arn:aws:s3:::genomics-reference-data',
    });
    expect(objects).not.toHaveProperty('Condition');
    expect(objects?.Principal).toEqual({ AWS: SLR_ARN });
  });
});

describe('bucketStatements and auto-import', () => {
  it('lets the SLR configure the bucket notification only when FSx will auto-import', () => {
    const pattern = { kind: 'pattern' as const, fileSystemAccountId: A, fileSystemRoleArn: fsRole };
    const quiet = { ...request, dataRepository: { ...request.dataRepository, autoImportEvents: [] } };
    expect(bucketStatements(quiet, names, pattern)[0]?.Action).toEqual(['s3:GetBucketLocation', 's3:ListBucket', 's3:GetBucketAcl']);
    expect(bucketStatements(request, names, pattern)[0]?.Action).toEqual(['s3:Get*', 's3:List*', 's3:PutBucketNotification']);
    // Legacy linked types always auto-import here (AutoImportPolicy NEW_CHANGED_DELETED).
    const legacy = { ...quiet, fileSystem: { ...quiet.fileSystem, deploymentType: 'PERSISTENT_1' as const } };
    expect(bucketStatements(legacy, names, pattern)[0]?.Action).toContain('s3:PutBucketNotification');
  });
});

describe('keyUseStatement', () => {
  it('shares the key with A and B via S3 for the prefix and, with Bucket Keys, the bucket ARN', () => {
    expect(keyUseStatement(request, names)).toEqual({
      Sid: names.keyUseSid,
      Effect: 'Allow',
      Principal: { AWS: ['arn:aws:iam::111111111111:root', 'arn:aws:iam::222222222222:root'] },
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
      Resource: request.key.arn,
      Condition: {
        StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com', 'kms:CallerAccount': ['111111111111', '222222222222'] },
        StringLike: { 'kms:EncryptionContext:aws:s3:arn': ['arn:aws:s3:::genomics-reference-data/cohort-2026/*', 'arn:aws:s3:::genomics-reference-data'] },
      },
    });
  });

  it('allows only object ARNs when Bucket Keys are off and the prefix is the whole bucket', () => {
    const statement = keyUseStatement(legacy, namesFor(legacy.requestId));
    expect(statement.Condition).toEqual({
      StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com', 'kms:CallerAccount': ['111111111111', '222222222222'] },
      StringLike: { 'kms:EncryptionContext:aws:s3:arn': ['arn:aws:s3:::ml-training-sets/*'] },
    });
  });
});

describe('merge and remove by Sid', () => {
  const ours = bucketStatements(request, names, { kind: 'pattern', fileSystemAccountId: A, fileSystemRoleArn: fsRole });

  it("appends ours after everyone else's statements, which stay untouched and in order", () => {
    const merged = mergeStatements({ Version: '2012-10-17', Statement: [other, otherDeny] }, ours);
    expect(merged.Statement).toEqual([other, otherDeny, ...ours]);
  });

  it('replaces ours in place and drops a duplicate of our Sid', () => {
    const narrowed = bucketStatements(request, names, { kind: 'serviceLinkedRole', serviceLinkedRoleArn: SLR_ARN });
    const doc: PolicyDocument = { Version: '2012-10-17', Statement: [other, ours[0]!, otherDeny, ours[1]!, ours[1]!] };
    expect(mergeStatements(doc, narrowed).Statement).toEqual([other, narrowed[0], otherDeny, narrowed[1]]);
  });

  it('removes only our Sids and counts them', () => {
    const { document, removed } = removeStatements({ Version: '2012-10-17', Statement: [other, ...ours, otherDeny] }, [
      names.bucketAccessSid,
      names.bucketObjectAccessSid,
    ]);
    expect(removed).toBe(2);
    expect(document.Statement).toEqual([other, otherDeny]);
  });

  it('treats a statement AWS returned with reordered lists and scalar singletons as already present', () => {
    const returned = JSON.parse(JSON.stringify(ours)) as PolicyStatement[];
    (returned[0]!.Action as string[]).reverse();
    const narrowed = bucketStatements(request, names, { kind: 'serviceLinkedRole', serviceLinkedRoleArn: SLR_ARN });
    expect(containsStatements({ Statement: [other, ...returned] }, ours)).toBe(true);
    expect(containsStatements({ Statement: [other, ...returned] }, narrowed)).toBe(false);
    expect(containsStatements({ Statement: [{ ...narrowed[0]!, Principal: { AWS: [SLR_ARN] } }, narrowed[1]!] }, narrowed)).toBe(true);
  });

  it('parses a policy whose Statement is a single object', () => {
    expect(parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: other })).Statement).toEqual([other]);
    expect(parsePolicy(undefined)).toEqual({ Version: '2012-10-17', Statement: [] });
  });
});

describe('size budgets', () => {
  const filler = (bytes: number): PolicyDocument => ({
    Version: '2012-10-17',
    Statement: [{ ...other, Sid: 'Big', Resource: `arn:aws:s3:::b/${'x'.repeat(bytes)}` }],
  });

  it('refuses a bucket policy over 20 KB with a ResourceConflict before any call', () => {
    expect(() => assertBucketPolicySize(filler(BUCKET_POLICY_MAX_BYTES), 'genomics-reference-data')).toThrow(
      expect.objectContaining({
        name: 'ResourceConflict',
        message: expect.stringMatching(/bucket policy of genomics-reference-data would be \d+ bytes.*20480-byte limit/),
      }),
    );
    expect(() => assertBucketPolicySize(filler(19_000), 'b')).not.toThrow();
  });

  it('refuses a key policy over 32 KB', () => {
    expect(() => assertKeyPolicySize(filler(32 * 1024), request.key.arn)).toThrow(
      expect.objectContaining({ name: 'ResourceConflict', message: expect.stringContaining('32768-byte limit') }),
    );
    expect(() => assertKeyPolicySize(filler(30_000), request.key.arn)).not.toThrow();
  });
});
