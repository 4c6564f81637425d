// The bucket statements the workflow writes must be non-public by S3's rule (Block Public Access
// is on by default) and still let the FSx SLR and the file-system role in across accounts, which
// needs their own identity policies too.
import { describe, expect, it } from 'vitest';
import { namesFor } from '../../core/naming.js';
import { bucketStatements, SERVICE_LINKED_ROLE_POLICY } from '../../policy/documents.js';
import { evaluateAccess } from '../../policy/evaluate.js';
import { evaluatePublicPolicy } from '../../policy/public-policy.js';
import { fileSystemRolePolicy } from '../../policy/target-role-policies.js';
import type { AccessRequest, PolicyDocument } from '../../policy/types.js';
import { A, B, C, SLR_ARN, loadRequest } from '../lambdas/fixtures.js';

const request = loadRequest('request.json');
const names = namesFor(request.requestId);
const fsRole = `arn:aws:iam::${A}:role/fsx-onboard-filesystem`;
const bucketArn = 'arn:aws:s3:::genomics-reference-data';
const object = `${bucketArn}/cohort-2026/sample.bam`;
const pattern = bucketStatements(request, names, { kind: 'pattern', fileSystemAccountId: A, fileSystemRoleArn: fsRole });
const narrowed = bucketStatements(request, names, { kind: 'serviceLinkedRole', serviceLinkedRoleArn: SLR_ARN });
const doc = (statements: typeof pattern): PolicyDocument => ({ Version: '2012-10-17', Statement: statements });
const fsRolePolicy = fileSystemRolePolicy({
  region: request.region,
  accounts: { fileSystem: A, bucket: B, key: C },
  orchestratorAccountId: A,
  bucketNames: [request.bucket.name],
  keyArns: [request.key.arn],
});

function allowed(principal: AccessRequest['principal'], identity: PolicyDocument, action: string, resource: string, policy: PolicyDocument): boolean {
  return evaluateAccess({ request: { action, resource, resourceAccount: B, principal }, identityPolicies: [identity], resourcePolicy: policy }).allowed;
}

const session = (arn: string, name: string): AccessRequest['principal'] => ({ arn, sessionArn: `arn:aws:sts::${A}:assumed-role/${name}/FSx`, account: A });
const slr = session(SLR_ARN, 'AWSServiceRoleForFSxS3Access_fs-0123456789abcdef0');
const fileSystemRole = session(fsRole, 'fsx-onboard-filesystem');
const otherRole = session(`arn:aws:iam::${A}:role/someone-else`, 'someone-else');
const everything: PolicyDocument = { Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] };

describe('bucket statements under Block Public Access', () => {
  it.each([
    ['pattern phase', pattern],
    ['narrowed phase', narrowed],
  ])('are non-public in the %s', (_phase, statements) => {
    expect(evaluatePublicPolicy(doc(statements))).toEqual({ isPublic: false, publicStatements: [] });
  });

  it.each([
    ['s3:ListBucket', bucketArn],
    ['s3:GetObject', object],
    ['s3:PutObject', object],
  ])('let the SLR (by pattern) and the file-system role %s across accounts in the pattern phase', (action, resource) => {
    expect(allowed(slr, SERVICE_LINKED_ROLE_POLICY, action, resource, doc(pattern))).toBe(true);
    expect(allowed(fileSystemRole, fsRolePolicy, action, resource, doc(pattern))).toBe(true);
  });

  it('let the SLR alone in once narrowed', () => {
    expect(allowed(slr, SERVICE_LINKED_ROLE_POLICY, 's3:GetObject', object, doc(narrowed))).toBe(true);
    expect(allowed(fileSystemRole, fsRolePolicy, 's3:GetObject', object, doc(narrowed))).toBe(false);
  });

  it('let no other role of account A in, whatever its own permissions, since the account root is narrowed by aws:PrincipalArn', () => {
    expect(allowed(otherRole, everything, 's3:GetObject', object, doc(pattern))).toBe(false);
    expect(allowed(otherRole, everything, 's3:ListBucket', bucketArn, doc(pattern))).toBe(false);
  });
});
