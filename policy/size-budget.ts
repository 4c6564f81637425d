// The size budget of the two shared documents, checked before any change. S3 bucket policies
// are limited to 20 KB and KMS key policies to 32 KB; a step that finds its write over the
// limit fails only after earlier steps changed things, so ValidateRequest projects both
// documents with this request's statements first and refuses the request when either would
// not fit. The steps still check their own write (another team may have grown the document
// between the two).
import type { OnboardingNames } from '../core/naming.js';
import type { OnboardingRequest } from '../core/request.js';
import { BUCKET_POLICY_MAX_BYTES, bucketStatements, emptyPolicy, KEY_POLICY_MAX_BYTES, keyStatements, mergeStatements, policyBytes } from './documents.js';
import type { PolicyDocument } from './types.js';

export interface PolicySize {
  document: 'bucket policy' | 'key policy';
  /** The bucket name or key ARN. */
  resource: string;
  /** Bytes now, and at the largest this request makes the document. */
  bytesBefore: number;
  bytesAfter: number;
  limitBytes: number;
}

export interface BudgetInputs {
  request: OnboardingRequest;
  names: OnboardingNames;
  fileSystemAccountId: string;
  fileSystemRoleArn: string;
  bucketPolicy: PolicyDocument | undefined;
  keyPolicy: PolicyDocument;
}

/**
 * The bucket policy is largest right after PutBucketAccessPolicy: the ARN-pattern form names
 * the pattern and the file-system role; narrowing to the SLR's ARN only shrinks it.
 */
export function projectedPolicySizes(inputs: BudgetInputs): PolicySize[] {
  const { request, names } = inputs;
  const bucketBefore = inputs.bucketPolicy ?? emptyPolicy();
  const pattern = bucketStatements(request, names, {
    kind: 'pattern',
    fileSystemAccountId: inputs.fileSystemAccountId,
    fileSystemRoleArn: inputs.fileSystemRoleArn,
  });
  const keyOurs = keyStatements(request, names, inputs.fileSystemRoleArn);
  return [
    {
      document: 'bucket policy',
      resource: request.bucket.name,
      bytesBefore: inputs.bucketPolicy ? policyBytes(bucketBefore) : 0,
      bytesAfter: policyBytes(mergeStatements(bucketBefore, pattern)),
      limitBytes: BUCKET_POLICY_MAX_BYTES,
    },
    {
      document: 'key policy',
      resource: request.key.arn,
      bytesBefore: policyBytes(inputs.keyPolicy),
      bytesAfter: policyBytes(mergeStatements(inputs.keyPolicy, keyOurs)),
      limitBytes: KEY_POLICY_MAX_BYTES,
    },
  ];
}

export function overBudget(sizes: readonly PolicySize[]): PolicySize[] {
  return sizes.filter((s) => s.bytesAfter > s.limitBytes);
}
