// Checks on the planned bucket and key policies as whole documents: Block Public Access judges
// the whole bucket policy (another team's public statement blocks every later put), and both
// services limit a policy's size (S3 20 KB, KMS 32 KB, not adjustable).
import { OnboardingError } from '../../../core/errors.js';
import { policyBytes } from '../../../policy/documents.js';
import type { PolicyDocument } from '../../../policy/types.js';
import { assertPolicyUsable, type PublicAccessBlock } from '../public-access.js';
import type { CheckResult } from './types.js';

/** Above this share of a limit, the check warns: a few more onboardings fill the document. */
const SIZE_WARNING_SHARE = 0.9;

/** The same refusal PutBucketAccessPolicy makes before its first change, as a check. */
export function publicAccessCheck(documents: PolicyDocument[], bucket: string, block: PublicAccessBlock, crossAccount: boolean): CheckResult {
  const settings = `BlockPublicPolicy ${block.blockPublicPolicy ? 'on' : 'off'}, RestrictPublicBuckets ${block.restrictPublicBuckets ? 'on' : 'off'}`;
  try {
    for (const document of documents) assertPolicyUsable(document, bucket, block, crossAccount);
  } catch (e) {
    if (e instanceof OnboardingError) return { name: 'blockPublicAccess', status: 'fail', detail: e.message };
    throw e;
  }
  return { name: 'blockPublicAccess', status: 'pass', detail: `${settings}: the planned bucket policy is usable (not public, or nothing blocks it)` };
}

export function sizeCheck(what: string, documents: PolicyDocument[], limit: number): CheckResult {
  const bytes = Math.max(...documents.map(policyBytes));
  const name = `policySize:${what}`;
  const detail = `the ${what} policy would be ${bytes} of ${limit} bytes`;
  if (bytes > limit) return { name, status: 'fail', detail: `${detail}: over the limit; remove unused statements from it` };
  if (bytes > limit * SIZE_WARNING_SHARE) return { name, status: 'warn', detail: `${detail}: over ${SIZE_WARNING_SHARE * 100}% of the limit` };
  return { name, status: 'pass', detail };
}
