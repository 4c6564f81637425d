import { describe, expect, it } from 'vitest';
import { evaluateAccess } from '../../policy/evaluate.js';
import { actionMatches, arnMatches, excludedByNotPrincipal, globMatch, principalMatches, type PrincipalMatch } from '../../policy/matching.js';
import type { AccessRequest, PolicyStatement } from '../../policy/types.js';
import { A, B, BUCKET_ARN, OBJECT_ARN, PREFIX, policy, role, slr } from './fixtures.js';

const app = role(A, 'app', 'session-1');

describe('wildcards', () => {
  it.each([
    ['s3:Get*', 's3:GetObject', true],
    ['S3:getobject', 's3:GetObject', true],
    ['s3:*Object', 's3:PutObject', true],
    ['s3:Get*', 's3:PutObject', false],
    ['kms:ReEncrypt*', 'kms:ReEncryptFrom', true],
    ['kms:GenerateDataKey?', 'kms:GenerateDataKey', false],
    ['*', 'iam:PassRole', true],
  ])('action %s matches %s: %s', (pattern, action, expected) => {
    expect(actionMatches(pattern, action)).toBe(expected);
  });

  it.each([
    [`${BUCKET_ARN}/${PREFIX}*`, OBJECT_ARN, true],
    [`${BUCKET_ARN}/${PREFIX}*`, `${BUCKET_ARN}/other/data.csv`, false],
    [`${BUCKET_ARN}/${PREFIX}*`, BUCKET_ARN, false],
    [`${BUCKET_ARN}/${PREFIX}dat?.csv`, OBJECT_ARN, true],
    [`${BUCKET_ARN}/${PREFIX}da?.csv`, OBJECT_ARN, false],
    ['arn:aws:kms:us-east-1:*:key/*', 'arn:aws:kms:us-east-1:333333333333:key/abc', true],
    ['arn:aws:kms:*:333333333333:key/*', 'arn:aws:kms:us-east-1:444444444444:key/abc', false],
    ['arn:aws:kms:us-east-?:333333333333:key/*', 'arn:aws:kms:us-east-1:333333333333:key/abc', true],
    ['arn:aws:kms:*:*:alias/*', 'arn:aws:kms:us-east-1:333333333333:key/abc', false],
    ['arn:aws:s3:::Shared-Data', 'arn:aws:s3:::shared-data', false],
    ['*', 'arn:aws:s3:::anything', true],
  ])('resource %s matches %s: %s', (pattern, arn, expected) => {
    expect(arnMatches(pattern, arn)).toBe(expected);
  });

  it('escapes regular-expression characters in patterns', () => {
    expect(globMatch('a.b', 'axb')).toBe(false);
    expect(globMatch('a+(b)', 'a+(b)')).toBe(true);
  });
});

describe('principals', () => {
  const cases: [string, NonNullable<PolicyStatement['Principal']>, PrincipalMatch][] = [
    ['"*"', '*', 'direct'],
    ['{AWS: "*"}', { AWS: '*' }, 'direct'],
    ['the role ARN', { AWS: app.arn }, 'direct'],
    ['the session ARN', { AWS: app.sessionArn! }, 'direct'],
    ['another session of the role', { AWS: `arn:aws:sts::${A}:assumed-role/app/session-2` }, false],
    ['the account root', { AWS: `arn:aws:iam::${A}:root` }, 'account'],
    ['the bare account id', { AWS: A }, 'account'],
    ['another account', { AWS: [`arn:aws:iam::${B}:root`, B] }, false],
    ['a service', { Service: 's3.amazonaws.com' }, false],
  ];
  it.each(cases)('matches a role session named by %s as %s', (_name, element, expected) => {
    expect(principalMatches(element, app)).toBe(expected);
  });

  it('excludes a caller from a NotPrincipal deny only when its account is listed too', () => {
    expect(excludedByNotPrincipal({ AWS: app.arn }, app)).toBe(false);
    expect(excludedByNotPrincipal({ AWS: [app.arn, `arn:aws:iam::${A}:root`] }, app)).toBe(true);
    expect(excludedByNotPrincipal({ AWS: [app.sessionArn!, A] }, app)).toBe(true);
    expect(excludedByNotPrincipal({ AWS: [`arn:aws:iam::${A}:root`] }, app)).toBe(false);
    expect(excludedByNotPrincipal({ AWS: [`arn:aws:iam::${A}:root`] }, { arn: `arn:aws:iam::${A}:root`, account: A })).toBe(true);
  });
});

describe('evaluateAccess: Not* elements', () => {
  const request = (action: string, resource = OBJECT_ARN, principal: AccessRequest['principal'] = app): AccessRequest => ({
    action,
    resource,
    resourceAccount: A,
    principal,
  });
  const allowAll = policy({ Effect: 'Allow', Action: 's3:*', Resource: '*' });

  it('denies everything but the NotAction list with a Deny NotAction statement', () => {
    const readOnly = policy({ Sid: 'OnlyReads', Effect: 'Deny', NotAction: ['s3:Get*', 's3:List*'], Resource: '*' });
    expect(evaluateAccess({ request: request('s3:PutObject'), identityPolicies: [allowAll, readOnly] }).deniedBecause).toBe('explicit-deny-identity');
    expect(evaluateAccess({ request: request('s3:GetObject'), identityPolicies: [allowAll, readOnly] }).allowed).toBe(true);
  });

  it('allows only actions outside NotAction with an Allow NotAction statement', () => {
    const allButDelete = policy({ Effect: 'Allow', NotAction: 's3:Delete*', Resource: '*' });
    expect(evaluateAccess({ request: request('s3:PutObject'), identityPolicies: [allButDelete] }).allowed).toBe(true);
    expect(evaluateAccess({ request: request('s3:DeleteObject'), identityPolicies: [allButDelete] }).deniedBecause).toBe('no-identity-allow');
  });

  it('applies an Allow NotResource statement to every other resource', () => {
    const notSecret = policy({ Effect: 'Allow', Action: 's3:GetObject', NotResource: `${BUCKET_ARN}/secret/*` });
    expect(evaluateAccess({ request: request('s3:GetObject'), identityPolicies: [notSecret] }).allowed).toBe(true);
    expect(evaluateAccess({ request: request('s3:GetObject', `${BUCKET_ARN}/secret/key`), identityPolicies: [notSecret] }).allowed).toBe(false);
  });

  it('denies everyone but the excluded principal with a Deny NotPrincipal statement', () => {
    const resourcePolicy = policy(
      { Sid: 'OnlyFsx', Effect: 'Deny', NotPrincipal: { AWS: [slr.arn, `arn:aws:iam::${A}:root`] }, Action: 's3:*', Resource: `${BUCKET_ARN}/*` },
      { Effect: 'Allow', Principal: { AWS: [slr.arn, app.arn] }, Action: 's3:GetObject', Resource: `${BUCKET_ARN}/*` },
    );
    expect(evaluateAccess({ request: request('s3:GetObject', OBJECT_ARN, slr), identityPolicies: [], resourcePolicy }).allowed).toBe(true);
    const other = evaluateAccess({ request: request('s3:GetObject'), identityPolicies: [], resourcePolicy });
    expect(other).toMatchObject({ allowed: false, deniedBecause: 'explicit-deny-resource', matchedStatements: ['OnlyFsx'] });
  });

  it('ignores a resource policy statement that names no principal', () => {
    const noPrincipal = policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: `${BUCKET_ARN}/*` });
    expect(evaluateAccess({ request: request('s3:GetObject'), identityPolicies: [], resourcePolicy: noPrincipal }).allowed).toBe(false);
  });
});
