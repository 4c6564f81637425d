import { describe, expect, it } from 'vitest';
import { evaluateAccess } from '../../policy/evaluate.js';
import type { AccessDecision, AccessInputs, AccessRequest, PolicyDocument } from '../../policy/types.js';
import {
  A,
  B,
  BUCKET_ARN,
  C,
  KEY_ACCOUNT_ROOT,
  KEY_ARN,
  NOW,
  OBJECT_ARN,
  PREFIX,
  SLR_IDENTITY,
  grant,
  keyUseStatement,
  policy,
  role,
  slr,
  viaS3,
} from './fixtures.js';

const app = role(A, 'app');
const keyAdmin = role(C, 'key-admin');

const s3Request = (principal: AccessRequest['principal'], resourceAccount: string, action = 's3:GetObject'): AccessRequest => ({
  action,
  resource: OBJECT_ARN,
  resourceAccount,
  principal,
});

const allowS3 = policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: `${BUCKET_ARN}/*` });
const bucketPolicyFor = (principalAws: string): PolicyDocument =>
  policy({ Sid: 'BucketGrant', Effect: 'Allow', Principal: { AWS: principalAws }, Action: 's3:GetObject', Resource: `${BUCKET_ARN}/*` });

const summary = (d: AccessDecision) => ({ allowed: d.allowed, allowedBy: d.allowedBy, deniedBecause: d.deniedBecause });

// Facts from the IAM user guide's "policy evaluation logic" and "cross-account policy
// evaluation logic" pages, expressed as cases.
describe('evaluateAccess: identity and resource policies', () => {
  const cases: { name: string; inputs: AccessInputs; expected: Partial<AccessDecision> }[] = [
    {
      name: 'allows a same-account request when only the identity policy allows',
      inputs: { request: s3Request(app, A), identityPolicies: [allowS3] },
      expected: { allowed: true, allowedBy: ['identity'] },
    },
    {
      name: 'allows a same-account request when only the resource policy names the role',
      inputs: { request: s3Request(app, A), identityPolicies: [], resourcePolicy: bucketPolicyFor(app.arn) },
      expected: { allowed: true, allowedBy: ['resource'] },
    },
    {
      name: 'allows a same-account request when the resource policy names the session',
      inputs: { request: s3Request(app, A), identityPolicies: [], resourcePolicy: bucketPolicyFor(app.sessionArn!) },
      expected: { allowed: true, allowedBy: ['resource'] },
    },
    {
      name: 'denies a same-account request when the resource policy names only the account and no identity policy allows',
      inputs: { request: s3Request(app, A), identityPolicies: [], resourcePolicy: bucketPolicyFor(`arn:aws:iam::${A}:root`) },
      expected: { allowed: false, deniedBecause: 'no-identity-allow' },
    },
    {
      name: 'denies a same-account request that nothing allows',
      inputs: { request: s3Request(app, A), identityPolicies: [] },
      expected: { allowed: false, deniedBecause: 'no-identity-allow' },
    },
    {
      name: 'denies a cross-account request allowed only by the bucket policy',
      inputs: { request: s3Request(app, B), identityPolicies: [], resourcePolicy: bucketPolicyFor(app.arn) },
      expected: { allowed: false, deniedBecause: 'no-identity-allow' },
    },
    {
      name: 'denies a cross-account request allowed only by the identity policy',
      inputs: { request: s3Request(app, B), identityPolicies: [allowS3] },
      expected: { allowed: false, deniedBecause: 'no-resource-allow' },
    },
    {
      name: 'allows a cross-account request when both sides allow',
      inputs: { request: s3Request(app, B), identityPolicies: [allowS3], resourcePolicy: bucketPolicyFor(app.arn) },
      expected: { allowed: true, allowedBy: ['identity', 'resource'] },
    },
    {
      name: 'allows a cross-account request when the bucket policy trusts the account (bare id) and IAM allows',
      inputs: { request: s3Request(app, B), identityPolicies: [allowS3], resourcePolicy: bucketPolicyFor(A) },
      expected: { allowed: true, allowedBy: ['identity', 'resource'] },
    },
    {
      name: 'denies a cross-account request when the bucket policy names another account',
      inputs: { request: s3Request(app, B), identityPolicies: [allowS3], resourcePolicy: bucketPolicyFor(`arn:aws:iam::${C}:root`) },
      expected: { allowed: false, deniedBecause: 'no-resource-allow' },
    },
    {
      name: 'denies on an explicit identity deny even when the resource policy allows',
      inputs: {
        request: s3Request(app, A),
        identityPolicies: [policy({ Effect: 'Deny', Action: 's3:*', Resource: '*' })],
        resourcePolicy: bucketPolicyFor(app.arn),
      },
      expected: { allowed: false, deniedBecause: 'explicit-deny-identity' },
    },
    {
      name: 'denies on an explicit resource deny even when the identity policy allows',
      inputs: {
        request: s3Request(app, A),
        identityPolicies: [allowS3],
        resourcePolicy: policy({ Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: `${BUCKET_ARN}/*` }),
      },
      expected: { allowed: false, deniedBecause: 'explicit-deny-resource' },
    },
  ];
  it.each(cases)('$name', ({ inputs, expected }) => {
    expect(summary(evaluateAccess(inputs))).toMatchObject(expected);
  });

  it('prints AWS wording for a missing resource-based allow', () => {
    const decision = evaluateAccess({ request: s3Request(app, B), identityPolicies: [allowS3] });
    expect(decision.message).toBe(
      `User: ${app.sessionArn} is not authorized to perform: s3:GetObject on resource: ${OBJECT_ARN} because no resource-based policy allows the s3:GetObject action`,
    );
  });

  it('prints AWS wording and the deciding Sid for an explicit deny', () => {
    const decision = evaluateAccess({
      request: s3Request(app, A),
      identityPolicies: [allowS3],
      resourcePolicy: policy({ Sid: 'DenyAll', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: `${BUCKET_ARN}/*` }),
    });
    expect(decision.message).toBe(
      `User: ${app.sessionArn} is not authorized to perform: s3:GetObject on resource: ${OBJECT_ARN} with an explicit deny in a resource-based policy`,
    );
    expect(decision.matchedStatements).toEqual(['DenyAll']);
  });

  it('prints the role ARN when the caller has no session', () => {
    const user = { arn: `arn:aws:iam::${A}:user/admin`, account: A };
    const decision = evaluateAccess({ request: s3Request(user, A), identityPolicies: [policy({ Effect: 'Deny', Action: '*', Resource: '*' })] });
    expect(decision.message).toBe(
      `User: ${user.arn} is not authorized to perform: s3:GetObject on resource: ${OBJECT_ARN} with an explicit deny in an identity-based policy`,
    );
  });

  it('names the allowing statements by Sid, or by position when they have none', () => {
    const decision = evaluateAccess({ request: s3Request(app, B), identityPolicies: [allowS3], resourcePolicy: bucketPolicyFor(app.arn) });
    expect(decision.matchedStatements).toEqual(['identity[0].Statement[0]', 'BucketGrant']);
  });

  it('lets a service principal named in a bucket policy write without any identity policy', () => {
    const logging = { arn: 'logging.s3.amazonaws.com', account: B, type: 'Service' as const };
    const resourcePolicy = policy({ Effect: 'Allow', Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject', Resource: `${BUCKET_ARN}/*` });
    expect(evaluateAccess({ request: s3Request(logging, B, 's3:PutObject'), identityPolicies: [], resourcePolicy }).allowed).toBe(true);
    expect(evaluateAccess({ request: s3Request(app, A, 's3:PutObject'), identityPolicies: [], resourcePolicy }).allowed).toBe(false);
  });
});

describe('evaluateAccess: the blog, kms:Decrypt by the FSx service-linked role via S3', () => {
  const keyPolicy = policy(KEY_ACCOUNT_ROOT, keyUseStatement());
  const decrypt = viaS3('kms:Decrypt');

  it('denies without a grant, with exactly the message CloudTrail shows', () => {
    const decision = evaluateAccess({ request: decrypt, identityPolicies: [SLR_IDENTITY], resourcePolicy: keyPolicy, kms: { grants: [], now: NOW } });
    expect(decision.allowed).toBe(false);
    expect(decision.deniedBecause).toBe('no-identity-allow');
    expect(decision.message).toBe(
      `User: arn:aws:sts::${A}:assumed-role/AWSServiceRoleForFSxS3Access_fs-0123456789abcdef0/FSx is not authorized to perform: kms:Decrypt on resource: ${KEY_ARN} because no identity-based policy allows the kms:Decrypt action`,
    );
  });

  it('denies even when the key policy names the service-linked role itself, because the caller is in another account', () => {
    const naming = policy(KEY_ACCOUNT_ROOT, { ...keyUseStatement(), Principal: { AWS: slr.arn } });
    const decision = evaluateAccess({ request: decrypt, identityPolicies: [SLR_IDENTITY], resourcePolicy: naming });
    expect(decision.deniedBecause).toBe('no-identity-allow');
  });

  it('allows with a grant for the service-linked role and reports the grant', () => {
    const decision = evaluateAccess({ request: decrypt, identityPolicies: [SLR_IDENTITY], resourcePolicy: keyPolicy, kms: { grants: [grant()], now: NOW } });
    expect(decision).toMatchObject({ allowed: true, allowedBy: ['grant'], grantId: 'grant-1' });
  });

  it('allows GenerateDataKey for an export with the same grant', () => {
    const decision = evaluateAccess({
      request: viaS3('kms:GenerateDataKey'),
      identityPolicies: [SLR_IDENTITY],
      resourcePolicy: keyPolicy,
      kms: { grants: [grant()], now: NOW },
    });
    expect(decision.allowed).toBe(true);
  });

  it('ignores a grant that is not yet in effect unless its token is presented', () => {
    const fresh = grant({ effectiveAt: NOW + 60_000 });
    const inputs = { request: decrypt, identityPolicies: [SLR_IDENTITY], resourcePolicy: keyPolicy };
    expect(evaluateAccess({ ...inputs, kms: { grants: [fresh], now: NOW } }).allowed).toBe(false);
    expect(evaluateAccess({ ...inputs, kms: { grants: [fresh], now: NOW, grantTokens: ['other'] } }).allowed).toBe(false);
    expect(evaluateAccess({ ...inputs, kms: { grants: [fresh], now: NOW, grantTokens: ['token-1'] } }).allowed).toBe(true);
    expect(evaluateAccess({ ...inputs, kms: { grants: [fresh], now: NOW + 60_000 } }).allowed).toBe(true);
  });

  it.each([
    ['another grantee', grant({ granteePrincipal: `arn:aws:iam::${A}:role/other` })],
    ['another key', grant({ keyArn: KEY_ARN.replace('2a1bae3d', 'ffffffff') })],
    ['operations without Decrypt', grant({ operations: ['Encrypt', 'GenerateDataKey'] })],
    [
      'an encryption-context subset constraint for another prefix',
      grant({ constraints: { encryptionContextSubset: { 'aws:s3:arn': `${BUCKET_ARN}/other/x` } } }),
    ],
    [
      'an encryption-context equals constraint with an extra pair',
      grant({ constraints: { encryptionContextEquals: { 'aws:s3:arn': OBJECT_ARN, extra: 'x' } } }),
    ],
  ])('does not allow through a grant with %s', (_name, g) => {
    const decision = evaluateAccess({ request: decrypt, identityPolicies: [SLR_IDENTITY], resourcePolicy: keyPolicy, kms: { grants: [g], now: NOW } });
    expect(decision.allowed).toBe(false);
  });

  it('allows through a grant whose constraints match the encryption context, and a grant to the session ARN', () => {
    const constrained = grant({ constraints: { encryptionContextSubset: { 'aws:s3:arn': OBJECT_ARN } } });
    const exact = grant({ constraints: { encryptionContextEquals: { 'aws:s3:arn': OBJECT_ARN } } });
    const toSession = grant({ granteePrincipal: slr.sessionArn! });
    for (const g of [constrained, exact, toSession]) {
      expect(evaluateAccess({ request: decrypt, identityPolicies: [], kms: { grants: [g], now: NOW } }).allowed).toBe(true);
    }
  });

  it('lets an explicit deny in the key policy beat a grant', () => {
    const denying = policy(KEY_ACCOUNT_ROOT, {
      Sid: 'DenyFsx',
      Effect: 'Deny',
      Principal: '*',
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { StringEquals: { 'aws:PrincipalAccount': A } },
    });
    const decision = evaluateAccess({ request: decrypt, identityPolicies: [SLR_IDENTITY], resourcePolicy: denying, kms: { grants: [grant()], now: NOW } });
    expect(decision).toMatchObject({ allowed: false, deniedBecause: 'explicit-deny-resource', matchedStatements: ['DenyFsx'] });
  });

  it('lets an explicit deny in the identity policy beat a grant', () => {
    const denying = policy({ Effect: 'Deny', Action: 'kms:*', Resource: '*' });
    const decision = evaluateAccess({ request: decrypt, identityPolicies: [denying], resourcePolicy: keyPolicy, kms: { grants: [grant()], now: NOW } });
    expect(decision.deniedBecause).toBe('explicit-deny-identity');
  });
});

describe('evaluateAccess: KMS key policies', () => {
  const allowDecrypt = policy({ Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: KEY_ARN });
  const filesystemRole = role(A, 'fsx-onboard-filesystem');

  it('denies a role in the key account that IAM does not allow when the key policy only delegates to the account', () => {
    const request = { action: 'kms:DescribeKey', resource: KEY_ARN, resourceAccount: C, principal: keyAdmin };
    const decision = evaluateAccess({ request, identityPolicies: [], resourcePolicy: policy(KEY_ACCOUNT_ROOT) });
    expect(decision.deniedBecause).toBe('no-identity-allow');
    const withIam = evaluateAccess({
      request,
      identityPolicies: [policy({ Effect: 'Allow', Action: 'kms:DescribeKey', Resource: KEY_ARN })],
      resourcePolicy: policy(KEY_ACCOUNT_ROOT),
    });
    expect(withIam).toMatchObject({ allowed: true, allowedBy: ['identity', 'resource'] });
  });

  it('allows a role in the key account that the key policy names directly, without IAM', () => {
    const request = { action: 'kms:DescribeKey', resource: KEY_ARN, resourceAccount: C, principal: keyAdmin };
    const naming = policy({ Effect: 'Allow', Principal: { AWS: keyAdmin.arn }, Action: 'kms:DescribeKey', Resource: '*' });
    expect(evaluateAccess({ request, identityPolicies: [], resourcePolicy: naming })).toMatchObject({ allowed: true, allowedBy: ['resource'] });
  });

  it('denies when IAM allows but the key policy does not, even in the key account', () => {
    const request = { action: 'kms:Decrypt', resource: KEY_ARN, resourceAccount: C, principal: keyAdmin };
    const decision = evaluateAccess({
      request,
      identityPolicies: [allowDecrypt],
      resourcePolicy: policy({ ...KEY_ACCOUNT_ROOT, Principal: { AWS: `arn:aws:iam::${B}:root` } }),
    });
    expect(decision.deniedBecause).toBe('no-resource-allow');
    expect(decision.message).toContain('because no resource-based policy allows the kms:Decrypt action');
  });

  it('allows a cross-account caller through S3 when the key policy delegates to its account and IAM allows', () => {
    const decision = evaluateAccess({
      request: viaS3('kms:Decrypt', OBJECT_ARN, filesystemRole),
      identityPolicies: [allowDecrypt],
      resourcePolicy: policy(KEY_ACCOUNT_ROOT, keyUseStatement()),
    });
    expect(decision).toMatchObject({ allowed: true, allowedBy: ['identity', 'resource'], matchedStatements: ['identity[0].Statement[0]', 'AllowUseOfTheKey'] });
  });

  it('denies the same caller when it does not come through S3', () => {
    const direct = { ...viaS3('kms:Decrypt', OBJECT_ARN, filesystemRole), context: { 'kms:EncryptionContext:aws:s3:arn': OBJECT_ARN } };
    expect(
      evaluateAccess({ request: direct, identityPolicies: [allowDecrypt], resourcePolicy: policy(KEY_ACCOUNT_ROOT, keyUseStatement()) }).deniedBecause,
    ).toBe('no-resource-allow');
  });

  it('denies with S3 Bucket Keys when the key policy only allows the prefix objects as encryption context', () => {
    const bucketKeyRequest = viaS3('kms:GenerateDataKey', BUCKET_ARN, filesystemRole);
    const prefixOnly = policy(KEY_ACCOUNT_ROOT, keyUseStatement([`${BUCKET_ARN}/${PREFIX}*`]));
    expect(evaluateAccess({ request: bucketKeyRequest, identityPolicies: [allowDecrypt], resourcePolicy: prefixOnly }).deniedBecause).toBe('no-resource-allow');
    const withBucket = policy(KEY_ACCOUNT_ROOT, keyUseStatement([`${BUCKET_ARN}/${PREFIX}*`, BUCKET_ARN]));
    expect(evaluateAccess({ request: bucketKeyRequest, identityPolicies: [allowDecrypt], resourcePolicy: withBucket }).allowed).toBe(true);
  });

  it('fills kms:CallerAccount from the caller when the request context does not set it', () => {
    const request = { action: 'kms:Decrypt', resource: KEY_ARN, resourceAccount: C, principal: filesystemRole };
    const byCaller = (acct: string) =>
      policy({
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${A}:root` },
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: { StringEquals: { 'kms:CallerAccount': acct } },
      });
    expect(evaluateAccess({ request, identityPolicies: [allowDecrypt], resourcePolicy: byCaller(A) }).allowed).toBe(true);
    expect(evaluateAccess({ request, identityPolicies: [allowDecrypt], resourcePolicy: byCaller(B) }).allowed).toBe(false);
  });
});

describe('evaluateAccess: role trust policies', () => {
  const orchestrator = role(A, 'fsx-onboard-orchestrator', 'lambda');
  const target = `arn:aws:iam::${B}:role/fsx-onboard-bucket`;
  const assume = (context: Record<string, string> = {}): AccessRequest => ({
    action: 'sts:AssumeRole',
    resource: target,
    resourceAccount: B,
    principal: orchestrator,
    context,
  });
  const trust = policy({
    Effect: 'Allow',
    Principal: { AWS: orchestrator.arn },
    Action: 'sts:AssumeRole',
    Condition: { StringEquals: { 'sts:ExternalId': 'ext-1' } },
  });
  const mayAssume = policy({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::*:role/fsx-onboard-*' });

  it('allows the trusted role with the external id and an identity allow', () => {
    expect(evaluateAccess({ request: assume({ 'sts:ExternalId': 'ext-1' }), identityPolicies: [mayAssume], resourcePolicy: trust }).allowed).toBe(true);
  });

  it('denies without the external id, or without an identity allow across accounts', () => {
    expect(evaluateAccess({ request: assume(), identityPolicies: [mayAssume], resourcePolicy: trust }).deniedBecause).toBe('no-resource-allow');
    expect(evaluateAccess({ request: assume({ 'sts:ExternalId': 'ext-1' }), identityPolicies: [], resourcePolicy: trust }).deniedBecause).toBe(
      'no-identity-allow',
    );
  });
});
