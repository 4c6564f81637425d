// Default bucket encryption and its write-ahead change record. The record holds the
// configuration the bucket had before this request, so rollback can put exactly that back.
import { GetBucketEncryptionCommand, type S3Client, type ServerSideEncryptionConfiguration } from '@aws-sdk/client-s3';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { readParameter } from './parameters.js';
import type { OnboardingRequest } from '../../core/request.js';
import { ErrorNames, OnboardingError } from '../../core/errors.js';
import { isErrorNamed } from './step-support.js';

export interface ChangeRecord {
  bucket: string;
  /** The bucket's configuration before this request; null when it had none. */
  previous: ServerSideEncryptionConfiguration | null;
  /** The configuration this request sets. */
  applied: ServerSideEncryptionConfiguration;
  /** The execution that wrote the record (RunBaseline.runId): only its rollback restores. Absent from older records. */
  runId?: string;
}

/**
 * Bucket Keys as the request says, else as the bucket has them: a bucket already using Bucket
 * Keys under SSE-KMS keeps them; a bucket without SSE-KMS today gets none.
 */
export function bucketKeyFor(request: OnboardingRequest, current: ServerSideEncryptionConfiguration | null): boolean {
  if (request.bucket.bucketKeyEnabled !== undefined) return request.bucket.bucketKeyEnabled;
  const rule = current?.Rules?.[0];
  const algorithm = rule?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm ?? '';
  return algorithm.startsWith('aws:kms') ? (rule?.BucketKeyEnabled ?? false) : false;
}

/** SSE-KMS with the full key ARN: an alias or key id would resolve in the bucket's account. */
export function encryptionFor(request: OnboardingRequest, current: ServerSideEncryptionConfiguration | null): ServerSideEncryptionConfiguration {
  return {
    Rules: [
      {
        ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: request.key.arn },
        BucketKeyEnabled: bucketKeyFor(request, current),
      },
    ],
  };
}

/** One line for people: "SSE-KMS with <key>, Bucket Keys on", "SSE-S3 (AES256)", "none". */
export function describeEncryption(config: ServerSideEncryptionConfiguration | null): string {
  const rule = config?.Rules?.[0];
  const byDefault = rule?.ApplyServerSideEncryptionByDefault;
  if (!byDefault) return "S3's default, SSE-S3 (AES256)";
  if (byDefault.SSEAlgorithm === 'AES256') return 'SSE-S3 (AES256)';
  return `${byDefault.SSEAlgorithm === 'aws:kms' ? 'SSE-KMS' : byDefault.SSEAlgorithm} with ${byDefault.KMSMasterKeyID ?? 'the AWS managed key aws/s3'}, Bucket Keys ${rule?.BucketKeyEnabled ? 'on' : 'off'}`;
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

/**
 * Proves a re-read default encryption is the one just written; `null` (deleted) reads back as
 * none or S3's SSE-S3 default. Otherwise someone changed it without the lock: SharedDocumentChanged.
 */
export function proveEncryption(after: ServerSideEncryptionConfiguration | null, bucket: string, wanted: ServerSideEncryptionConfiguration | null): void {
  const sseS3Default = after?.Rules?.length === 1 && after.Rules[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm === 'AES256';
  if (wanted === null ? after === null || sseS3Default : sameEncryption(after, wanted)) return;
  throw new OnboardingError(
    ErrorNames.SharedDocumentChanged,
    `The default encryption of ${bucket} read back after this write is ${describeEncryption(after)}, not ${describeEncryption(wanted)}. Something changed it without the lock; the state machine retries the step, which reads and writes it again`,
  );
}

export async function readChangeRecord(ssm: SSMClient, name: string): Promise<ChangeRecord | undefined> {
  const value = await readParameter(ssm, name);
  return value ? (JSON.parse(value) as ChangeRecord) : undefined;
}
