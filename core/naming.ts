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
  /** Parameter Store name of the write-ahead change record (previous encryption). */
  changeRecordParameter: string;
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
    changeRecordParameter: `/fsx-onboard/change-records/${requestId}`,
    canaryFileName: `.fsx-onboard-canary-${requestId}`,
  };
}

/**
 * The names of the link of `repositories[index]`. The first repository keeps the request's own
 * names (so a single-bucket request, and every execution made before `repositories`, finds its
 * statements, grant, association and records again); each other one gets its own Sids, grant
 * name, tokens, change record and canary, marked with a character no requestId contains (".",
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
    changeRecordParameter: `${base.changeRecordParameter}.r${index}`,
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
