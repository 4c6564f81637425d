// `plan --aws`: the same planner through real SDK clients, served by aws-sdk-client-mock. It
// sends read calls only, and it reports what AWS answers (an explicit Deny, a role it cannot assume).
import { DescribeInstancesCommand, DescribeInstanceTypesCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { FSxClient, DescribeFileSystemsCommand } from '@aws-sdk/client-fsx';
import { DescribeKeyCommand, GetKeyPolicyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ExitCode } from '../../cli/context.js';
import { KEY_ARN, REGION, awsError, cli } from './aws-fixtures.js';

const sts = mockClient(STSClient);
const kms = mockClient(KMSClient);
const s3 = mockClient(S3Client);
const fsx = mockClient(FSxClient);
const ec2 = mockClient(EC2Client);
const ssm = mockClient(SSMClient);
const all = [sts, kms, s3, fsx, ec2, ssm];

const keyPolicy = (extra: unknown[] = []) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::333333333333:root' }, Action: 'kms:*', Resource: '*' },
      ...extra,
    ],
  });

beforeEach(() => {
  for (const m of all) m.reset();
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'testing');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'testing');
  vi.stubEnv('AWS_PROFILE', '');
  sts.on(GetCallerIdentityCommand).resolves({ Arn: 'arn:aws:sts::111111111111:assumed-role/fsx-onboard-filesystem/fsx-onboard-plan' });
  kms
    .on(DescribeKeyCommand)
    .resolves({ KeyMetadata: { KeyId: 'k', Arn: KEY_ARN, KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT', KeyState: 'Enabled' } });
  kms.on(GetKeyPolicyCommand).resolves({ Policy: keyPolicy(), PolicyName: 'default' });
  s3.on(GetBucketLocationCommand).resolves({});
  s3.on(GetBucketPolicyCommand).rejects(awsError('NoSuchBucketPolicy', 'The bucket policy does not exist'));
  s3.on(GetBucketEncryptionCommand).resolves({
    ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
  });
  s3.on(GetPublicAccessBlockCommand).resolves({
    PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
  });
  s3.on(ListObjectsV2Command).resolves({ Contents: [], IsTruncated: false });
  fsx.on(DescribeFileSystemsCommand).resolves({ FileSystems: [] });
  ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: 'subnet-0a1b2c3d4e5f60718', VpcId: 'vpc-0a1b2c3d4e5f60718' }] });
  ec2.on(DescribeSecurityGroupsCommand).resolves({
    SecurityGroups: [{ GroupId: 'sg-0123456789abcdef0', VpcId: 'vpc-0a1b2c3d4e5f60718', IpPermissions: [{ IpProtocol: 'tcp', FromPort: 988, ToPort: 1023 }] }],
  });
  ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-0fedcba9876543210', InstanceType: 'c6in.xlarge' }] }] });
  ec2.on(DescribeInstanceTypesCommand).resolves({ InstanceTypes: [{ InstanceType: 'c6in.xlarge', NetworkInfo: { EncryptionInTransitSupported: true } }] });
  ssm.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [{ InstanceId: 'i-0fedcba9876543210', PingStatus: 'Online' }] });
});
afterEach(() => vi.unstubAllEnvs());

/** Every command the planner sent, by name. */
const sent = () => all.flatMap((m) => m.calls().map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name));

describe('fsx-onboard plan --aws', () => {
  it('reads through the target roles, sends no call that changes anything, and plans every kind of change', async () => {
    const result = await cli('plan', 'examples/request.json', '--aws', '--region', REGION, '--json');
    expect(result.err).toBe('');
    expect(result.code).toBe(ExitCode.Ok);
    const plan = JSON.parse(result.out) as { changes: { kind: string; action: string }[]; checks: { name: string; status: string }[] };
    expect(plan.changes.map((c) => c.kind)).toEqual(expect.arrayContaining(['bucketPolicy', 'keyPolicy', 'defaultEncryption', 'grant', 'fileSystem']));
    expect(plan.checks.every((c) => c.status !== 'fail')).toBe(true);
    expect(sts).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 3);
    expect(sent().length).toBeGreaterThan(8);
    for (const name of sent()) expect(name).toMatch(/^(Get|Describe|List|Head)\w+Command$/);
  });

  it('fails the service-linked-role check on an explicit Deny in the key policy and exits 1', async () => {
    kms.on(GetKeyPolicyCommand).resolves({
      Policy: keyPolicy([
        {
          Sid: 'DenyDataKeysOutsideC',
          Effect: 'Deny',
          Principal: '*',
          Action: 'kms:GenerateDataKey*',
          Resource: '*',
          Condition: { StringNotEquals: { 'aws:PrincipalAccount': '333333333333' } },
        },
      ]),
    });
    const result = await cli('plan', 'examples/request.json', '--aws', '--region', REGION, '--json');
    expect(result.code).toBe(ExitCode.BadInput);
    const check = (JSON.parse(result.out) as { checks: { name: string; status: string; detail: string }[] }).checks.find(
      (c) => c.name === 'serviceLinkedRoleKeyAccess',
    );
    expect(check?.status).toBe('fail');
    expect(check?.detail).toMatch(/kms:GenerateDataKey is denied by an explicit Deny in statement DenyDataKeysOutsideC/);
    expect(check?.detail).not.toMatch(/kms:Decrypt is denied/);
  });

  it('reports a target role it cannot assume as a failed check, and reads nothing through it', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .rejects(awsError('AccessDenied', 'User: arn:aws:sts::999999999999:assumed-role/ops/me is not authorized to perform: sts:AssumeRole'));
    const result = await cli('plan', 'examples/request.json', '--aws', '--region', REGION);
    expect(result.code).toBe(ExitCode.BadInput);
    expect(result.out).toMatch(/✗ targetRole:key: arn:aws:iam::333333333333:role\/fsx-onboard-key \(key \(C\)\) cannot be assumed \(AccessDenied/);
    expect(kms).not.toHaveReceivedCommand(GetKeyPolicyCommand);
    expect(s3).not.toHaveReceivedCommand(GetBucketPolicyCommand);
  });
});
