// S3 bucket configuration: policy (validated by s3-policy-validation.ts, gated by Block Public
// Access), default encryption (SSE-S3 when none is set), Block Public Access, location. Access =
// bucket policy + the requester's identity policies; bucket-policy calls also require the bucket
// owner's account (else 405).
import type { PolicyDocument } from '../../policy/types.js';
import { policyAsRead } from '../identity.js';
import { SimError } from '../errors.js';
import type { Call, Sim } from '../sim.js';
import type { BucketState, EncryptionRule } from '../state.js';
import { validateBucketPolicy } from './s3-policy-validation.js';
import {
  assertPolicyAllowedByBlockPublicAccess,
  effectiveBucketPolicy,
  publicAccessBlockInput,
  publicAccessBlockOf,
  publicAccessBlockOutput,
} from './s3-public-access.js';
import type { ServiceModel } from './types.js';

export { BUCKET_POLICY_MAX_BYTES } from './s3-policy-validation.js';
export const DEFAULT_ENCRYPTION: EncryptionRule = { sseAlgorithm: 'AES256', bucketKeyEnabled: false };

/** The bucket policy as S3 authorises with it (RestrictPublicBuckets applied); GetBucketPolicy returns the stored text. */
export function bucketPolicyOf(bucket: BucketState): PolicyDocument | undefined {
  return effectiveBucketPolicy(bucket, bucket.policy ? (JSON.parse(bucket.policy) as PolicyDocument) : undefined);
}

export function findBucket(sim: Sim, name: string, region: string, options: { anyRegion?: boolean } = {}): BucketState {
  const bucket = sim.state.buckets[name];
  if (!bucket) throw new SimError('NoSuchBucket', 'The specified bucket does not exist', 404);
  if (!options.anyRegion && bucket.region !== region) {
    throw new SimError(
      'PermanentRedirect',
      'The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.',
      301,
    );
  }
  return bucket;
}

/** Looks the bucket up for a bucket-level call and authorises it. */
export function bucketFor(
  call: Call,
  action: string,
  options: { ownerOnly?: boolean; anyRegion?: boolean; context?: Record<string, string> } = {},
): BucketState {
  const bucket = findBucket(call.sim, String(call.input.Bucket ?? ''), call.region, options);
  const arn = `arn:aws:s3:::${bucket.name}`;
  call.resources.push({ ARN: arn, accountId: bucket.account, type: 'AWS::S3::Bucket' });
  call.resourceAccount = bucket.account;
  call.sim.authorize(
    's3',
    call.caller,
    { action, resource: arn, resourceAccount: bucket.account, ...(options.context ? { context: options.context } : {}) },
    { resourcePolicy: bucketPolicyOf(bucket) },
  );
  if (options.ownerOnly && call.caller.account !== bucket.account)
    throw new SimError('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405);
  return bucket;
}

function encryptionOutput(rule: EncryptionRule) {
  return {
    ServerSideEncryptionConfiguration: {
      Rules: [
        {
          ApplyServerSideEncryptionByDefault: { SSEAlgorithm: rule.sseAlgorithm, ...(rule.kmsMasterKeyId ? { KMSMasterKeyID: rule.kmsMasterKeyId } : {}) },
          BucketKeyEnabled: rule.bucketKeyEnabled,
        },
      ],
    },
  };
}

export const s3Buckets: ServiceModel = {
  GetBucketLocation(call) {
    const bucket = bucketFor(call, 's3:GetBucketLocation', { anyRegion: true });
    // us-east-1 buckets report an empty LocationConstraint.
    return bucket.region === 'us-east-1' ? {} : { LocationConstraint: bucket.region };
  },

  GetBucketPolicy(call) {
    const bucket = bucketFor(call, 's3:GetBucketPolicy', { ownerOnly: true });
    if (!bucket.policy) throw new SimError('NoSuchBucketPolicy', 'The bucket policy does not exist', 404);
    return { Policy: policyAsRead(call.sim.state, bucket.policy) };
  },

  PutBucketPolicy(call) {
    const bucket = bucketFor(call, 's3:PutBucketPolicy', { ownerOnly: true });
    const text = String(call.input.Policy ?? '');
    const document = validateBucketPolicy(call.sim, bucket, text);
    // Block Public Access judges the policy as it would be stored, not the change.
    assertPolicyAllowedByBlockPublicAccess(bucket, document, call.caller);
    bucket.policy = text;
    return {};
  },

  DeleteBucketPolicy(call) {
    const bucket = bucketFor(call, 's3:DeleteBucketPolicy', { ownerOnly: true });
    delete bucket.policy;
    return {};
  },

  GetPublicAccessBlock(call) {
    const bucket = bucketFor(call, 's3:GetBucketPublicAccessBlock');
    const config = publicAccessBlockOf(bucket);
    if (!config) throw new SimError('NoSuchPublicAccessBlockConfiguration', 'The public access block configuration was not found', 404);
    return publicAccessBlockOutput(config);
  },

  PutPublicAccessBlock(call) {
    const bucket = bucketFor(call, 's3:PutBucketPublicAccessBlock');
    bucket.publicAccessBlock = publicAccessBlockInput(call.input);
    return {};
  },

  DeletePublicAccessBlock(call) {
    // S3 authorises the deletion as s3:PutBucketPublicAccessBlock.
    const bucket = bucketFor(call, 's3:PutBucketPublicAccessBlock');
    bucket.publicAccessBlock = null;
    return {};
  },

  GetBucketEncryption(call) {
    const bucket = bucketFor(call, 's3:GetEncryptionConfiguration');
    return encryptionOutput(bucket.encryption ?? DEFAULT_ENCRYPTION);
  },

  PutBucketEncryption(call) {
    const bucket = bucketFor(call, 's3:PutEncryptionConfiguration');
    const rules = (call.input.ServerSideEncryptionConfiguration?.Rules ?? []) as {
      ApplyServerSideEncryptionByDefault?: { SSEAlgorithm?: string; KMSMasterKeyID?: string };
      BucketKeyEnabled?: boolean;
    }[];
    const rule = rules[0];
    const algorithm = rule?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm;
    if (rules.length !== 1 || !algorithm || !['AES256', 'aws:kms', 'aws:kms:dsse'].includes(algorithm)) {
      throw new SimError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
    }
    const keyId = rule.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID;
    if (keyId && algorithm === 'AES256')
      throw new SimError('InvalidArgument', 'a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse');
    bucket.encryption = {
      sseAlgorithm: algorithm as EncryptionRule['sseAlgorithm'],
      ...(keyId ? { kmsMasterKeyId: keyId } : {}),
      bucketKeyEnabled: !!rule.BucketKeyEnabled,
    };
    return {};
  },

  DeleteBucketEncryption(call) {
    const bucket = bucketFor(call, 's3:PutEncryptionConfiguration');
    bucket.encryption = null;
    return {};
  },
};
