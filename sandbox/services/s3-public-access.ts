// S3 Block Public Access on a bucket (S3 User Guide, "Blocking public access to your Amazon S3
// storage"; S3 API reference, PublicAccessBlockConfiguration). New buckets have all four settings
// on since April 2023. Modelled: BlockPublicPolicy refuses a PutBucketPolicy whose resulting
// policy is public; RestrictPublicBuckets lets only AWS service principals and the owner's
// account use a public policy. The ACL settings are stored and reported (ACLs are not modelled).
import { evaluatePublicPolicy } from '../../policy/public-policy.js';
import type { PolicyDocument, PolicyStatement } from '../../policy/types.js';
import { SimError } from '../errors.js';
import type { Caller } from '../identity.js';
import type { BucketState, PublicAccessBlockState } from '../state.js';

const ALL_BLOCKED: PublicAccessBlockState = { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true };

/** The bucket's configuration; null when it has none (deleted), which blocks nothing. */
export function publicAccessBlockOf(bucket: Pick<BucketState, 'publicAccessBlock'>): PublicAccessBlockState | null {
  return bucket.publicAccessBlock === undefined ? { ...ALL_BLOCKED } : bucket.publicAccessBlock;
}

/** BlockPublicPolicy: 403 AccessDenied for a put whose policy is public, in S3's wording. */
export function assertPolicyAllowedByBlockPublicAccess(bucket: BucketState, document: PolicyDocument, caller: Caller): void {
  if (!publicAccessBlockOf(bucket)?.blockPublicPolicy) return;
  const verdict = evaluatePublicPolicy(document);
  if (!verdict.isPublic) return;
  throw new SimError(
    'AccessDenied',
    `User: ${caller.sessionArn} is not authorized to perform: s3:PutBucketPolicy on resource: "arn:aws:s3:::${bucket.name}" because public policies are blocked by the BlockPublicPolicy block public access setting.`,
    403,
  );
}

// Every variant spelling of the key, so the added condition never overwrites one the statement
// already has: keys are case-insensitive, so each spelling is the same key to the evaluator.
const ACCOUNT_KEY_SPELLINGS = ['aws:PrincipalAccount', 'AWS:PrincipalAccount', 'aws:principalaccount', 'AWS:PRINCIPALACCOUNT'];

/** An Allow that only principals of `owner` or AWS services (which carry no aws:PrincipalAccount) can use. */
function ownerOrServiceOnly(statement: PolicyStatement, owner: string): PolicyStatement {
  const condition = { ...(statement.Condition ?? {}) };
  const block = { ...(condition['StringEqualsIfExists'] ?? {}) };
  const key = ACCOUNT_KEY_SPELLINGS.find((k) => !(k in block)) ?? ACCOUNT_KEY_SPELLINGS[0]!;
  block[key] = owner;
  condition['StringEqualsIfExists'] = block;
  return { ...statement, Condition: condition };
}

/**
 * The bucket policy as S3 applies it. With RestrictPublicBuckets on and a public policy, "public
 * and cross-account access within any public bucket policy, including non-public delegation to
 * specific accounts, is blocked": every Allow is limited to the owner's account and AWS service
 * principals. Deny statements apply as written.
 */
export function effectiveBucketPolicy(bucket: BucketState, document: PolicyDocument | undefined): PolicyDocument | undefined {
  if (!document || !publicAccessBlockOf(bucket)?.restrictPublicBuckets || !evaluatePublicPolicy(document).isPublic) return document;
  return { ...document, Statement: document.Statement.map((s) => (s.Effect === 'Allow' ? ownerOrServiceOnly(s, bucket.account) : s)) };
}

/** PublicAccessBlockConfiguration as the API reports it. */
export function publicAccessBlockOutput(config: PublicAccessBlockState) {
  return {
    PublicAccessBlockConfiguration: {
      BlockPublicAcls: config.blockPublicAcls,
      IgnorePublicAcls: config.ignorePublicAcls,
      BlockPublicPolicy: config.blockPublicPolicy,
      RestrictPublicBuckets: config.restrictPublicBuckets,
    },
  };
}

/** PutPublicAccessBlock input: a setting left out is false, as on S3. */
export function publicAccessBlockInput(input: unknown): PublicAccessBlockState {
  const config = (input as { PublicAccessBlockConfiguration?: Record<string, unknown> }).PublicAccessBlockConfiguration;
  if (!config || typeof config !== 'object') {
    throw new SimError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
  }
  return {
    blockPublicAcls: config['BlockPublicAcls'] === true,
    ignorePublicAcls: config['IgnorePublicAcls'] === true,
    blockPublicPolicy: config['BlockPublicPolicy'] === true,
    restrictPublicBuckets: config['RestrictPublicBuckets'] === true,
  };
}
