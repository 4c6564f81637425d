// Shared accounts, principals and documents for the policy tests: the blog's three accounts.
import type { AccessRequest, KmsGrant, PolicyDocument, PolicyStatement } from '../../policy/types.js';

export const A = '111111111111';
export const B = '222222222222';
export const C = '333333333333';
export const REGION = 'us-east-1';
export const KEY_ARN = `arn:aws:kms:${REGION}:${C}:key/2a1bae3d-a3e7-475b-acb2-b0dd92a5ff99`;
export const BUCKET = 'shared-data';
export const PREFIX = 'team/';
export const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
export const OBJECT_ARN = `${BUCKET_ARN}/${PREFIX}data.csv`;

const SLR_NAME = 'AWSServiceRoleForFSxS3Access_fs-0123456789abcdef0';
export const SLR_ARN = `arn:aws:iam::${A}:role/aws-service-role/s3.data-source.lustre.fsx.amazonaws.com/${SLR_NAME}`;
const SLR_SESSION_ARN = `arn:aws:sts::${A}:assumed-role/${SLR_NAME}/FSx`;

export function role(account: string, name: string, session = 'fsx-onboard'): AccessRequest['principal'] {
  return {
    arn: `arn:aws:iam::${account}:role/${name}`,
    sessionArn: `arn:aws:sts::${account}:assumed-role/${name}/${session}`,
    account,
  };
}

export const slr: AccessRequest['principal'] = { arn: SLR_ARN, sessionArn: SLR_SESSION_ARN, account: A };

export const policy = (...Statement: PolicyStatement[]): PolicyDocument => ({ Version: '2012-10-17', Statement });

/** The SLR's fixed permissions: S3 only, never KMS. */
export const SLR_IDENTITY = policy({
  Effect: 'Allow',
  Action: ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:PutObject', 's3:Get*', 's3:List*'],
  Resource: '*',
});

/** The default key policy statement: the key's account manages the key through IAM. */
export const KEY_ACCOUNT_ROOT: PolicyStatement = {
  Sid: 'EnableIAMUserPermissions',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${C}:root` },
  Action: 'kms:*',
  Resource: '*',
};

/** The blog's "Allow use of the key" for accounts A and B, through S3 and for the prefix only. */
export function keyUseStatement(contexts: string[] = [`${BUCKET_ARN}/${PREFIX}*`]): PolicyStatement {
  return {
    Sid: 'AllowUseOfTheKey',
    Effect: 'Allow',
    Principal: { AWS: [`arn:aws:iam::${A}:root`, `arn:aws:iam::${B}:root`] },
    Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
    Resource: KEY_ARN,
    Condition: {
      StringEquals: { 'kms:ViaService': `s3.${REGION}.amazonaws.com`, 'kms:CallerAccount': [A, B] },
      StringLike: { 'kms:EncryptionContext:aws:s3:arn': contexts },
    },
  };
}

/** What S3 sends to KMS when the SLR reads an object of the bucket. */
export function viaS3(action: string, encryptionContext = OBJECT_ARN, principal = slr): AccessRequest {
  return {
    action,
    resource: KEY_ARN,
    resourceAccount: C,
    principal,
    context: {
      'kms:ViaService': `s3.${REGION}.amazonaws.com`,
      'kms:CallerAccount': principal.account,
      'kms:EncryptionContext:aws:s3:arn': encryptionContext,
    },
  };
}

export const NOW = 1_700_000_000_000;

export function grant(overrides: Partial<KmsGrant> = {}): KmsGrant {
  return {
    grantId: 'grant-1',
    name: 'fsx-onboard-req-1',
    keyArn: KEY_ARN,
    granteePrincipal: SLR_ARN,
    operations: ['Decrypt', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'CreateGrant', 'DescribeKey', 'ReEncryptFrom', 'ReEncryptTo'],
    effectiveAt: NOW - 1000,
    grantToken: 'token-1',
    ...overrides,
  };
}
