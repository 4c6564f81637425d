// The S3 actions a bucket policy may name, with the resource type each applies to (Service
// Authorization Reference, "Actions defined by Amazon S3"). Not the whole catalogue: the actions
// this project, its tests and common bucket policies use. S3 refuses an action it does not know
// ("Policy has invalid action") and a statement none of whose actions applies to its resources
// ("Action does not apply to any resource(s) in statement"); both checks read this table.
import { actionMatches, asList } from './matching.js';
import type { PolicyStatement } from './types.js';

/** `bucket`: `arn:aws:s3:::bucket`; `object`: `arn:aws:s3:::bucket/key`; `account`: no bucket resource. */
export type S3ResourceType = 'bucket' | 'object' | 'account';

const OBJECT_ACTIONS = [
  'AbortMultipartUpload',
  'BypassGovernanceRetention',
  'DeleteObject',
  'DeleteObjectTagging',
  'DeleteObjectVersion',
  'DeleteObjectVersionTagging',
  'GetObject',
  'GetObjectAcl',
  'GetObjectAttributes',
  'GetObjectLegalHold',
  'GetObjectRetention',
  'GetObjectTagging',
  'GetObjectTorrent',
  'GetObjectVersion',
  'GetObjectVersionAcl',
  'GetObjectVersionAttributes',
  'GetObjectVersionForReplication',
  'GetObjectVersionTagging',
  'GetObjectVersionTorrent',
  'ListMultipartUploadParts',
  'ObjectOwnerOverrideToBucketOwner',
  'PutObject',
  'PutObjectAcl',
  'PutObjectLegalHold',
  'PutObjectRetention',
  'PutObjectTagging',
  'PutObjectVersionAcl',
  'PutObjectVersionTagging',
  'ReplicateDelete',
  'ReplicateObject',
  'ReplicateTags',
  'RestoreObject',
];

const BUCKET_ACTIONS = [
  'CreateBucket',
  'DeleteBucket',
  'DeleteBucketOwnershipControls',
  'DeleteBucketPolicy',
  'DeleteBucketWebsite',
  'GetAccelerateConfiguration',
  'GetAnalyticsConfiguration',
  'GetBucketAcl',
  'GetBucketCORS',
  'GetBucketLocation',
  'GetBucketLogging',
  'GetBucketNotification',
  'GetBucketObjectLockConfiguration',
  'GetBucketOwnershipControls',
  'GetBucketPolicy',
  'GetBucketPolicyStatus',
  'GetBucketPublicAccessBlock',
  'GetBucketRequestPayment',
  'GetBucketTagging',
  'GetBucketVersioning',
  'GetBucketWebsite',
  'GetEncryptionConfiguration',
  'GetIntelligentTieringConfiguration',
  'GetInventoryConfiguration',
  'GetLifecycleConfiguration',
  'GetMetricsConfiguration',
  'GetReplicationConfiguration',
  'ListBucket',
  'ListBucketMultipartUploads',
  'ListBucketVersions',
  'PutAccelerateConfiguration',
  'PutAnalyticsConfiguration',
  'PutBucketAcl',
  'PutBucketCORS',
  'PutBucketLogging',
  'PutBucketNotification',
  'PutBucketObjectLockConfiguration',
  'PutBucketOwnershipControls',
  'PutBucketPolicy',
  'PutBucketPublicAccessBlock',
  'PutBucketRequestPayment',
  'PutBucketTagging',
  'PutBucketVersioning',
  'PutBucketWebsite',
  'PutEncryptionConfiguration',
  'PutIntelligentTieringConfiguration',
  'PutInventoryConfiguration',
  'PutLifecycleConfiguration',
  'PutMetricsConfiguration',
  'PutReplicationConfiguration',
];

// Account-level actions exist, but apply to no bucket or object: in a bucket policy they apply to nothing.
const ACCOUNT_ACTIONS = ['GetAccountPublicAccessBlock', 'ListAllMyBuckets', 'PutAccountPublicAccessBlock'];

export const S3_ACTIONS: ReadonlyMap<string, S3ResourceType> = new Map([
  ...OBJECT_ACTIONS.map((a) => [`s3:${a}`, 'object'] as const),
  ...BUCKET_ACTIONS.map((a) => [`s3:${a}`, 'bucket'] as const),
  ...ACCOUNT_ACTIONS.map((a) => [`s3:${a}`, 'account'] as const),
]);

/** The known S3 actions a pattern (`s3:Get*`, `*`, `s3:GetObject`) names; case-insensitive. */
export function knownActionsMatching(pattern: string): string[] {
  let known = knownByPattern.get(pattern);
  if (!known) {
    known = [...S3_ACTIONS.keys()].filter((action) => actionMatches(pattern, action));
    knownByPattern.set(pattern, known);
  }
  return known;
}

/** Patterns come from a handful of policies, and S3_ACTIONS never changes. */
const knownByPattern = new Map<string, string[]>();

/** The known S3 actions a statement grants or denies (through Action or NotAction). */
export function statementS3Actions(statement: PolicyStatement): string[] {
  if (statement.Action !== undefined) return [...new Set(asList(statement.Action).flatMap(knownActionsMatching))];
  const excluded = asList(statement.NotAction);
  return [...S3_ACTIONS.keys()].filter((action) => !excluded.some((p) => actionMatches(p, action)));
}
