// The statements the steps write into other teams' resource policies, and the pure edits
// on those documents: merge ours by Sid, remove ours by Sid, narrow ours to the SLR. Neither
// PutBucketPolicy nor PutKeyPolicy has a version precondition, so every edit touches only
// the statements whose Sid this request owns and keeps everyone else's as they were.
import { OnboardingError, ErrorNames } from '../core/errors.js';
import type { OnboardingNames } from '../core/naming.js';
import { bucketArn, GRANT_OPERATIONS, prefixObjectsArn, serviceLinkedRoleArnPattern } from '../core/naming.js';
import { legacyLinkedTypes } from '../core/deployment-types.js';
import type { OnboardingRequest } from '../core/request.js';
import type { PolicyDocument, PolicyStatement } from './types.js';
import { partitionOf } from '../core/partition.js';

/** S3 bucket policies are limited to 20 KB. */
export const BUCKET_POLICY_MAX_BYTES = 20 * 1024;
/** KMS key policies are limited to 32 KB (not adjustable). */
export const KEY_POLICY_MAX_BYTES = 32 * 1024;

const BUCKET_ACTIONS = ['s3:GetBucketLocation', 's3:ListBucket', 's3:GetBucketAcl'];
/**
 * Auto-import works through an S3 event notification named `FSx` that FSx configures on the
 * bucket as the SLR: AWS's cross-account walkthrough grants it these on the bucket.
 */
const AUTO_IMPORT_BUCKET_ACTIONS = ['s3:Get*', 's3:List*', 's3:PutBucketNotification'];
const OBJECT_ACTIONS = ['s3:Get*', 's3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'];
const KEY_USE_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'];

/** The SLR's fixed permissions (AWS-managed, not editable): no KMS. */
export const SERVICE_LINKED_ROLE_POLICY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      // PutBucketNotification: sandbox assumption (docs/sandbox.md), as auto-import works across accounts.
      Action: ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:PutObject', 's3:Get*', 's3:List*', 's3:PutBucketNotification'],
      Resource: '*',
    },
  ],
};

/**
 * Who the bucket statements allow. Before the SLR exists it can only be matched by pattern,
 * together with the role that creates the DRA, because FSx validates S3 access with the caller's
 * credentials. Once the SLR exists, S3 accepts its exact ARN as Principal. Both forms are
 * non-public by S3's rule (policy/public-policy.ts), which Block Public Access requires: the
 * pattern form names account A's root as a fixed Principal and narrows it with the
 * aws:PrincipalArn pattern (the blog's Principal "*" with only that pattern is public).
 */
export type BucketPrincipals =
  | { kind: 'pattern'; fileSystemAccountId: string; fileSystemRoleArn: string }
  | { kind: 'serviceLinkedRole'; serviceLinkedRoleArn: string };

/** Whether FSx will auto-import, and so configure the bucket's `FSx` notification (legacy types always do here). */
function autoImports(request: OnboardingRequest): boolean {
  return legacyLinkedTypes.includes(request.fileSystem.deploymentType) || request.dataRepository.autoImportEvents.length > 0;
}

export function bucketStatements(request: OnboardingRequest, names: OnboardingNames, principals: BucketPrincipals): PolicyStatement[] {
  const who: Pick<PolicyStatement, 'Principal' | 'Condition'> =
    principals.kind === 'pattern'
      ? {
          Principal: { AWS: `arn:${partitionOf(request.region)}:iam::${principals.fileSystemAccountId}:root` },
          Condition: {
            ArnLike: {
              'aws:PrincipalArn': [serviceLinkedRoleArnPattern(partitionOf(request.region), principals.fileSystemAccountId), principals.fileSystemRoleArn],
            },
          },
        }
      : { Principal: { AWS: principals.serviceLinkedRoleArn } };
  const statement = (Sid: string, Action: string[], Resource: string): PolicyStatement => ({
    Sid,
    Effect: 'Allow',
    ...who,
    Action,
    Resource,
  });
  return [
    statement(names.bucketAccessSid, [...(autoImports(request) ? AUTO_IMPORT_BUCKET_ACTIONS : BUCKET_ACTIONS)], bucketArn(request)),
    statement(names.bucketObjectAccessSid, [...OBJECT_ACTIONS], prefixObjectsArn(request)),
  ];
}

/**
 * The blog's "Allow use of the key" statement for accounts A and B, usable only through S3
 * and only for this bucket prefix. With S3 Bucket Keys, KMS sees the bucket ARN as
 * encryption context instead of the object ARN, so both are allowed then.
 */
export function keyUseStatement(request: OnboardingRequest, names: OnboardingNames): PolicyStatement {
  const a = request.fileSystem.accountId;
  const b = request.bucket.accountId;
  const accounts = a === b ? [a] : [a, b];
  const contexts = [prefixObjectsArn(request)];
  if (request.bucket.bucketKeyEnabled) contexts.push(bucketArn(request));
  return {
    Sid: names.keyUseSid,
    Effect: 'Allow',
    Principal: { AWS: accounts.map((acct) => `arn:${partitionOf(request.region)}:iam::${acct}:root`) },
    Action: [...KEY_USE_ACTIONS],
    Resource: request.key.arn,
    Condition: {
      StringEquals: { 'kms:ViaService': `s3.${request.region}.amazonaws.com`, 'kms:CallerAccount': accounts },
      StringLike: { 'kms:EncryptionContext:aws:s3:arn': contexts },
    },
  };
}

/** Sids of the grant statements on a key; derived here so every key of a request gets the same two. */
export function keyGrantSids(names: OnboardingNames): { createGrant: string; manageGrants: string } {
  return { createGrant: `${names.sid}CreateGrant`, manageGrants: `${names.sid}ManageGrants` };
}

/**
 * The blog's "Allow IAM identity to perform KMS Grant operations" statement, for the file-system
 * role of account A: the FSx Lustre User Guide requires the SLR's grant to be created from the
 * file system's account. Split in two because kms:GranteePrincipal and kms:GrantOperations exist
 * only on CreateGrant requests (a StringLike on a missing key never matches): CreateGrant only to
 * an FSx S3-access SLR of account A with the blog's operations; ListGrants and RevokeGrant (how
 * the steps find and roll back their grant by name) unconditioned, on this key only.
 */
function keyGrantStatements(request: OnboardingRequest, names: OnboardingNames, fileSystemRoleArn: string, keyArn: string): PolicyStatement[] {
  const sids = keyGrantSids(names);
  const Principal = { AWS: fileSystemRoleArn };
  return [
    {
      Sid: sids.createGrant,
      Effect: 'Allow',
      Principal,
      Action: 'kms:CreateGrant',
      Resource: keyArn,
      Condition: {
        StringLike: { 'kms:GranteePrincipal': serviceLinkedRoleArnPattern(partitionOf(request.region), request.fileSystem.accountId) },
        'ForAllValues:StringEquals': { 'kms:GrantOperations': [...GRANT_OPERATIONS] },
      },
    },
    { Sid: sids.manageGrants, Effect: 'Allow', Principal, Action: ['kms:ListGrants', 'kms:RevokeGrant'], Resource: keyArn },
  ];
}

/** Every statement ShareKey writes into the request's key policy (and UnshareKey removes). */
export function keyStatements(request: OnboardingRequest, names: OnboardingNames, fileSystemRoleArn: string): PolicyStatement[] {
  return [keyUseStatement(request, names), ...keyGrantStatements(request, names, fileSystemRoleArn, request.key.arn)];
}

export function keyStatementSids(names: OnboardingNames): string[] {
  const sids = keyGrantSids(names);
  return [names.keyUseSid, sids.createGrant, sids.manageGrants];
}

export function emptyPolicy(): PolicyDocument {
  return { Version: '2012-10-17', Statement: [] };
}

/** Parses a policy as AWS returns it; a single statement object becomes a list. */
export function parsePolicy(text: string | undefined): PolicyDocument {
  if (!text) return emptyPolicy();
  const parsed = JSON.parse(text) as { Statement?: PolicyStatement | PolicyStatement[] } & Omit<PolicyDocument, 'Statement'>;
  const statements = parsed.Statement === undefined ? [] : Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
  return { ...parsed, Statement: statements };
}

export function serializePolicy(document: PolicyDocument): string {
  return JSON.stringify(document);
}

/** Replaces statements with our Sids in place, appends the missing ones; others stay untouched and in order. */
export function mergeStatements(document: PolicyDocument, ours: PolicyStatement[]): PolicyDocument {
  const bySid = new Map(ours.map((s) => [s.Sid, s]));
  const placed = new Set<string>();
  const statements: PolicyStatement[] = [];
  for (const s of document.Statement) {
    const replacement = s.Sid === undefined ? undefined : bySid.get(s.Sid);
    if (!replacement) statements.push(s);
    else if (!placed.has(s.Sid!)) {
      // A duplicate of our Sid (a half-applied earlier edit) is dropped, not kept twice.
      placed.add(s.Sid!);
      statements.push(replacement);
    }
  }
  for (const s of ours) if (s.Sid !== undefined && !placed.has(s.Sid)) statements.push(s);
  return { ...document, Version: document.Version ?? '2012-10-17', Statement: statements };
}

/** Removes the statements whose Sid is listed; reports how many went. */
export function removeStatements(document: PolicyDocument, sids: readonly string[]): { document: PolicyDocument; removed: number } {
  const drop = new Set(sids);
  const statements = document.Statement.filter((s) => s.Sid === undefined || !drop.has(s.Sid));
  return { document: { ...document, Statement: statements }, removed: document.Statement.length - statements.length };
}

/** Whether every one of `ours` is present (by Sid) with an equivalent body. */
export function containsStatements(document: PolicyDocument, ours: PolicyStatement[]): boolean {
  return ours.every((s) => {
    const existing = document.Statement.filter((t) => t.Sid === s.Sid);
    return existing.length === 1 && statementsEquivalent(existing[0]!, s);
  });
}

export function findStatement(document: PolicyDocument, sid: string): PolicyStatement | undefined {
  return document.Statement.find((s) => s.Sid === sid);
}

/** The statements of `before` that are not in `after` (same meaning, any Sid): what a write lost. */
export function missingStatements(after: PolicyDocument | undefined, before: readonly PolicyStatement[]): PolicyStatement[] {
  return before.filter((s) => !(after?.Statement ?? []).some((t) => statementsEquivalent(t, s)));
}

/**
 * Compares statements the way AWS treats them: AWS may return a one-element list as a
 * string and reorder list values, neither of which changes the meaning.
 */
function statementsEquivalent(a: PolicyStatement, b: PolicyStatement): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = [...new Set(value.map((v) => JSON.stringify(canonical(v))))].sort();
    return items.length === 1 ? JSON.parse(items[0]!) : items.map((i) => JSON.parse(i));
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

export function policyBytes(document: PolicyDocument): number {
  return Buffer.byteLength(serializePolicy(document), 'utf8');
}

function assertSize(document: PolicyDocument, max: number, what: string): void {
  const bytes = policyBytes(document);
  if (bytes > max) {
    throw new OnboardingError(
      ErrorNames.ResourceConflict,
      `${what} would be ${bytes} bytes with this request's statements, over the ${max}-byte limit; remove unused statements from it and retry`,
    );
  }
}

export function assertBucketPolicySize(document: PolicyDocument, bucket: string): void {
  assertSize(document, BUCKET_POLICY_MAX_BYTES, `The bucket policy of ${bucket}`);
}

export function assertKeyPolicySize(document: PolicyDocument, keyArn: string): void {
  assertSize(document, KEY_POLICY_MAX_BYTES, `The key policy of ${keyArn}`);
}
