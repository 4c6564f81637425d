// S3 Block Public Access seen from the workflow. Our statements are non-public by S3's rule, but
// S3 judges the whole policy: another team's public statement makes every later PutBucketPolicy
// fail under BlockPublicPolicy, and under RestrictPublicBuckets S3 ignores the policy for other
// accounts. PutBucketAccessPolicy checks both before it changes anything.
import { GetPublicAccessBlockCommand, type S3Client } from '@aws-sdk/client-s3';
import { ErrorNames, OnboardingError } from '../../core/errors.js';
import { describePublicStatements, evaluatePublicPolicy } from '../../policy/public-policy.js';
import type { PolicyDocument } from '../../policy/types.js';
import { isErrorNamed } from './step-support.js';

export interface PublicAccessBlock {
  blockPublicPolicy: boolean;
  restrictPublicBuckets: boolean;
}

/** The bucket's settings; a bucket without a configuration blocks nothing. */
export async function readPublicAccessBlock(s3: S3Client, bucket: string): Promise<PublicAccessBlock> {
  try {
    const { PublicAccessBlockConfiguration: c } = await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }));
    return { blockPublicPolicy: c?.BlockPublicPolicy === true, restrictPublicBuckets: c?.RestrictPublicBuckets === true };
  } catch (e) {
    if (isErrorNamed(e, 'NoSuchPublicAccessBlockConfiguration')) return { blockPublicPolicy: false, restrictPublicBuckets: false };
    throw e;
  }
}

/**
 * Refuses a policy S3 would refuse (BlockPublicPolicy) or ignore across accounts
 * (RestrictPublicBuckets, when the file system's account is not the bucket's).
 */
export function assertPolicyUsable(document: PolicyDocument, bucket: string, block: PublicAccessBlock, crossAccount: boolean): void {
  const verdict = evaluatePublicPolicy(document);
  if (!verdict.isPublic) return;
  const which = describePublicStatements(verdict.publicStatements);
  if (block.blockPublicPolicy) {
    throw new OnboardingError(
      ErrorNames.BucketPolicyPublic,
      `The bucket policy of ${bucket} would be public by S3's rule, so its BlockPublicPolicy block public access setting refuses every update to it; nothing was changed. Public: ${which}. Make those statements non-public (a fixed principal, or a fixed aws:SourceArn/aws:SourceAccount/… condition) or remove them, then retry.`,
    );
  }
  if (block.restrictPublicBuckets && crossAccount) {
    throw new OnboardingError(
      ErrorNames.BucketPolicyPublic,
      `The bucket policy of ${bucket} is public by S3's rule, so its RestrictPublicBuckets block public access setting makes S3 ignore the policy for other accounts, including the file system's; nothing was changed. Public: ${which}. Make those statements non-public or remove them, then retry.`,
    );
  }
}

/** S3's own refusal (e.g. an account-level BlockPublicPolicy the bucket check cannot see), named like ours. */
export function blockedPublicPolicyError(e: unknown, bucket: string): OnboardingError | undefined {
  if (!(isErrorNamed(e, 'AccessDenied') && /BlockPublicPolicy/.test((e as Error).message))) return undefined;
  return new OnboardingError(
    ErrorNames.BucketPolicyPublic,
    `S3 refused the bucket policy of ${bucket} as public (BlockPublicPolicy, set on the bucket or its account): ${(e as Error).message}`,
    { cause: e },
  );
}
