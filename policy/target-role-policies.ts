// The least-privilege identity policies of the three target roles and the orchestrator, and
// the target roles' trust policy. The deployment (infra) and the sandbox both build the roles
// from these functions, so a sandbox run proves that the deployed permissions suffice for
// every SDK command the steps send (CONTRACT.md, "Each step: role used → SDK commands").
// Resource-level permissions are used wherever the API has them; `Resource: "*"` appears only
// for APIs that authorise nothing narrower, each with the reason next to it.
import { defaultTargetRoleNames, type TargetRole } from '../core/roles.js';
import { DEFAULT_LOCK_TABLE_NAME } from '../core/resource-locks.js';
import {
  CHANGE_RECORD_ROOT,
  RELIANCE_RECORD_ROOT,
  FILE_SYSTEM_KEY_OPERATIONS,
  GRANT_OPERATIONS,
  SERVICE_LINKED_ROLE_PATH,
  SERVICE_LINKED_ROLE_PREFIX,
  SESSION_NAME_PREFIX,
  TAG_MANAGED_BY,
  namesFor,
} from '../core/naming.js';
import type { PolicyDocument, PolicyStatement } from './types.js';

/** What a deployment knows before any request: `*` where it cannot know an account. */
export interface DeploymentFacts {
  /** Default `aws`. */
  partition?: string;
  /** Region of file systems, buckets and keys (or `*`). */
  region: string;
  /** Accounts of the file systems (A), buckets (B) and keys (C), or `*` when one template serves many. */
  accounts: { fileSystem: string; bucket: string; key: string };
  /** Account of the orchestrator (its Parameter Store change records and its lock table live there). */
  orchestratorAccountId: string;
  /** Name of the orchestrator's DynamoDB lock table (default core/resource-locks.ts DEFAULT_LOCK_TABLE_NAME). */
  lockTableName?: string;
  roleNames?: Partial<Record<TargetRole, string>>;
  /** Bucket names (patterns allowed, e.g. `research-*`) the deployment may onboard. */
  bucketNames: string[];
  /** Exact key ARNs, e.g. `arn:aws:kms:us-east-1:333333333333:key/2a1bae3d-…` (the deployment refuses patterns). */
  keyArns: string[];
  /** The instance tag SendCommand requires (default `fsx-onboard:lustre-client` = `true`). */
  lustreClientTag?: { key: string; value: string };
  /**
   * `bucket/prefix` entries the file systems may link; the file-system role's S3 access to a
   * bucket listed here is limited to those prefixes (to the whole bucket when none is listed).
   */
  linkedPrefixes?: string[];
  /** Keys file systems may be encrypted with at rest (fileSystem.kmsKeyArn); none by default. */
  fileSystemKeyArns?: string[];
}

/** The instance tag a Lustre client must carry before a step may run a command on it. */
export const DEFAULT_LUSTRE_CLIENT_TAG = { key: 'fsx-onboard:lustre-client', value: 'true' } as const;
/** What CreateFileSystem and CreateDataRepositoryAssociation tag with (lambdas/shared/step-support.ts resourceTags). */
const MANAGED_BY_VALUE = 'fsx-onboard';

const statement = (Sid: string, Action: string[], Resource: string | string[], Condition?: PolicyStatement['Condition']): PolicyStatement => ({
  Sid,
  Effect: 'Allow',
  Action,
  Resource,
  ...(Condition ? { Condition } : {}),
});

const document = (...Statement: PolicyStatement[]): PolicyDocument => ({ Version: '2012-10-17', Statement });

const partitionOf = (facts: DeploymentFacts) => facts.partition ?? 'aws';

// Stay in step with the names the steps derive from a request id.
const ANY_REQUEST = namesFor('*');
const CANARY_OBJECT_SUFFIX = `*${ANY_REQUEST.canaryFileName}/*`;
const REPORT_OBJECT_SUFFIX = '*.fsx-onboard-reports/*';

export function targetRoleArn(facts: DeploymentFacts, role: TargetRole): string {
  const name = { ...defaultTargetRoleNames, ...facts.roleNames }[role];
  return `arn:${partitionOf(facts)}:iam::${facts.accounts[role]}:role/${name}`;
}

/** Any FSx S3-access service-linked role in the file-system account(s). */
function serviceLinkedRolePattern(facts: DeploymentFacts): string {
  return `arn:${partitionOf(facts)}:iam::${facts.accounts.fileSystem}:role${SERVICE_LINKED_ROLE_PATH}${SERVICE_LINKED_ROLE_PREFIX}fs-*`;
}

function bucketArns(facts: DeploymentFacts): string[] {
  return facts.bucketNames.map((b) => `arn:${partitionOf(facts)}:s3:::${b}`);
}

function objectArns(facts: DeploymentFacts, suffix = '*'): string[] {
  return facts.bucketNames.map((b) => `arn:${partitionOf(facts)}:s3:::${b}/${suffix}`);
}

/** Objects the file systems may link: the configured prefixes of a bucket, else the whole bucket. */
function linkedObjectArns(facts: DeploymentFacts): string[] {
  const prefixes = facts.linkedPrefixes ?? [];
  return facts.bucketNames.flatMap((b) => {
    const own = prefixes.filter((entry) => entry.slice(0, entry.indexOf('/')) === b);
    return own.length ? own.map((entry) => `arn:${partitionOf(facts)}:s3:::${entry}*`) : [`arn:${partitionOf(facts)}:s3:::${b}/*`];
  });
}

/** Account A: the file system, its data repository association, the SLR check and its KMS grants, the Lustre client. */
export function fileSystemRolePolicy(facts: DeploymentFacts): PolicyDocument {
  const p = partitionOf(facts);
  const acct = facts.accounts.fileSystem;
  const fsx = (type: string) => `arn:${p}:fsx:${facts.region}:${acct}:${type}/*`;
  const tag = facts.lustreClientTag ?? DEFAULT_LUSTRE_CLIENT_TAG;
  return document(
    statement(
      'FsxCreateFileSystemsAndAssociations',
      [
        'fsx:CreateFileSystem',
        'fsx:CreateDataRepositoryAssociation',
        'fsx:CreateDataRepositoryTask',
        // Creating with Tags is authorised a second time as fsx:TagResource.
        'fsx:TagResource',
      ],
      [fsx('file-system'), fsx('association'), fsx('task')],
    ),
    // Deletes only what this tool created: CreateFileSystem and CreateDataRepositoryAssociation
    // tag with fsx-onboard:managed-by, so a rollback can never delete anyone else's resource.
    statement('FsxDeleteOwnResources', ['fsx:DeleteFileSystem', 'fsx:DeleteDataRepositoryAssociation'], [fsx('file-system'), fsx('association')], {
      StringEquals: { [`aws:ResourceTag/${TAG_MANAGED_BY}`]: MANAGED_BY_VALUE },
    }),
    // why "*": the Describe* calls list every file system/association/task of the account and
    // FSx authorises them without a resource ARN.
    statement('FsxDescribe', ['fsx:DescribeFileSystems', 'fsx:DescribeDataRepositoryAssociations', 'fsx:DescribeDataRepositoryTasks'], '*'),
    // Linking S3 (legacy ImportPath or a DRA) creates the per-file-system SLR in the caller's name.
    statement(
      'FsxS3ServiceLinkedRole',
      ['iam:CreateServiceLinkedRole', 'iam:AttachRolePolicy', 'iam:PutRolePolicy', 'iam:GetRole'],
      `arn:${p}:iam::${acct}:role${SERVICE_LINKED_ROLE_PATH}*`,
    ),
    // Polling for the SLR before it exists: IAM authorises GetRole before it says NoSuchEntity, and
    // a role it does not know has no path yet, so the request is for role/<name>.
    statement('FindFsxS3ServiceLinkedRole', ['iam:GetRole'], `arn:${p}:iam::${acct}:role/${SERVICE_LINKED_ROLE_PREFIX}fs-*`),
    // The first file system of an account also creates FSx's own SLR (AWSServiceRoleForAmazonFSx).
    statement('FsxServiceLinkedRole', ['iam:CreateServiceLinkedRole'], `arn:${p}:iam::${acct}:role/aws-service-role/fsx.amazonaws.com/*`, {
      StringEquals: { 'iam:AWSServiceName': 'fsx.amazonaws.com' },
    }),
    // why "*": FSx describes the subnet, VPC, route tables and security groups with the caller's
    // credentials when it creates a file system (AmazonFSxFullAccess grants these, only via FSx);
    // these EC2 reads have no resource-level permissions.
    statement(
      'Ec2ReadsByFsx',
      ['ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups', 'ec2:DescribeVpcs', 'ec2:DescribeRouteTables', 'ec2:GetSecurityGroupsForVpc'],
      '*',
      { 'ForAnyValue:StringEquals': { 'aws:CalledVia': ['fsx.amazonaws.com'] } },
    ),
    // FSx validates S3 access with the caller's credentials before it links the bucket, and its
    // error names exactly these: "s3:Get*, s3:List* and s3:PutObject permissions to the S3 bucket prefix".
    statement('S3AccessValidatedByFsx', ['s3:Get*', 's3:List*', 's3:PutObject'], [...bucketArns(facts), ...linkedObjectArns(facts)]),
    // Only instances carrying the Lustre-client tag: SendCommand with AWS-RunShellScript is a
    // root shell, so the tag is the instance owner's consent (ssm:resourceTag, SSM User Guide).
    statement(
      'LustreClientCommands',
      ['ssm:SendCommand'],
      [`arn:${p}:ec2:${facts.region}:${acct}:instance/*`, `arn:${p}:ssm:${facts.region}:${acct}:managed-instance/*`],
      { StringEquals: { [`ssm:resourceTag/${tag.key}`]: tag.value } },
    ),
    // The document is an AWS-owned resource without tags: no condition can apply to it.
    statement('LustreClientShellDocument', ['ssm:SendCommand'], `arn:${p}:ssm:${facts.region}::document/AWS-RunShellScript`),
    // why "*": GetCommandInvocation has no resource-level permissions.
    statement('LustreClientResults', ['ssm:GetCommandInvocation'], '*'),
    // why "*": `fsx-onboard plan` reads the network and the client's SSM agent directly; these EC2
    // and SSM reads have no resource-level permissions.
    statement('PreflightReads', ['ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups', 'ssm:DescribeInstanceInformation'], '*'),
    // why "*": CheckClientInstance (and plan) read the Lustre client's instance type and whether it
    // encrypts in transit, before any change; DescribeInstances and DescribeInstanceTypes have no
    // resource-level permissions (Service Authorization Reference, Amazon EC2).
    statement('ClientEncryptionInTransit', ['ec2:DescribeInstances', 'ec2:DescribeInstanceTypes'], '*'),
    // why "*": CloudTrail LookupEvents has no resource-level permissions.
    statement('DiagnoseDeniedExport', ['cloudtrail:LookupEvents'], '*'),
    // The SLR's grant must be created from the file system's account (FSx Lustre User Guide). A
    // cross-account call needs this identity side and the key-policy side (ShareKey) alike.
    // CreateGrant only to an FSx S3-access SLR, and only with the blog's operations.
    statement('GrantToFsxServiceLinkedRole', ['kms:CreateGrant'], facts.keyArns, {
      StringLike: { 'kms:GranteePrincipal': serviceLinkedRolePattern(facts) },
      'ForAllValues:StringEquals': { 'kms:GrantOperations': [...GRANT_OPERATIONS] },
    }),
    // Finding the grant by name and revoking it: these requests carry no grantee or operations to scope by.
    statement('FindAndRevokeGrants', ['kms:ListGrants', 'kms:RevokeGrant'], facts.keyArns),
    ...fileSystemKeyStatements(facts),
  );
}

/**
 * A file system encrypted with its own key: FSx uses the key with the creator's credentials,
 * only through FSx; ValidateRequest reads the key and its policy first when the key is in A
 * (GetKeyPolicy works in the key's own account only; a key in C is read by the key role).
 */
function fileSystemKeyStatements(facts: DeploymentFacts): PolicyStatement[] {
  const keys = facts.fileSystemKeyArns ?? [];
  if (keys.length === 0) return [];
  const ownKeys = keys.filter((arn) => arn.split(':')[4] === facts.accounts.fileSystem || facts.accounts.fileSystem === '*');
  return [
    statement(
      'FileSystemKeyThroughFsx',
      FILE_SYSTEM_KEY_OPERATIONS.map((operation) => `kms:${operation}`),
      keys,
      { StringEquals: { 'kms:ViaService': `fsx.${facts.region}.amazonaws.com` } },
    ),
    ...(ownKeys.length ? [statement('CheckFileSystemKey', ['kms:DescribeKey', 'kms:GetKeyPolicy'], ownKeys)] : []),
  ];
}

/** Account B: bucket policy, default encryption, the canary objects. */
export function bucketRolePolicy(facts: DeploymentFacts): PolicyDocument {
  const region = facts.region;
  return document(
    statement(
      'BucketPolicyAndEncryption',
      [
        's3:GetBucketLocation',
        's3:GetBucketPolicy',
        's3:PutBucketPolicy',
        's3:DeleteBucketPolicy',
        // GetBucketEncryption; PutBucketEncryption and DeleteBucketEncryption are both PutEncryptionConfiguration.
        's3:GetEncryptionConfiguration',
        's3:PutEncryptionConfiguration',
        // GetPublicAccessBlock: PutBucketAccessPolicy refuses, before any change, a bucket whose
        // Block Public Access would refuse its policy.
        's3:GetBucketPublicAccessBlock',
      ],
      bucketArns(facts),
    ),
    // ValidateRequest samples the objects under the prefix for their encryption before any
    // change: ListObjectsV2 is s3:ListBucket, HeadObject is s3:GetObject (S3 has no narrower
    // action for metadata). No kms:Decrypt for other keys, so other teams' data stays unreadable.
    statement('SampleObjectEncryption', ['s3:ListBucket', 's3:GetObject'], [...bucketArns(facts), ...objectArns(facts)]),
    // Only the canary objects this tool writes, checks (HeadObject = GetObject) and deletes.
    statement('CanaryObjects', ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'], objectArns(facts, CANARY_OBJECT_SUFFIX)),
    statement('ExportReports', ['s3:GetObject', 's3:DeleteObject'], objectArns(facts, REPORT_OBJECT_SUFFIX)),
    // S3 asks KMS for a data key in the caller's name when it writes the SSE-KMS canary.
    statement('CanaryEncryptionViaS3', ['kms:GenerateDataKey', 'kms:Decrypt'], facts.keyArns, {
      StringLike: { 'kms:ViaService': `s3.${region}.amazonaws.com` },
    }),
  );
}

/** Account C: the key policy (ShareKey, UnshareKey) and the key check. Grants are managed from A. */
export function keyRolePolicy(facts: DeploymentFacts): PolicyDocument {
  // File-system keys of this account are only read (ValidateRequest checks their policy).
  const fileSystemKeys = (facts.fileSystemKeyArns ?? []).filter((arn) => !facts.keyArns.includes(arn) && arn.split(':')[4] === facts.accounts.key);
  return document(
    statement('KeyPolicy', ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:PutKeyPolicy'], facts.keyArns),
    ...(fileSystemKeys.length ? [statement('CheckFileSystemKey', ['kms:DescribeKey', 'kms:GetKeyPolicy'], fileSystemKeys)] : []),
  );
}

export function targetRolePolicies(facts: DeploymentFacts): Record<TargetRole, PolicyDocument> {
  return { fileSystem: fileSystemRolePolicy(facts), bucket: bucketRolePolicy(facts), key: keyRolePolicy(facts) };
}

/**
 * Trust: only the function roles named (those whose step acts through this role), with the
 * external id when the deployment sets one, and only sessions that carry an fsx-onboard source
 * identity (the request id), so CloudTrail ties every change to its request.
 */
export function targetRoleTrustPolicy(functionRoleArns: string[], externalId?: string): PolicyDocument {
  return document({
    Sid: 'TrustFsxOnboardFunctions',
    Effect: 'Allow',
    Principal: { AWS: functionRoleArns.length === 1 ? functionRoleArns[0]! : [...functionRoleArns] },
    Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
    Condition: {
      ...(externalId !== undefined ? { StringEquals: { 'sts:ExternalId': externalId } } : {}),
      StringLike: { 'sts:SourceIdentity': `${SESSION_NAME_PREFIX}*` },
    },
  });
}

/** What one step's function does with its own credentials. */
export interface FunctionAccess {
  /** Target roles the step acts through (sts:AssumeRole on exactly these). */
  targetRoles: readonly TargetRole[];
  /** Its Parameter Store actions on the write-ahead change records (orchestrator's account); none = []. */
  changeRecords: readonly ParameterAction[];
  /** Its Parameter Store actions on the reliance records of shared statements; none = []. */
  relianceRecords: readonly ParameterAction[];
  /** Whether the step edits a shared document under a lock: conditional PutItem and DeleteItem on the lock table. */
  locks?: boolean;
}

/** Only the conditional writes of acquire and release (lambdas/shared/resource-lock.ts); never a read or a scan. */
const LOCK_ACTIONS = ['dynamodb:PutItem', 'dynamodb:DeleteItem'] as const;

/** The lock table in the orchestrator's account. */
function lockTableArn(facts: DeploymentFacts): string {
  return `arn:${partitionOf(facts)}:dynamodb:${facts.region}:${facts.orchestratorAccountId}:table/${facts.lockTableName ?? DEFAULT_LOCK_TABLE_NAME}`;
}

type ParameterAction = 'ssm:GetParameter' | 'ssm:PutParameter' | 'ssm:DeleteParameter' | 'ssm:GetParametersByPath';

/** A step function's own identity policy: assume its target roles; the change records if it keeps them. */
export function functionRolePolicy(facts: DeploymentFacts, access: FunctionAccess): PolicyDocument {
  const p = partitionOf(facts);
  // Parameter ARNs drop the name's leading "/".
  const parameters = (root: string) => `arn:${p}:ssm:${facts.region}:${facts.orchestratorAccountId}:parameter${root}/*`;
  return document(
    // SetSourceIdentity: the sessions carry the request id as source identity; across accounts
    // the caller's identity policy must allow it as well as the trust policy.
    ...(access.targetRoles.length
      ? [statement('AssumeTargetRoles', ['sts:AssumeRole', 'sts:SetSourceIdentity'], [...new Set(access.targetRoles.map((r) => targetRoleArn(facts, r)))])]
      : []),
    ...(access.changeRecords.length ? [statement('ChangeRecords', [...access.changeRecords], parameters(CHANGE_RECORD_ROOT))] : []),
    ...(access.relianceRecords.length ? [statement('RelianceRecords', [...access.relianceRecords], parameters(RELIANCE_RECORD_ROOT))] : []),
    ...(access.locks ? [statement('ResourceLocks', [...LOCK_ACTIONS], lockTableArn(facts))] : []),
  );
}

/** The sandbox's single local orchestrator identity: what every step function may do, united. */
export function orchestratorRolePolicy(facts: DeploymentFacts): PolicyDocument {
  return functionRolePolicy(facts, {
    targetRoles: ['fileSystem', 'bucket', 'key'],
    changeRecords: ['ssm:GetParameter', 'ssm:PutParameter', 'ssm:DeleteParameter', 'ssm:GetParametersByPath'],
    relianceRecords: ['ssm:GetParameter', 'ssm:PutParameter', 'ssm:DeleteParameter', 'ssm:GetParametersByPath'],
    locks: true,
  });
}
