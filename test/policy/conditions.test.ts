import { describe, expect, it } from 'vitest';
import { conditionContext, conditionsHold, evaluateCondition, UnsupportedConditionOperatorError } from '../../policy/conditions.js';
import { evaluateAccess } from '../../policy/evaluate.js';
import { A, BUCKET_ARN, OBJECT_ARN, SLR_ARN, policy, role, slr } from './fixtures.js';

const ctx = conditionContext({
  'aws:PrincipalArn': SLR_ARN,
  'aws:PrincipalAccount': A,
  'kms:ViaService': 's3.us-east-1.amazonaws.com',
  'aws:SecureTransport': 'true',
  's3:max-keys': '50',
  'aws:CurrentTime': '2026-11-27T07:00:00Z',
  'aws:TagKeys': ['team', 'cost-center'],
});

describe('evaluateCondition', () => {
  it.each([
    // operator, key, policy value, expected
    ['StringEquals', 'kms:ViaService', 's3.us-east-1.amazonaws.com', true],
    ['StringEquals', 'KMS:VIASERVICE', 's3.us-east-1.amazonaws.com', true], // keys are case-insensitive
    ['StringEquals', 'kms:ViaService', 'S3.US-EAST-1.AMAZONAWS.COM', false], // values are not
    ['StringEqualsIgnoreCase', 'kms:ViaService', 'S3.US-EAST-1.AMAZONAWS.COM', true],
    ['StringNotEqualsIgnoreCase', 'kms:ViaService', 'S3.US-EAST-1.AMAZONAWS.COM', false],
    ['StringEquals', 'kms:ViaService', ['ec2.us-east-1.amazonaws.com', 's3.us-east-1.amazonaws.com'], true], // values OR
    ['StringNotEquals', 'kms:ViaService', ['ec2.us-east-1.amazonaws.com', 's3.us-east-1.amazonaws.com'], false], // negated: none may match
    ['StringNotEquals', 'kms:ViaService', ['ec2.us-east-1.amazonaws.com'], true],
    ['StringLike', 'kms:ViaService', 's3.*.amazonaws.com', true],
    ['StringLike', 'kms:ViaService', 's3.us-east-?.amazonaws.com', true],
    ['StringLike', 'kms:ViaService', 's3.us-east-??.amazonaws.com', false],
    ['StringNotLike', 'kms:ViaService', 'ec2.*', true],
    ['ArnLike', 'aws:PrincipalArn', `arn:aws:iam::${A}:role/aws-service-role/s3.data-source.lustre.fsx.amazonaws.com/AWSServiceRoleForFSxS3Access_fs-*`, true],
    ['ArnLike', 'aws:PrincipalArn', 'arn:aws:iam::*:role/aws-service-role/*', true],
    ['ArnLike', 'aws:PrincipalArn', `arn:aws:iam::${A}:role/other`, false],
    ['ArnEquals', 'aws:PrincipalArn', SLR_ARN, true],
    ['ArnNotLike', 'aws:PrincipalArn', `arn:aws:iam::${A}:role/aws-service-role/*`, false],
    ['ArnNotEquals', 'aws:PrincipalArn', `arn:aws:iam::${A}:role/other`, true],
    ['Bool', 'aws:SecureTransport', 'true', true],
    ['Bool', 'aws:SecureTransport', true, true],
    ['Bool', 'aws:SecureTransport', false, false],
    ['NumericEquals', 's3:max-keys', '50', true],
    ['NumericNotEquals', 's3:max-keys', '50', false],
    ['NumericLessThan', 's3:max-keys', '51', true],
    ['NumericLessThan', 's3:max-keys', '50', false],
    ['NumericLessThanEquals', 's3:max-keys', '50', true],
    ['NumericGreaterThan', 's3:max-keys', '10', true],
    ['NumericGreaterThanEquals', 's3:max-keys', '51', false],
    ['DateLessThan', 'aws:CurrentTime', '2027-01-01T00:00:00Z', true],
    ['DateGreaterThan', 'aws:CurrentTime', '2027-01-01T00:00:00Z', false],
  ] as const)('%s %s %j → %s', (operator, key, value, expected) => {
    expect(evaluateCondition(operator, key, value, ctx)).toBe(expected);
  });

  it.each([
    // A key missing from the request: positive false, negated true (AWS docs), IfExists true.
    ['StringEquals', false],
    ['StringLike', false],
    ['ArnLike', false],
    ['NumericEquals', false],
    ['Bool', false],
    ['StringNotEquals', true],
    ['StringNotLike', true],
    ['ArnNotLike', true],
    ['StringEqualsIfExists', true],
    ['ArnLikeIfExists', true],
    ['ForAnyValue:StringEquals', false],
    ['ForAllValues:StringEquals', true],
  ])('treats a missing key under %s as %s', (operator, expected) => {
    expect(evaluateCondition(operator, 'kms:EncryptionContext:aws:s3:arn', 'x', ctx)).toBe(expected);
  });

  it('checks an IfExists condition when the key is present', () => {
    expect(evaluateCondition('StringEqualsIfExists', 'kms:ViaService', 'ec2.us-east-1.amazonaws.com', ctx)).toBe(false);
    expect(evaluateCondition('StringEqualsIfExists', 'kms:ViaService', 's3.us-east-1.amazonaws.com', ctx)).toBe(true);
  });

  it('requires every request value to match under ForAllValues and one under ForAnyValue', () => {
    expect(evaluateCondition('ForAllValues:StringEquals', 'aws:TagKeys', ['team', 'cost-center', 'owner'], ctx)).toBe(true);
    expect(evaluateCondition('ForAllValues:StringEquals', 'aws:TagKeys', ['team'], ctx)).toBe(false);
    expect(evaluateCondition('ForAnyValue:StringEquals', 'aws:TagKeys', ['team'], ctx)).toBe(true);
    expect(evaluateCondition('ForAnyValue:StringEquals', 'aws:TagKeys', ['owner'], ctx)).toBe(false);
    expect(evaluateCondition('ForAnyValue:StringLike', 'aws:TagKeys', ['cost-*'], ctx)).toBe(true);
    expect(evaluateCondition('ForAllValues:StringNotEquals', 'aws:TagKeys', ['owner'], ctx)).toBe(true);
    expect(evaluateCondition('ForAnyValue:StringNotEquals', 'aws:TagKeys', ['team'], ctx)).toBe(true);
    expect(evaluateCondition('ForAllValues:StringNotEquals', 'aws:TagKeys', ['team'], ctx)).toBe(false);
  });

  it('tests presence with Null', () => {
    expect(evaluateCondition('Null', 'kms:EncryptionContext:aws:s3:arn', 'true', ctx)).toBe(true);
    expect(evaluateCondition('Null', 'kms:ViaService', 'true', ctx)).toBe(false);
    expect(evaluateCondition('Null', 'kms:ViaService', false, ctx)).toBe(true);
  });

  it('rejects operators it does not model instead of guessing', () => {
    expect(() => evaluateCondition('IpAddress', 'aws:SourceIp', '10.0.0.0/8', ctx)).toThrow(UnsupportedConditionOperatorError);
    expect(() => evaluateCondition('StringSortOf', 'kms:ViaService', 'x', ctx)).toThrow(/Unsupported condition operator "StringSortOf"/);
  });
});

describe('conditionsHold', () => {
  it('ANDs keys within an operator and operators within a block', () => {
    const ok = { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com', 'aws:PrincipalAccount': A } };
    expect(conditionsHold(ok, ctx)).toBe(true);
    expect(conditionsHold({ StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com', 'aws:PrincipalAccount': '999999999999' } }, ctx)).toBe(false);
    expect(conditionsHold({ ...ok, Bool: { 'aws:SecureTransport': 'false' } }, ctx)).toBe(false);
    expect(conditionsHold(undefined, ctx)).toBe(true);
  });
});

describe('evaluateAccess: request context', () => {
  it('fills aws:PrincipalArn with the role ARN, not the session, so the SLR pattern matches', () => {
    const statement = policy({
      Effect: 'Allow',
      Principal: '*',
      Action: 's3:GetObject',
      Resource: `${BUCKET_ARN}/*`,
      Condition: {
        ArnLike: { 'aws:PrincipalArn': [`arn:aws:iam::${A}:role/aws-service-role/s3.data-source.lustre.fsx.amazonaws.com/AWSServiceRoleForFSxS3Access_fs-*`] },
      },
    });
    const request = (principal: typeof slr) => ({ action: 's3:GetObject', resource: OBJECT_ARN, resourceAccount: A, principal });
    expect(evaluateAccess({ request: request(slr), identityPolicies: [], resourcePolicy: statement }).allowed).toBe(true);
    expect(evaluateAccess({ request: request(role(A, 'other')), identityPolicies: [], resourcePolicy: statement }).allowed).toBe(false);
  });

  it('lets the request context override and extend the global keys', () => {
    const statement = policy({
      Effect: 'Allow',
      Principal: '*',
      Action: 's3:GetObject',
      Resource: '*',
      Condition: { StringEquals: { 's3:ExistingObjectTag/class': 'public' } },
    });
    const request = {
      action: 's3:GetObject',
      resource: OBJECT_ARN,
      resourceAccount: A,
      principal: role(A, 'app'),
      context: { 's3:ExistingObjectTag/class': 'public' },
    };
    expect(evaluateAccess({ request, identityPolicies: [], resourcePolicy: statement }).allowed).toBe(true);
    expect(evaluateAccess({ request: { ...request, context: {} }, identityPolicies: [], resourcePolicy: statement }).allowed).toBe(false);
  });
});
