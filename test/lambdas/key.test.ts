import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { StepResults } from '../../core/step-outputs.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { CreateGrantCommand, GetKeyPolicyCommand, KMSClient, ListGrantsCommand, PutKeyPolicyCommand, RevokeGrantCommand } from '@aws-sdk/client-kms';
import { shareKey } from '../../lambdas/share-key/share-key.js';
import { unshareKey } from '../../lambdas/unshare-key/unshare-key.js';
import { createGrant } from '../../lambdas/create-grant/create-grant.js';
import { revokeGrant } from '../../lambdas/revoke-grant/revoke-grant.js';
import { A, BLOG_GRANT_OPERATIONS, C, SLR_ARN, awsError, policyOf, setup } from './fixtures.js';

// The lock table: acquire and release succeed (tests of the lock itself: test/lambdas/resource-lock-*.test.ts).
mockClient(DynamoDBClient);
const kms = mockClient(KMSClient);
const keyArn = 'arn:aws:kms:us-east-1:333333333333:key/2a1bae3d-a3e7-475b-acb2-b0dd92a5ff99';
const rootStatement = { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${C}:root` }, Action: 'kms:*', Resource: '*' };
const cloudTrailStatement = {
  Sid: 'AllowCloudTrail',
  Effect: 'Allow',
  Principal: { Service: 'cloudtrail.amazonaws.com' },
  Action: 'kms:GenerateDataKey*',
  Resource: '*',
};
const operations = BLOG_GRANT_OPERATIONS;

function keyWithPolicy(statements: unknown[]) {
  let policy = JSON.stringify({ Version: '2012-10-17', Id: 'key-default-1', Statement: statements });
  kms.on(GetKeyPolicyCommand).callsFake(() => ({ Policy: policy, PolicyName: 'default' }));
  kms.on(PutKeyPolicyCommand).callsFake((input: { Policy: string }) => {
    policy = input.Policy;
    return {};
  });
}

beforeEach(() => kms.reset());

describe('ShareKey', () => {
  it("adds the blog's two statements (key use for A and B, grants by A's file-system role) by key ARN, via the key role in C", async () => {
    keyWithPolicy([rootStatement, cloudTrailStatement]);
    const { input, deps, names, clients } = setup();
    await expect(shareKey(input, deps)).resolves.toEqual({ changed: true, sid: names.keyUseSid });
    expect(clients.targets).toEqual(['orchestrator', `key@${C}`]);
    expect(kms).toHaveReceivedCommandWith(GetKeyPolicyCommand, { KeyId: keyArn, PolicyName: 'default' });
    const call = kms.commandCalls(PutKeyPolicyCommand)[0]!;
    expect(call.args[0].input).toMatchObject({ KeyId: keyArn, PolicyName: 'default', BypassPolicyLockoutSafetyCheck: false });
    const written = policyOf(call);
    expect(written.Id).toBe('key-default-1');
    expect(written.Statement).toEqual([
      rootStatement,
      cloudTrailStatement,
      {
        Sid: names.keyUseSid,
        Effect: 'Allow',
        Principal: { AWS: ['arn:aws:iam::111111111111:root', 'arn:aws:iam::222222222222:root'] },
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
        Resource: keyArn,
        Condition: {
          StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com', 'kms:CallerAccount': ['111111111111', '222222222222'] },
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': ['arn:aws:s3:::genomics-reference-data/cohort-2026/*', 'arn:aws:s3:::genomics-reference-data'] },
        },
      },
      // The SLR's grant must be created from account A; ListGrants and RevokeGrant carry no grantee to scope by.
      {
        Sid: `${names.sid}CreateGrant`,
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${A}:role/fsx-onboard-filesystem` },
        Action: 'kms:CreateGrant',
        Resource: keyArn,
        Condition: {
          StringLike: {
            'kms:GranteePrincipal': `arn:aws:iam::${A}:role/aws-service-role/s3.data-source.lustre.fsx.amazonaws.com/AWSServiceRoleForFSxS3Access_fs-*`,
          },
          'ForAllValues:StringEquals': { 'kms:GrantOperations': operations },
        },
      },
      {
        Sid: `${names.sid}ManageGrants`,
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${A}:role/fsx-onboard-filesystem` },
        Action: ['kms:ListGrants', 'kms:RevokeGrant'],
        Resource: keyArn,
      },
    ]);

    kms.resetHistory();
    await expect(shareKey(input, deps)).resolves.toMatchObject({ changed: false });
    expect(kms).not.toHaveReceivedCommand(PutKeyPolicyCommand);
  });

  it('refuses a key policy that would exceed 32 KB before calling PutKeyPolicy', async () => {
    keyWithPolicy([rootStatement, { ...cloudTrailStatement, Resource: `arn:${'x'.repeat(33_000)}` }]);
    const { input, deps } = setup();
    await expect(shareKey(input, deps)).rejects.toMatchObject({ name: 'ResourceConflict' });
    expect(kms).not.toHaveReceivedCommand(PutKeyPolicyCommand);
  });

  it('lets MalformedPolicyDocumentException through unchanged', async () => {
    kms.on(GetKeyPolicyCommand).resolves({ Policy: JSON.stringify({ Statement: [rootStatement] }) });
    kms
      .on(PutKeyPolicyCommand)
      .rejects(awsError('MalformedPolicyDocumentException', 'The new key policy will not allow you to update the key policy in the future.'));
    const { input, deps } = setup();
    await expect(shareKey(input, deps)).rejects.toMatchObject({ name: 'MalformedPolicyDocumentException' });
  });
});

describe('UnshareKey', () => {
  it('removes only our statements, and nothing on a second run', async () => {
    const { input, deps, names } = setup();
    const ours = (Sid: string) => ({ Sid, Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*' });
    keyWithPolicy([rootStatement, ours(names.keyUseSid), cloudTrailStatement, ours(`${names.sid}CreateGrant`), ours(`${names.sid}ManageGrants`)]);
    await expect(unshareKey(input, deps)).resolves.toEqual({ changed: true, removed: 3 });
    expect(policyOf(kms.commandCalls(PutKeyPolicyCommand)[0]).Statement).toEqual([rootStatement, cloudTrailStatement]);

    kms.resetHistory();
    await expect(unshareKey(input, deps)).resolves.toEqual({ changed: false, removed: 0 });
    expect(kms).not.toHaveReceivedCommand(PutKeyPolicyCommand);
  });
});

describe('CreateGrant', () => {
  const steps = { WaitForServiceLinkedRole: { done: true, attempts: 2, roleArn: SLR_ARN } };

  it("grants the SLR the blog's operations on the key ARN with the request's grant name", async () => {
    kms
      .on(ListGrantsCommand)
      .resolves({ Grants: [{ GrantId: 'other', Name: 'someone-else', GranteePrincipal: SLR_ARN, Operations: ['Decrypt'] }], Truncated: false });
    kms.on(CreateGrantCommand).resolves({ GrantId: 'g-1', GrantToken: 'token-1' });
    const { input, deps, names, clients } = setup('request.json', steps);
    await expect(createGrant(input, deps)).resolves.toEqual({
      changed: true,
      grantId: 'g-1',
      grantToken: 'token-1',
      granteePrincipal: SLR_ARN,
      grants: [{ keyArn, changed: true, grantId: 'g-1', grantToken: 'token-1' }],
    });
    // From account A: the FSx Lustre User Guide requires the SLR's grant to come from the file system's account.
    expect(clients.targets).toEqual([`fileSystem@${A}`]);
    expect(kms).toHaveReceivedCommandWith(ListGrantsCommand, { KeyId: keyArn });
    expect(kms).toHaveReceivedCommandExactlyOnceWith(CreateGrantCommand, {
      KeyId: keyArn,
      GranteePrincipal: SLR_ARN,
      Operations: operations,
      Name: names.grantName,
    });
  });

  it('finds its grant by name on a second run and creates none', async () => {
    const { input, deps, names } = setup('request.json', steps);
    kms
      .on(ListGrantsCommand)
      .resolves({ Grants: [{ GrantId: 'g-1', Name: names.grantName, GranteePrincipal: SLR_ARN, Operations: [...operations].reverse(), KeyId: keyArn }] });
    await expect(createGrant(input, deps)).resolves.toEqual({
      changed: false,
      grantId: 'g-1',
      granteePrincipal: SLR_ARN,
      grants: [{ keyArn, changed: false, grantId: 'g-1' }],
    });
    expect(kms).not.toHaveReceivedCommand(CreateGrantCommand);
  });

  it('grants each of bucket.additionalKeyArns too, by full key ARN, each found by name on a re-run', async () => {
    const other = 'arn:aws:kms:us-east-1:444444444444:key/0f0f0f0f-1111-2222-3333-444444444444';
    const { input, deps, names } = setup('request.json', steps, { edit: (raw) => (raw['bucket'].additionalKeyArns = [other]) });
    kms
      .on(ListGrantsCommand, { KeyId: keyArn })
      .resolves({ Grants: [{ GrantId: 'g-1', Name: names.grantName, GranteePrincipal: SLR_ARN, Operations: operations }] });
    kms.on(ListGrantsCommand, { KeyId: other }).resolves({ Grants: [] });
    kms.on(CreateGrantCommand, { KeyId: other }).resolves({ GrantId: 'g-2', GrantToken: 'token-2' });
    const previous = { ...steps, CreateGrant: { grantId: 'g-1', grantToken: 'token-1' } } as StepResults;
    await expect(createGrant({ ...input, steps: previous }, deps)).resolves.toMatchObject({
      changed: true,
      grantId: 'g-1',
      grantToken: 'token-1',
      grants: [
        { keyArn, changed: false, grantId: 'g-1', grantToken: 'token-1' },
        { keyArn: other, changed: true, grantId: 'g-2', grantToken: 'token-2' },
      ],
    });
    expect(kms).toHaveReceivedCommandExactlyOnceWith(CreateGrantCommand, {
      KeyId: other,
      GranteePrincipal: SLR_ARN,
      Operations: operations,
      Name: names.grantName,
    });
  });

  it('names the key-policy statement the owner of an additional key must add when KMS refuses the grant', async () => {
    const other = 'arn:aws:kms:us-east-1:444444444444:key/0f0f0f0f-1111-2222-3333-444444444444';
    const { input, deps } = setup('request.json', steps, { edit: (raw) => (raw['bucket'].additionalKeyArns = [other]) });
    kms.on(ListGrantsCommand, { KeyId: keyArn }).resolves({ Grants: [] });
    kms.on(CreateGrantCommand, { KeyId: keyArn }).resolves({ GrantId: 'g-1', GrantToken: 'token-1' });
    kms.on(ListGrantsCommand, { KeyId: other }).rejects(awsError('AccessDeniedException', 'not authorized to perform: kms:ListGrants'));
    await expect(createGrant(input, deps)).rejects.toMatchObject({
      name: 'KeyGrantNotAllowed',
      message: expect.stringMatching(
        new RegExp(`arn:aws:iam::${A}:role/fsx-onboard-filesystem may not manage grants on ${other}.*additionalKeyArns.*its owner must add it`),
      ),
    });
  });

  it('lets InvalidArnException (a grantee IAM has not propagated) through for the retry', async () => {
    kms.on(ListGrantsCommand).resolves({ Grants: [] });
    kms.on(CreateGrantCommand).rejects(awsError('InvalidArnException', 'ARN does not refer to a valid principal'));
    const { input, deps } = setup('request.json', steps);
    await expect(createGrant(input, deps)).rejects.toMatchObject({ name: 'InvalidArnException' });
  });
});

describe('RevokeGrant', () => {
  it('revokes the grants named for this request only, and nothing when none is left', async () => {
    const { input, deps, names } = setup();
    kms
      .on(ListGrantsCommand)
      .resolvesOnce({
        Grants: [
          { GrantId: 'theirs', Name: 'other-team' },
          { GrantId: 'g-1', Name: names.grantName },
        ],
        Truncated: true,
        NextMarker: 'm1',
      })
      .resolvesOnce({ Grants: [{ GrantId: 'g-2', Name: names.grantName }], Truncated: false });
    await expect(revokeGrant(input, deps)).resolves.toEqual({ changed: true, revokedGrantIds: ['g-1', 'g-2'] });
    expect(deps.clients).toMatchObject({ targets: [`fileSystem@${A}`] });
    expect(kms).toHaveReceivedCommandWith(ListGrantsCommand, { KeyId: keyArn, Marker: 'm1' });
    expect(kms).toHaveReceivedCommandTimes(RevokeGrantCommand, 2);
    expect(kms).toHaveReceivedCommandWith(RevokeGrantCommand, { KeyId: keyArn, GrantId: 'g-1' });
    expect(kms).not.toHaveReceivedCommandWith(RevokeGrantCommand, { KeyId: keyArn, GrantId: 'theirs' });

    kms.reset();
    kms.on(ListGrantsCommand).resolves({ Grants: [{ GrantId: 'theirs', Name: 'other-team' }] });
    await expect(revokeGrant(input, deps)).resolves.toEqual({ changed: false, revokedGrantIds: [] });
    expect(kms).not.toHaveReceivedCommand(RevokeGrantCommand);
  });

  it("skips a key A may not list grants on only when ShareKey's grant statement is not there (no grant can exist)", async () => {
    const { input, deps, names } = setup();
    kms.on(ListGrantsCommand).rejects(awsError('AccessDeniedException', 'no resource-based policy allows the kms:ListGrants action'));
    keyWithPolicy([rootStatement]);
    await expect(revokeGrant(input, deps)).resolves.toEqual({ changed: false, revokedGrantIds: [], skippedKeyArns: [keyArn] });
    // With the statement in place, a refusal is a real problem: the grant may be left behind.
    keyWithPolicy([rootStatement, { Sid: `${names.sid}CreateGrant`, Effect: 'Allow', Principal: '*', Action: 'kms:CreateGrant', Resource: '*' }]);
    await expect(revokeGrant(input, deps)).rejects.toMatchObject({ name: 'KeyGrantNotAllowed' });
  });
});
