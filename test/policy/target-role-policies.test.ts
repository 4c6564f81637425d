import { describe, expect, it } from 'vitest';
import type { TargetRole } from '../../core/roles.js';
import { GRANT_OPERATIONS } from '../../core/naming.js';
import { evaluateAccess } from '../../policy/evaluate.js';
import {
  bucketRolePolicy,
  fileSystemRolePolicy,
  functionRolePolicy,
  orchestratorRolePolicy,
  targetRoleArn,
  targetRolePolicies,
  targetRoleTrustPolicy,
  type DeploymentFacts,
} from '../../policy/target-role-policies.js';
import type { PolicyDocument } from '../../policy/types.js';
import { A, B, BUCKET, BUCKET_ARN, C, KEY_ARN, PREFIX, REGION, SLR_ARN, policy, role } from './fixtures.js';

const facts: DeploymentFacts = {
  region: REGION,
  accounts: { fileSystem: A, bucket: B, key: C },
  orchestratorAccountId: A,
  bucketNames: [BUCKET],
  keyArns: [KEY_ARN],
};

type Who = TargetRole | 'orchestrator';
const documents: Record<Who, PolicyDocument> = {
  ...targetRolePolicies({ ...facts, linkedPrefixes: [`${BUCKET}/${PREFIX}`] }),
  orchestrator: orchestratorRolePolicy(facts),
};
const accountOf: Record<Who, string> = { fileSystem: A, bucket: B, key: C, orchestrator: A };
const roleNameOf: Record<Who, string> = {
  fileSystem: 'fsx-onboard-filesystem',
  bucket: 'fsx-onboard-bucket',
  key: 'fsx-onboard-key',
  orchestrator: 'fsx-onboard-orchestrator',
};

/** Whether the role's identity policy allows the call (the resource side delegates to the account). */
function identityAllows(who: Who, action: string, resource: string, context: Record<string, string | string[]> = {}): boolean {
  const account = accountOf[who];
  const delegate = policy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: '*', Resource: '*' });
  return evaluateAccess({
    request: { action, resource, resourceAccount: account, principal: role(account, roleNameOf[who]), context },
    identityPolicies: [documents[who]],
    resourcePolicy: delegate,
  }).allowed;
}

const FS_ID = 'fs-0123456789abcdef0';
const fsArn = `arn:aws:fsx:${REGION}:${A}:file-system/${FS_ID}`;
const draArn = `arn:aws:fsx:${REGION}:${A}:association/${FS_ID}/dra-0123456789abcdef0`;
const taskArn = `arn:aws:fsx:${REGION}:${A}:task/task-0123456789abcdef0`;
const canary = `${BUCKET_ARN}/${PREFIX}.fsx-onboard-canary-req-1/from-s3.txt`;
const exported = `${BUCKET_ARN}/${PREFIX}.fsx-onboard-canary-req-1/to-s3.txt`;
const report = `${BUCKET_ARN}/${PREFIX}.fsx-onboard-reports/task-0123456789abcdef0/failures.csv`;
const instance = `arn:aws:ec2:${REGION}:${A}:instance/i-0123456789abcdef0`;
const runShell = `arn:aws:ssm:${REGION}::document/AWS-RunShellScript`;
const record = `arn:aws:ssm:${REGION}:${A}:parameter/fsx-onboard/change-records/req-1`;
const viaS3 = { 'kms:ViaService': `s3.${REGION}.amazonaws.com` };
const tagged = { 'ssm:resourceTag/fsx-onboard:lustre-client': 'true' };
const managed = { 'aws:ResourceTag/fsx-onboard:managed-by': 'fsx-onboard' };
const grantContext = { 'kms:GranteePrincipal': SLR_ARN, 'kms:GrantOperations': [...GRANT_OPERATIONS] };

// CONTRACT.md "Each step: role used → SDK commands", as IAM sees each command.
const commands: [state: string, command: string, action: string, who: Who, resource: string, context?: Record<string, string | string[]>][] = [
  ['ValidateRequest', 'kms DescribeKey', 'kms:DescribeKey', 'key', KEY_ARN],
  ['ValidateRequest', 's3 GetBucketLocation', 's3:GetBucketLocation', 'bucket', BUCKET_ARN],
  ['ValidateRequest', 's3 ListObjectsV2 (object sample)', 's3:ListBucket', 'bucket', BUCKET_ARN],
  ['ValidateRequest', 's3 HeadObject (object sample)', 's3:GetObject', 'bucket', `${BUCKET_ARN}/${PREFIX}data/sample.bam`],
  ['ValidateRequest', 's3 GetBucketEncryption', 's3:GetEncryptionConfiguration', 'bucket', BUCKET_ARN],
  ['ValidateRequest', 's3 GetBucketPolicy (other writers)', 's3:GetBucketPolicy', 'bucket', BUCKET_ARN],
  // The Lustre client's type and its encryption in transit (lustre-client mode); EC2 authorises these on "*".
  ['CheckClientInstance', 'ec2 DescribeInstances (Lustre client)', 'ec2:DescribeInstances', 'fileSystem', '*'],
  ['CheckClientInstance', 'ec2 DescribeInstanceTypes (encryption in transit)', 'ec2:DescribeInstanceTypes', 'fileSystem', '*'],
  ['PutBucketAccessPolicy', 's3 GetBucketPolicy', 's3:GetBucketPolicy', 'bucket', BUCKET_ARN],
  ['PutBucketAccessPolicy', 's3 GetPublicAccessBlock', 's3:GetBucketPublicAccessBlock', 'bucket', BUCKET_ARN],
  ['PutBucketAccessPolicy', 's3 PutBucketPolicy', 's3:PutBucketPolicy', 'bucket', BUCKET_ARN],
  ['ShareKey', 'kms GetKeyPolicy', 'kms:GetKeyPolicy', 'key', KEY_ARN],
  ['ShareKey', 'kms PutKeyPolicy', 'kms:PutKeyPolicy', 'key', KEY_ARN],
  ['SetDefaultEncryption', 'ssm GetParameter', 'ssm:GetParameter', 'orchestrator', record],
  ['SetDefaultEncryption', 'ssm PutParameter', 'ssm:PutParameter', 'orchestrator', record],
  ['SetDefaultEncryption', 's3 GetBucketEncryption', 's3:GetEncryptionConfiguration', 'bucket', BUCKET_ARN],
  ['SetDefaultEncryption', 's3 PutBucketEncryption', 's3:PutEncryptionConfiguration', 'bucket', BUCKET_ARN],
  ['CreateFileSystem', 'fsx DescribeFileSystems', 'fsx:DescribeFileSystems', 'fileSystem', fsArn],
  ['CreateFileSystem', 'fsx CreateFileSystem', 'fsx:CreateFileSystem', 'fileSystem', fsArn],
  ['CreateFileSystem', 'fsx CreateFileSystem (Tags)', 'fsx:TagResource', 'fileSystem', fsArn],
  ['CreateFileSystem', 'fsx CreateFileSystem (ImportPath → SLR)', 'iam:CreateServiceLinkedRole', 'fileSystem', SLR_ARN],
  ['CreateFileSystem', 'fsx CreateFileSystem (ImportPath → SLR)', 'iam:AttachRolePolicy', 'fileSystem', SLR_ARN],
  ['CreateFileSystem', 'fsx CreateFileSystem (ImportPath → SLR)', 'iam:PutRolePolicy', 'fileSystem', SLR_ARN],
  [
    'CreateFileSystem',
    'fsx CreateFileSystem (first in account)',
    'iam:CreateServiceLinkedRole',
    'fileSystem',
    `arn:aws:iam::${A}:role/aws-service-role/fsx.amazonaws.com/AWSServiceRoleForAmazonFSx`,
    { 'iam:AWSServiceName': 'fsx.amazonaws.com' },
  ],
  ['WaitForFileSystem', 'fsx DescribeFileSystems', 'fsx:DescribeFileSystems', 'fileSystem', '*'],
  ['CreateDataRepositoryAssociation', 'fsx DescribeDataRepositoryAssociations', 'fsx:DescribeDataRepositoryAssociations', 'fileSystem', '*'],
  ['CreateDataRepositoryAssociation', 'fsx CreateDataRepositoryAssociation', 'fsx:CreateDataRepositoryAssociation', 'fileSystem', draArn],
  ['CreateDataRepositoryAssociation', 'fsx CreateDataRepositoryAssociation', 'fsx:CreateDataRepositoryAssociation', 'fileSystem', fsArn],
  ['CreateDataRepositoryAssociation', 'fsx CreateDataRepositoryAssociation (Tags)', 'fsx:TagResource', 'fileSystem', draArn],
  ['CreateDataRepositoryAssociation', 'FSx validates S3 access', 's3:ListBucket', 'fileSystem', BUCKET_ARN],
  ['CreateDataRepositoryAssociation', 'FSx validates S3 access', 's3:GetObject', 'fileSystem', `${BUCKET_ARN}/${PREFIX}data.csv`],
  ['CreateDataRepositoryAssociation', 'FSx validates S3 access', 's3:PutObject', 'fileSystem', `${BUCKET_ARN}/${PREFIX}data.csv`],
  ['CreateDataRepositoryAssociation', 'DRA creates the SLR', 'iam:CreateServiceLinkedRole', 'fileSystem', SLR_ARN],
  ['WaitForDataRepositoryAssociation', 'fsx DescribeDataRepositoryAssociations', 'fsx:DescribeDataRepositoryAssociations', 'fileSystem', '*'],
  ['WaitForServiceLinkedRole', 'iam GetRole', 'iam:GetRole', 'fileSystem', SLR_ARN],
  // Before the SLR exists IAM knows no path for the name: GetRole is authorised on role/<name>.
  ['WaitForServiceLinkedRole', 'iam GetRole (not yet created)', 'iam:GetRole', 'fileSystem', `arn:aws:iam::${A}:role/${SLR_ARN.split('/').pop()}`],
  ['NarrowBucketPolicy', 's3 GetBucketPolicy', 's3:GetBucketPolicy', 'bucket', BUCKET_ARN],
  ['NarrowBucketPolicy', 's3 PutBucketPolicy', 's3:PutBucketPolicy', 'bucket', BUCKET_ARN],
  // The SLR's grant is made from account A (FSx Lustre User Guide): the file-system role, not the key role.
  ['CreateGrant', 'kms ListGrants', 'kms:ListGrants', 'fileSystem', KEY_ARN],
  ['CreateGrant', 'kms CreateGrant', 'kms:CreateGrant', 'fileSystem', KEY_ARN, grantContext],
  ['VerifyExport', 'kms ListGrants (task analysis)', 'kms:ListGrants', 'fileSystem', KEY_ARN],
  ['StartTestExport', 's3 PutObject (S3-side canary)', 's3:PutObject', 'bucket', canary],
  ['StartTestExport', 's3 PutObject (SSE-KMS data key)', 'kms:GenerateDataKey', 'bucket', KEY_ARN, viaS3],
  ['StartTestExport', 'ssm SendCommand (instance)', 'ssm:SendCommand', 'fileSystem', instance, tagged],
  ['StartTestExport', 'ssm SendCommand (document)', 'ssm:SendCommand', 'fileSystem', runShell],
  ['StartTestExport', 'fsx CreateDataRepositoryTask', 'fsx:CreateDataRepositoryTask', 'fileSystem', fsArn],
  ['StartTestExport', 'fsx CreateDataRepositoryTask', 'fsx:CreateDataRepositoryTask', 'fileSystem', taskArn],
  ['WaitForTestExport', 'ssm GetCommandInvocation', 'ssm:GetCommandInvocation', 'fileSystem', '*'],
  ['WaitForTestExport', 'ssm SendCommand', 'ssm:SendCommand', 'fileSystem', instance, tagged],
  ['WaitForTestExport', 'fsx DescribeDataRepositoryTasks', 'fsx:DescribeDataRepositoryTasks', 'fileSystem', '*'],
  ['VerifyExport', 's3 HeadObject', 's3:GetObject', 'bucket', exported],
  ['VerifyExport', 's3 GetObject (task report)', 's3:GetObject', 'bucket', report],
  ['VerifyExport', 'cloudtrail LookupEvents (A)', 'cloudtrail:LookupEvents', 'fileSystem', '*'],
  ['RevokeGrant', 'kms ListGrants', 'kms:ListGrants', 'fileSystem', KEY_ARN],
  ['RevokeGrant', 'kms RevokeGrant', 'kms:RevokeGrant', 'fileSystem', KEY_ARN],
  ['CleanUpTestExport', 's3 DeleteObject', 's3:DeleteObject', 'bucket', canary],
  ['CleanUpTestExport', 's3 DeleteObject', 's3:DeleteObject', 'bucket', exported],
  ['RemoveBucketAccess', 's3 GetBucketPolicy', 's3:GetBucketPolicy', 'bucket', BUCKET_ARN],
  ['RemoveBucketAccess', 's3 PutBucketPolicy', 's3:PutBucketPolicy', 'bucket', BUCKET_ARN],
  ['RemoveBucketAccess', 's3 DeleteBucketPolicy', 's3:DeleteBucketPolicy', 'bucket', BUCKET_ARN],
  ['DeleteDataRepositoryAssociation', 'fsx DescribeDataRepositoryAssociations', 'fsx:DescribeDataRepositoryAssociations', 'fileSystem', '*'],
  ['DeleteDataRepositoryAssociation', 'fsx DeleteDataRepositoryAssociation', 'fsx:DeleteDataRepositoryAssociation', 'fileSystem', draArn, managed],
  ['WaitForDataRepositoryAssociationDeletion', 'fsx DescribeDataRepositoryAssociations', 'fsx:DescribeDataRepositoryAssociations', 'fileSystem', '*'],
  ['DeleteFileSystem', 'fsx DescribeFileSystems', 'fsx:DescribeFileSystems', 'fileSystem', '*'],
  ['DeleteFileSystem', 'fsx DeleteFileSystem', 'fsx:DeleteFileSystem', 'fileSystem', fsArn, managed],
  ['WaitForFileSystemDeletion', 'fsx DescribeFileSystems', 'fsx:DescribeFileSystems', 'fileSystem', '*'],
  ['RestoreDefaultEncryption', 'ssm GetParameter', 'ssm:GetParameter', 'orchestrator', record],
  ['RestoreDefaultEncryption', 's3 PutBucketEncryption', 's3:PutEncryptionConfiguration', 'bucket', BUCKET_ARN],
  ['RestoreDefaultEncryption', 's3 DeleteBucketEncryption', 's3:PutEncryptionConfiguration', 'bucket', BUCKET_ARN],
  ['RestoreDefaultEncryption', 'ssm DeleteParameter', 'ssm:DeleteParameter', 'orchestrator', record],
  ['UnshareKey', 'kms GetKeyPolicy', 'kms:GetKeyPolicy', 'key', KEY_ARN],
  ['UnshareKey', 'kms PutKeyPolicy', 'kms:PutKeyPolicy', 'key', KEY_ARN],
  ['(every step)', 'sts AssumeRole', 'sts:AssumeRole', 'orchestrator', `arn:aws:iam::${A}:role/fsx-onboard-filesystem`],
  ['(every step)', 'sts AssumeRole', 'sts:AssumeRole', 'orchestrator', `arn:aws:iam::${B}:role/fsx-onboard-bucket`],
  ['(every step)', 'sts AssumeRole', 'sts:AssumeRole', 'orchestrator', `arn:aws:iam::${C}:role/fsx-onboard-key`],
];

describe('target role policies cover every SDK command of the workflow', () => {
  it.each(commands)('%s: %s → %s is allowed to the %s role on %s', (_state, _command, action, who, resource, context) => {
    expect(identityAllows(who, action, resource, context)).toBe(true);
  });

  it.each(commands)('%s: %s → %s is allowed to no other target role', (_state, _command, action, who, resource, context) => {
    const others = (['fileSystem', 'bucket', 'key'] as const).filter((r) => r !== who);
    // The S3-access check FSx makes with the file-system role overlaps the bucket role's reads
    // (ValidateRequest's object sample lists and heads objects) by design.
    const overlapping = action.startsWith('s3:Get') || action === 's3:ListBucket' || action === 's3:PutObject' || action === 'cloudtrail:LookupEvents';
    for (const other of others) if (!overlapping) expect(identityAllows(other, action, resource, context)).toBe(false);
  });
});

describe('target role policies stay least-privilege', () => {
  const all = Object.entries(documents) as [Who, PolicyDocument][];
  const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

  it('never allows "*" or a whole service as an action, and never uses NotAction or NotResource', () => {
    for (const [, doc] of all) {
      for (const s of doc.Statement) {
        expect(s.Effect).toBe('Allow');
        expect(s.NotAction).toBeUndefined();
        expect(s.NotResource).toBeUndefined();
        for (const action of list(s.Action)) expect(action).not.toMatch(/^\*$|^[a-z0-9-]+:\*$/i);
      }
    }
  });

  it('uses Resource "*" only for APIs without resource-level permissions', () => {
    const unscoped = all.flatMap(([, doc]) => doc.Statement.filter((s) => list(s.Resource).includes('*')).flatMap((s) => list(s.Action)));
    expect([...new Set(unscoped)].sort()).toEqual([
      'cloudtrail:LookupEvents',
      'ec2:DescribeInstanceTypes',
      'ec2:DescribeInstances',
      'ec2:DescribeRouteTables',
      'ec2:DescribeSecurityGroups',
      'ec2:DescribeSubnets',
      'ec2:DescribeVpcs',
      'ec2:GetSecurityGroupsForVpc',
      'fsx:DescribeDataRepositoryAssociations',
      'fsx:DescribeDataRepositoryTasks',
      'fsx:DescribeFileSystems',
      'ssm:DescribeInstanceInformation',
      'ssm:GetCommandInvocation',
    ]);
  });

  it('fits in a managed policy (6,144 characters)', () => {
    for (const [, doc] of all) expect(JSON.stringify(doc).length).toBeLessThan(6144);
  });

  it.each([
    ['bucket', 's3:PutObject', `${BUCKET_ARN}/${PREFIX}data.csv`, {}, 'writes data objects'],
    ['bucket', 's3:DeleteObject', `${BUCKET_ARN}/${PREFIX}data.csv`, {}, 'deletes data objects'],
    ['bucket', 's3:PutBucketPolicy', 'arn:aws:s3:::someone-elses-bucket', {}, 'edits another bucket'],
    ['bucket', 'kms:GenerateDataKey', KEY_ARN, {}, 'uses the key outside S3'],
    ['bucket', 'kms:Decrypt', `arn:aws:kms:${REGION}:444444444444:key/abc`, viaS3, 'uses a key of another account'],
    ['fileSystem', 'kms:CreateGrant', KEY_ARN, { ...grantContext, 'kms:GranteePrincipal': `arn:aws:iam::${A}:role/attacker` }, 'grants to another role'],
    ['fileSystem', 'kms:CreateGrant', KEY_ARN, { ...grantContext, 'kms:GrantOperations': ['Decrypt', 'RetireGrant'] }, 'grants extra operations'],
    ['fileSystem', 'kms:CreateGrant', `arn:aws:kms:${REGION}:444444444444:key/abc`, grantContext, 'grants on a key outside the configured ones'],
    ['fileSystem', 'kms:PutKeyPolicy', KEY_ARN, {}, 'edits the key policy'],
    ['fileSystem', 'iam:GetRole', `arn:aws:iam::${A}:role/admin`, {}, 'reads other roles'],
    ['key', 'kms:CreateGrant', KEY_ARN, grantContext, 'creates grants (A does, from the file-system role)'],
    ['key', 'kms:ScheduleKeyDeletion', KEY_ARN, {}, 'deletes the key'],
    ['fileSystem', 's3:DeleteObject', `${BUCKET_ARN}/${PREFIX}data.csv`, {}, 'deletes data objects'],
    [
      'fileSystem',
      'iam:CreateServiceLinkedRole',
      `arn:aws:iam::${A}:role/aws-service-role/elasticmapreduce.amazonaws.com/AWSServiceRoleForEMR`,
      {},
      'creates other service-linked roles',
    ],
    ['fileSystem', 'iam:PutRolePolicy', `arn:aws:iam::${A}:role/admin`, {}, 'edits other roles'],
    ['fileSystem', 'fsx:DeleteBackup', `arn:aws:fsx:${REGION}:${A}:backup/backup-1`, {}, 'deletes backups'],
    ['fileSystem', 'ssm:SendCommand', `arn:aws:ssm:${REGION}:${A}:document/AWS-RunPowerShellScript`, {}, 'runs other documents'],
    ['fileSystem', 'ssm:SendCommand', instance, {}, 'runs commands on an untagged instance'],
    ['fileSystem', 'ssm:SendCommand', instance, { 'ssm:resourceTag/fsx-onboard:lustre-client': 'false' }, 'runs commands on an instance tagged otherwise'],
    ['fileSystem', 'fsx:DeleteFileSystem', fsArn, {}, 'deletes a file system it did not create'],
    [
      'fileSystem',
      'fsx:DeleteDataRepositoryAssociation',
      draArn,
      { 'aws:ResourceTag/fsx-onboard:managed-by': 'someone' },
      'deletes an association it did not create',
    ],
    ['fileSystem', 's3:PutObject', `${BUCKET_ARN}/other-prefix/x`, {}, 'writes outside the linked prefixes (when configured)'],
    ['orchestrator', 'ssm:PutParameter', `arn:aws:ssm:${REGION}:${A}:parameter/prod/db-password`, {}, 'writes other parameters'],
    ['orchestrator', 'sts:AssumeRole', `arn:aws:iam::${B}:role/admin`, {}, 'assumes other roles'],
  ] as const)('does not let the %s role %s on %s (%s)', (who, action, resource, context, _why) => {
    expect(identityAllows(who, action, resource, context as Record<string, string | string[]>)).toBe(false);
  });

  it('scopes every account-specific ARN with "*" when the deployment cannot know the accounts', () => {
    const open = { ...facts, accounts: { fileSystem: '*', bucket: '*', key: '*' }, keyArns: [`arn:aws:kms:${REGION}:*:key/*`] };
    expect(orchestratorRolePolicy(open).Statement[0]!.Resource).toEqual([
      'arn:aws:iam::*:role/fsx-onboard-filesystem',
      'arn:aws:iam::*:role/fsx-onboard-bucket',
      'arn:aws:iam::*:role/fsx-onboard-key',
    ]);
    expect(JSON.stringify(fileSystemRolePolicy(open))).toContain(`arn:aws:fsx:${REGION}:*:file-system/*`);
    expect(fileSystemRolePolicy(open).Statement.find((st) => st.Sid === 'GrantToFsxServiceLinkedRole')!.Condition).toMatchObject({
      StringLike: { 'kms:GranteePrincipal': 'arn:aws:iam::*:role/aws-service-role/s3.data-source.lustre.fsx.amazonaws.com/AWSServiceRoleForFSxS3Access_fs-*' },
    });
    expect(bucketRolePolicy({ ...facts, roleNames: { bucket: 'custom' } }).Statement.length).toBeGreaterThan(0);
    expect(targetRoleArn({ ...facts, roleNames: { bucket: 'custom' } }, 'bucket')).toBe(`arn:aws:iam::${B}:role/custom`);
  });
});

describe('targetRoleTrustPolicy', () => {
  const fn = role(A, 'fsx-onboard-ShareKey', 'fsx-onboard-req-1');
  const identity = { 'sts:SourceIdentity': 'fsx-onboard-req-1' };
  const assume = (trust: PolicyDocument, context: Record<string, string> = {}, principal = fn) =>
    evaluateAccess({
      request: { action: 'sts:AssumeRole', resource: `arn:aws:iam::${B}:role/fsx-onboard-bucket`, resourceAccount: B, principal, context },
      identityPolicies: [orchestratorRolePolicy(facts)],
      resourcePolicy: trust,
    });

  it('lets a named function role assume a target role in another account with the external id and an fsx-onboard source identity', () => {
    const trust = targetRoleTrustPolicy([fn.arn], 'ext-123');
    expect(assume(trust, { 'sts:ExternalId': 'ext-123', ...identity }).allowed).toBe(true);
    expect(assume(trust, { 'sts:ExternalId': 'wrong', ...identity }).deniedBecause).toBe('no-resource-allow');
    expect(assume(trust, identity).deniedBecause).toBe('no-resource-allow');
    expect(assume(trust, { 'sts:ExternalId': 'ext-123' }).deniedBecause).toBe('no-resource-allow');
    expect(assume(trust, { 'sts:ExternalId': 'ext-123', 'sts:SourceIdentity': 'someone' }).deniedBecause).toBe('no-resource-allow');
  });

  it('trusts no one else, and needs no external id when none is configured', () => {
    const trust = targetRoleTrustPolicy([fn.arn, `arn:aws:iam::${A}:role/fsx-onboard-UnshareKey`]);
    expect(trust.Statement[0]!.Condition).toEqual({ StringLike: { 'sts:SourceIdentity': 'fsx-onboard-*' } });
    expect(trust.Statement[0]!.Action).toEqual(['sts:AssumeRole', 'sts:SetSourceIdentity']);
    expect(assume(trust, identity).allowed).toBe(true);
    expect(assume(trust, identity, role(A, 'intruder')).allowed).toBe(false);
  });
});

describe('functionRolePolicy', () => {
  it('names only the target roles and change-record actions a step needs', () => {
    const policy = functionRolePolicy(facts, { targetRoles: ['key'], changeRecords: [], relianceRecords: [] });
    expect(policy.Statement).toEqual([
      { Sid: 'AssumeTargetRoles', Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'], Resource: [`arn:aws:iam::${C}:role/fsx-onboard-key`] },
    ]);
    expect(functionRolePolicy(facts, { targetRoles: [], changeRecords: ['ssm:GetParameter'], relianceRecords: [] }).Statement).toEqual([
      { Sid: 'ChangeRecords', Effect: 'Allow', Action: ['ssm:GetParameter'], Resource: `arn:aws:ssm:${REGION}:${A}:parameter/fsx-onboard/change-records/*` },
    ]);
  });
});
