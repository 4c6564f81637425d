// A "*" in an action or a resource ARN needs a reason. The documents come from policy/ (shared
// with the sandbox); this keeps one reason per statement Sid, acknowledges exactly those
// cdk-nag findings, and fails the synth when a wildcard statement arrives without a reason.
import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { PolicyDocument, PolicyStatement } from '../policy/types.js';

/** Why each statement of policy/target-role-policies.ts may hold a "*". */
export const WILDCARD_REASONS: Record<string, string> = {
  // Orchestrator
  ChangeRecords: 'One Parameter Store change record per request under /fsx-onboard/change-records/; request ids are not known at deploy time.',
  RelianceRecords:
    'One Parameter Store reliance record per request and shared statement group under /fsx-onboard/shared/; request ids and groups are not known at deploy time.',
  // File-system role (A)
  FsxCreateFileSystemsAndAssociations:
    'File systems, associations and export tasks are created by the workflow, so their ids are unknown at deploy time; ARNs are limited to this account and region.',
  FsxDeleteOwnResources:
    'Ids are unknown at deploy time; the aws:ResourceTag/fsx-onboard:managed-by condition limits deletes to file systems and associations this tool created.',
  FsxDescribe: 'FSx Describe* calls authorise no resource ARN (they list the account), so IAM accepts only "*".',
  FsxS3ServiceLinkedRole:
    'The FSx S3-access SLR is named after the file system id (AWSServiceRoleForFSxS3Access_fs-...); the ARN is limited to its service path.',
  FsxServiceLinkedRole: "FSx's own SLR path, with iam:AWSServiceName fsx.amazonaws.com; FSx creates it with the account's first file system.",
  Ec2ReadsByFsx:
    "FSx describes the subnet, VPC, route tables and security groups with the caller's credentials; these EC2 reads support no resource-level permissions, and the aws:CalledVia condition limits them to calls FSx makes.",
  S3AccessValidatedByFsx:
    'FSx validates S3 access with the caller\'s credentials and requires exactly "s3:Get*, s3:List* and s3:PutObject" on the linked prefix; limited to the configured buckets and, where linkedPrefixes lists them, to those prefixes.',
  LustreClientCommands:
    'The Lustre client instance comes with each request; SendCommand is limited to instances of this account that carry the configured Lustre-client tag (ssm:resourceTag condition).',
  LustreClientResults: 'ssm:GetCommandInvocation supports no resource-level permissions.',
  DiagnoseDeniedExport: 'cloudtrail:LookupEvents supports no resource-level permissions.',
  PreflightReads:
    "Preflight reads the subnet, security groups and the client's SSM agent before any change; these ec2:Describe* actions and ssm:DescribeInstanceInformation support no resource-level permissions.",
  ClientEncryptionInTransit:
    "CheckClientInstance reads the Lustre client's instance type and whether it encrypts in transit before any change; ec2:DescribeInstances and ec2:DescribeInstanceTypes support no resource-level permissions.",
  FindFsxS3ServiceLinkedRole:
    'The SLR is named after the file system id (AWSServiceRoleForFSxS3Access_fs-...); GetRole on a role IAM does not know yet is authorised on role/<name>, without its path.',
  GrantToFsxServiceLinkedRole: "Configured key ARNs; grants only to an FSx S3-access SLR of this account and only the blog's operations (conditions).",
  FindAndRevokeGrants: 'Configured key ARNs (the key is chosen per request); ListGrants and RevokeGrant carry no grantee to scope by.',
  // Bucket role (B)
  BucketPolicyAndEncryption: 'Limited to the configured bucket names; a configured name pattern (e.g. "research-*") is a deliberate deployment choice.',
  SampleObjectEncryption:
    'HeadObject (s3:GetObject) on the objects of the configured buckets, to sample their encryption before any change; the prefix varies per request.',
  CanaryObjects:
    "Only this tool's canary objects (<prefix>.fsx-onboard-canary-<request id>/...) in the configured buckets; prefix and request id vary per request.",
  ExportReports: 'Only the export task reports (<prefix>.fsx-onboard-reports/...) in the configured buckets; the prefix varies per request.',
  CanaryEncryptionViaS3: 'Configured key ARNs, and only through S3 (kms:ViaService condition).',
  // Key role (C)
  KeyPolicy: 'Configured key ARNs of this account; the key is chosen per request.',
};

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** cdk-nag's spelling of a value in a finding id: intrinsics become `<AWS::Partition>`, `<Id.Arn>`. */
function nagName(scope: IConstruct, value: string): string {
  const render = (part: unknown): string => {
    if (typeof part === 'string') return part;
    const o = part as Record<string, unknown>;
    if ('Ref' in o) return `<${String(o['Ref'])}>`;
    if ('Fn::GetAtt' in o) return `<${(o['Fn::GetAtt'] as string[]).join('.')}>`;
    if ('Fn::Join' in o) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map(render).join(sep);
    }
    return JSON.stringify(part);
  };
  return render(Stack.of(scope).resolve(value));
}

const wildcards = (s: PolicyStatement) => ({
  actions: list(s.Action).filter((a) => a.includes('*')),
  resources: list(s.Resource).filter((r) => r.includes('*')),
});

/** The statements of a document with a "*" in an action or a resource. */
function wildcardStatements(document: PolicyDocument): PolicyStatement[] {
  return document.Statement.filter((s) => {
    const w = wildcards(s);
    return w.actions.length + w.resources.length > 0;
  });
}

/**
 * Acknowledges AwsSolutions-IAM5 for each wildcard action and resource of `document`, with the
 * reason for its statement's Sid, prefixed by the wildcard itself. A wildcard statement without a
 * Sid or a reason is an error.
 */
export function acknowledgeWildcards(scope: IConstruct, document: PolicyDocument, reasons: Record<string, string> = WILDCARD_REASONS): void {
  for (const statement of wildcardStatements(document)) {
    const reason = statement.Sid ? reasons[statement.Sid] : undefined;
    if (!reason) {
      throw new Error(`${scope.node.path}: statement ${statement.Sid ?? JSON.stringify(statement.Action)} has a "*" and no stated reason (infra/wildcards.ts)`);
    }
    const { actions, resources } = wildcards(statement);
    // Each acknowledgement names the wildcard it accepts, so no two share one catch-all text.
    const acknowledge = (kind: 'Action' | 'Resource', value: string) =>
      Validations.of(scope).acknowledge({
        id: `AwsSolutions-IAM5[${kind}::${value}]`,
        reason: `${scope.node.id}, ${kind} ${value} in ${statement.Sid}: ${reason}`,
      });
    for (const action of actions) acknowledge('Action', action);
    for (const resource of resources) acknowledge('Resource', nagName(scope, resource));
  }
}
