import { describe, expect, it } from 'vitest';
import { describePublicStatements, evaluatePublicPolicy, isFixedValue } from '../../policy/public-policy.js';
import { knownActionsMatching, statementS3Actions } from '../../policy/s3-actions.js';
import type { PolicyStatement } from '../../policy/types.js';
import { A, BUCKET_ARN, SLR_ARN, policy } from './fixtures.js';

const objects = `${BUCKET_ARN}/*`;
const slrPattern = `arn:aws:iam::${A}:role/aws-service-role/s3.data-source.lustre.fsx.amazonaws.com/AWSServiceRoleForFSxS3Access_fs-*`;
const anyone = (extra: Partial<PolicyStatement> = {}): PolicyStatement => ({
  Effect: 'Allow',
  Principal: '*',
  Action: 's3:GetObject',
  Resource: objects,
  ...extra,
});
// A policy variable, spelt without a template literal: `$` then `{aws:...}`.
const variable = (name: string) => ['$', '{', name, '}'].join('');
const verdict = (...statements: PolicyStatement[]) => evaluatePublicPolicy(policy(...statements));

describe('S3 "meaning of public" for bucket policies', () => {
  it('calls Principal "*" with no condition public, and says which statement and why', () => {
    const result = verdict(
      { Sid: 'Private', Effect: 'Allow', Principal: { AWS: SLR_ARN }, Action: 's3:GetObject', Resource: objects },
      anyone({ Sid: 'Open' }),
    );
    expect(result.isPublic).toBe(true);
    expect(result.publicStatements).toEqual([{ index: 1, sid: 'Open', badActions: ['s3:GetObject'], reasons: ['Principal is "*"', 'no condition limits it'] }]);
    expect(describePublicStatements(result.publicStatements)).toContain('"Open" (statement 1) grants s3:GetObject: Principal is "*"');
  });

  it('calls the old FSx pattern statement public: Principal "*" limited only by a wildcard aws:PrincipalArn', () => {
    const result = verdict(anyone({ Action: ['s3:Get*', 's3:PutObject'], Condition: { ArnLike: { 'aws:PrincipalArn': [slrPattern] } } }));
    expect(result.isPublic).toBe(true);
    expect(result.publicStatements[0]!.reasons[1]).toContain('aws:PrincipalArn is not a condition key S3 accepts as limiting');
  });

  it('takes the less forgiving reading for keys S3 does not list: a fixed aws:PrincipalAccount or aws:PrincipalArn does not limit', () => {
    expect(verdict(anyone({ Condition: { StringEquals: { 'aws:PrincipalAccount': A } } })).isPublic).toBe(true);
    expect(verdict(anyone({ Condition: { ArnEquals: { 'aws:PrincipalArn': SLR_ARN } } })).isPublic).toBe(true);
  });

  it('calls a fixed AWS principal non-public, with or without a wildcard condition on top', () => {
    expect(verdict({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 's3:*', Resource: objects }).isPublic).toBe(false);
    expect(
      verdict({
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${A}:root` },
        Action: ['s3:Get*', 's3:PutObject'],
        Resource: objects,
        Condition: { ArnLike: { 'aws:PrincipalArn': [slrPattern] } },
      }).isPublic,
    ).toBe(false);
    expect(verdict({ Effect: 'Allow', Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject', Resource: objects }).isPublic).toBe(false);
  });

  it('calls a principal with a wildcard, or an Allow with NotPrincipal, public', () => {
    expect(verdict(anyone({ Principal: { AWS: '*' } })).isPublic).toBe(true);
    expect(verdict(anyone({ Principal: { AWS: [`arn:aws:iam::${A}:root`, 'arn:aws:iam::*:root'] } })).publicStatements[0]!.reasons[0]).toBe(
      'Principal names "arn:aws:iam::*:root"',
    );
    const { Principal: _p, ...rest } = anyone();
    expect(verdict({ ...rest, NotPrincipal: { AWS: `arn:aws:iam::${A}:root` } }).isPublic).toBe(true);
  });

  it.each([
    ['aws:SourceArn', { ArnEquals: { 'aws:SourceArn': 'arn:aws:cloudtrail:us-east-1:111111111111:trail/main' } }],
    ['aws:SourceAccount', { StringEquals: { 'aws:SourceAccount': A } }],
    ['aws:PrincipalOrgID', { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123def4' } }],
    ['aws:SourceVpce', { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } }],
    ['aws:SourceVpc (StringLike without a wildcard)', { StringLike: { 'aws:SourceVpc': 'vpc-111bbb22' } }],
    ['aws:SourceOwner', { StringEquals: { 'aws:SourceOwner': A } }],
    ['the KMS key id', { StringEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'arn:aws:kms:us-east-1:333333333333:key/k' } }],
    ['aws:userid', { StringEquals: { 'aws:userid': 'AROAEXAMPLEID:alice' } }],
    ['s3:DataAccessPointAccount', { StringEquals: { 's3:DataAccessPointAccount': A } }],
    ['aws:SourceIp (a narrow CIDR)', { IpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '203.0.113.7'] } }],
    ['a key in another case', { StringEquals: { 'AWS:SOURCEACCOUNT': A } }],
    ['ForAnyValue with fixed values', { 'ForAnyValue:StringEquals': { 'aws:SourceVpce': ['vpce-1a2b3c4d'] } }],
  ])('calls Principal "*" limited by a fixed %s non-public', (_what, Condition) => {
    expect(verdict(anyone({ Condition })).isPublic).toBe(false);
  });

  it.each([
    ['a wildcard value', { StringLike: { 'aws:SourceVpc': 'vpc-*' } }, 'is not fixed'],
    ['a policy variable', { StringEquals: { 'aws:SourceAccount': variable('aws:PrincipalAccount') } }, 'is not fixed'],
    ['a negated operator', { StringNotEquals: { 'aws:SourceAccount': A } }, 'does not limit'],
    ['an IfExists operator', { StringEqualsIfExists: { 'aws:SourceAccount': A } }, 'also holds when the key is absent'],
    ['ForAllValues', { 'ForAllValues:StringEquals': { 'aws:SourceVpce': ['vpce-1a2b3c4d'] } }, 'also holds when the key is absent'],
    ['a wide CIDR', { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } }, 'not a narrow fixed CIDR'],
    ['aws:userid of any session of a role', { StringLike: { 'aws:userid': 'AROAEXAMPLEID:*' } }, 'is not fixed'],
    ['a key S3 does not list', { Bool: { 'aws:SecureTransport': 'true' } }, 'aws:SecureTransport is not a condition key'],
  ])('keeps Principal "*" public under %s', (_what, Condition, why) => {
    const result = verdict(anyone({ Condition }));
    expect(result.isPublic).toBe(true);
    expect(result.publicStatements[0]!.reasons.join(' ')).toContain(why);
  });

  it('needs only one limiting condition, since conditions are ANDed', () => {
    const Condition = { Bool: { 'aws:SecureTransport': 'true' }, StringEquals: { 'aws:SourceAccount': A } };
    expect(verdict(anyone({ Condition })).isPublic).toBe(false);
  });

  it('ignores Deny statements and Allows that grant no bad action', () => {
    expect(
      verdict({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: objects, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }).isPublic,
    ).toBe(false);
    expect(verdict(anyone({ Action: 's3:ReplicateObject' })).isPublic).toBe(false);
    expect(verdict(anyone({ Action: 's3:ListAllMyBuckets' })).isPublic).toBe(true);
    expect(evaluatePublicPolicy(undefined)).toEqual({ isPublic: false, publicStatements: [] });
  });

  it('finds bad actions behind wildcards and NotAction', () => {
    expect(verdict(anyone({ Action: 's3:*Object' })).publicStatements[0]!.badActions).toContain('s3:GetObject');
    const { Action: _a, ...rest } = anyone();
    expect(verdict({ ...rest, NotAction: 's3:GetObject' }).publicStatements[0]!.badActions).toContain('s3:PutObject');
  });

  it('treats "*", "?" and policy variables as not fixed', () => {
    expect(isFixedValue('arn:aws:iam::111111111111:root')).toBe(true);
    expect(['a*', 'a?', `arn:${variable('aws:username')}`].map(isFixedValue)).toEqual([false, false, false]);
  });
});

describe('S3 action table', () => {
  it('expands wildcards case-insensitively to known actions only', () => {
    expect(knownActionsMatching('s3:getbucketloc*')).toEqual(['s3:GetBucketLocation']);
    expect(knownActionsMatching('s3:GetObjects')).toEqual([]);
    expect(statementS3Actions({ Effect: 'Allow', Action: ['s3:ListBucket', 's3:List*'], Resource: BUCKET_ARN })).toContain('s3:ListBucketVersions');
  });
});
