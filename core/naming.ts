// Every identifier a step writes is derived from the request id, so a step that runs twice
// finds its own earlier work instead of adding a second copy, and rollback removes only
// what this request added.
import { createHash } from 'node:crypto';
import type { OnboardingRequest } from './request.js';
import { partitionOf } from './partition.js';

export const TAG_REQUEST_ID = 'fsx-onboard:request-id';
export const TAG_MANAGED_BY = 'fsx-onboard:managed-by';
export const SERVICE_LINKED_ROLE_PATH = '/aws-service-role/s3.data-source.lustre.fsx.amazonaws.com/';
export const SERVICE_LINKED_ROLE_PREFIX = 'AWSServiceRoleForFSxS3Access_';
/** Operations of the grant, as the blog's create-grant command lists them. */
export const GRANT_OPERATIONS = [
  'Decrypt',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'CreateGrant',
  'DescribeKey',
  'ReEncryptFrom',
  'ReEncryptTo',
] as const;
/**
 * What FSx does with a file system's own customer managed key, with the creator's credentials
 * through fsx.<region>.amazonaws.com (FSx for Lustre User Guide, "How Amazon FSx for Lustre
 * uses AWS KMS"): the key policy and the file-system role must both allow these.
 */
export const FILE_SYSTEM_KEY_OPERATIONS = ['CreateGrant', 'Decrypt', 'GenerateDataKeyWithoutPlaintext', 'DescribeKey'] as const;

export interface OnboardingNames {
  /** Sid stem: IAM Sids allow only letters and digits. */
  sid: string;
  bucketAccessSid: string;
  bucketObjectAccessSid: string;
  keyUseSid: string;
  grantName: string;
  fileSystemToken: string;
  dataRepositoryAssociationToken: string;
  exportTaskToken: string;
  canaryFileName: string;
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 10);
}

export function namesFor(requestId: string): OnboardingNames {
  const alnum = requestId.replace(/[^A-Za-z0-9]/g, '');
  // The hash keeps two ids that differ only in "-"/"_" apart after stripping.
  const stem = `FsxOnboard${alnum.slice(0, 40)}${shortHash(requestId)}`;
  // ClientRequestToken allows at most 63 characters.
  const token = (suffix: string) => `fsxo-${requestId.slice(0, 40)}-${shortHash(requestId).slice(0, 6)}-${suffix}`.slice(0, 63);
  return {
    sid: stem,
    bucketAccessSid: `${stem}Bucket`,
    bucketObjectAccessSid: `${stem}Objects`,
    keyUseSid: `${stem}KeyUse`,
    grantName: `fsx-onboard-${requestId}`,
    fileSystemToken: token('fs'),
    dataRepositoryAssociationToken: token('dra'),
    exportTaskToken: token('export'),
    canaryFileName: `.fsx-onboard-canary-${requestId}`,
  };
}

/** Parameter Store hierarchy of the write-ahead change records (the default encryption before each request). */
export const CHANGE_RECORD_ROOT = '/fsx-onboard/change-records';

/**
 * The change records of one bucket share a level of the hierarchy, so a rollback finds the other
 * onboardings that still rely on the bucket's default encryption with one GetParametersByPath.
 */
export function changeRecordPath(bucket: string): string {
  return `${CHANGE_RECORD_ROOT}/${bucket}`;
}

/** Where SetDefaultEncryption records, before changing it, the default encryption `bucket` had. */
export function changeRecordParameter(requestId: string, bucket: string): string {
  return `${changeRecordPath(bucket)}/${requestId}`;
}

/**
 * The default encryption a bucket had before the first onboarding that changed it, kept here when
 * that onboarding goes while others still rely on the change. A request id cannot start with ".".
 */
export function originalEncryptionParameter(bucket: string): string {
  return `${changeRecordPath(bucket)}/.original`;
}

/** Parameter Store hierarchy of the reliance records of shared statements (bucket.access "file-systems-of-account"). */
export const RELIANCE_RECORD_ROOT = '/fsx-onboard/shared';

/** The statement groups that onboardings share: one in the bucket policy, one in the key policy. */
export interface SharedPieces {
  /** Sid stem of the bucket statements of this (file-system account, bucket, prefix). */
  bucket: string;
  /** Sid stem of the key statements of this (file-system account, bucket account, bucket, prefix, key). */
  key: string;
}

/**
 * With bucket.access "file-systems-of-account" the statements do not name the request: every
 * onboarding of account A on the same bucket prefix (and key) writes the same statements under
 * the same Sids, so they are shared, and their size does not grow with the number of file systems.
 */
export function sharedPiecesFor(request: OnboardingRequest, keyAccountId: string): SharedPieces | undefined {
  if (request.bucket.access !== 'file-systems-of-account') return undefined;
  const a = request.fileSystem.accountId;
  const where = `${request.bucket.name}/${request.bucket.prefix}`;
  return {
    bucket: `FsxOnboardShared${shortHash(`bucket|${a}|${where}`)}`,
    key: `FsxOnboardShared${shortHash(`key|${a}|${request.bucket.accountId}|${where}|${request.key.arn}|${keyAccountId}`)}`,
  };
}

/** A link's names, with the shared Sids when its statements are shared. */
export function withSharedSids(names: OnboardingNames, shared: SharedPieces | undefined): OnboardingNames {
  if (!shared) return names;
  return {
    ...names,
    sid: shared.key,
    bucketAccessSid: `${shared.bucket}Bucket`,
    bucketObjectAccessSid: `${shared.bucket}Objects`,
    keyUseSid: `${shared.key}KeyUse`,
  };
}

/** Where one request's reliance on a shared statement group is recorded. */
export function relianceRecordParameter(piece: string, requestId: string): string {
  return `${RELIANCE_RECORD_ROOT}/${piece}/${requestId}`;
}

/**
 * The names of the link of `repositories[index]`. The first repository keeps the request's own
 * names (so a single-bucket request, and every execution made before `repositories`, finds its
 * statements, grant, association and records again); each other one gets its own Sids, grant
 * name, tokens and canary (its change record is under its own bucket), marked with a character no requestId contains (".",
 * ":") or, in Sids (letters and digits only), after the fixed-length hash. The file system
 * token is the request's: one file system carries every link.
 */
export function linkNamesFor(requestId: string, index: number): OnboardingNames {
  const base = namesFor(requestId);
  if (index === 0) return base;
  const stem = `${base.sid}R${index}`;
  const suffix = `-r${index}`;
  const token = (t: string) => `${t.slice(0, 63 - suffix.length)}${suffix}`;
  return {
    sid: stem,
    bucketAccessSid: `${stem}Bucket`,
    bucketObjectAccessSid: `${stem}Objects`,
    keyUseSid: `${stem}KeyUse`,
    grantName: `${base.grantName}:r${index}`,
    fileSystemToken: base.fileSystemToken,
    dataRepositoryAssociationToken: token(base.dataRepositoryAssociationToken),
    exportTaskToken: token(base.exportTaskToken),
    canaryFileName: `${base.canaryFileName}.r${index}`,
  };
}

/** Start of every STS session name and source identity the steps use (target roles' trust requires it). */
export const SESSION_NAME_PREFIX = 'fsx-onboard-';

/**
 * The RoleSessionName and SourceIdentity of a request's sessions, so CloudTrail ties each change
 * to its request: `fsx-onboard-<requestId>`, within STS's 2-64 characters of [\w+=,.@-] (a
 * longer id keeps its start and a hash, so two long ids stay apart).
 */
export function sessionNameFor(requestId: string): string {
  const name = `${SESSION_NAME_PREFIX}${requestId}`.replace(/[^\w+=,.@-]/g, '-');
  return name.length <= 64 ? name : `${name.slice(0, 53)}-${shortHash(requestId)}`;
}

export function serviceLinkedRoleName(fileSystemId: string): string {
  return `${SERVICE_LINKED_ROLE_PREFIX}${fileSystemId}`;
}

export function serviceLinkedRoleArn(partition: string, accountId: string, fileSystemId: string): string {
  return `arn:${partition}:iam::${accountId}:role${SERVICE_LINKED_ROLE_PATH}${serviceLinkedRoleName(fileSystemId)}`;
}

/** Matches the FSx S3-access SLR of any file system in the account: usable before the SLR exists. */
export function serviceLinkedRoleArnPattern(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:role${SERVICE_LINKED_ROLE_PATH}${SERVICE_LINKED_ROLE_PREFIX}fs-*`;
}

export function bucketArn(request: OnboardingRequest): string {
  return `arn:${partitionOf(request.region)}:s3:::${request.bucket.name}`;
}

/** Object ARN pattern of the linked prefix. */
export function prefixObjectsArn(request: OnboardingRequest): string {
  return `arn:${partitionOf(request.region)}:s3:::${request.bucket.name}/${request.bucket.prefix}*`;
}

export function dataRepositoryPath(request: OnboardingRequest): string {
  return `s3://${request.bucket.name}/${request.bucket.prefix}`;
}
