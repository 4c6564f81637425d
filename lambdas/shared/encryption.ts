// Default bucket encryption and its write-ahead change record. The record holds the
// configuration the bucket had before this request, so rollback can put exactly that back.
import { GetBucketEncryptionCommand, type S3Client, type ServerSideEncryptionConfiguration } from '@aws-sdk/client-s3';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { OnboardingRequest } from '../../core/request.js';
import { isErrorNamed } from './step-support.js';

export interface ChangeRecord {
  bucket: string;
  /** The bucket's configuration before this request; null when it had none. */
  previous: ServerSideEncryptionConfiguration | null;
  /** The configuration this request sets. */
  applied: ServerSideEncryptionConfiguration;
}

/** SSE-KMS with the full key ARN: an alias or key id would resolve in the bucket's account. */
export function encryptionFor(request: OnboardingRequest): ServerSideEncryptionConfiguration {
  return {
    Rules: [
      { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: request.key.arn }, BucketKeyEnabled: request.bucket.bucketKeyEnabled },
    ],
  };
}

export async function readEncryption(s3: S3Client, bucket: string): Promise<ServerSideEncryptionConfiguration | null> {
  try {
    const { ServerSideEncryptionConfiguration: config } = await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
    return config ?? null;
  } catch (e) {
    if (isErrorNamed(e, 'ServerSideEncryptionConfigurationNotFoundError')) return null;
    throw e;
  }
}

/** Same algorithm, key and Bucket Key setting in the (single) default rule. */
export function sameEncryption(a: ServerSideEncryptionConfiguration | null, b: ServerSideEncryptionConfiguration | null): boolean {
  const view = (c: ServerSideEncryptionConfiguration | null) =>
    (c?.Rules ?? []).map((r) => ({
      algorithm: r.ApplyServerSideEncryptionByDefault?.SSEAlgorithm ?? null,
      key: r.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID ?? null,
      bucketKey: r.BucketKeyEnabled ?? false,
    }));
  return JSON.stringify(view(a)) === JSON.stringify(view(b));
}

export async function readChangeRecord(ssm: SSMClient, name: string): Promise<ChangeRecord | undefined> {
  try {
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: name }));
    return Parameter?.Value ? (JSON.parse(Parameter.Value) as ChangeRecord) : undefined;
  } catch (e) {
    if (isErrorNamed(e, 'ParameterNotFound')) return undefined;
    throw e;
  }
}
