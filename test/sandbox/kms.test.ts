import { CreateGrantCommand, DescribeKeyCommand, GetKeyPolicyCommand, ListGrantsCommand, PutKeyPolicyCommand, RevokeGrantCommand } from '@aws-sdk/client-kms';
import { GetBucketPolicyCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { canaryKey, shareBucketAndKey, world } from './world.js';

const ops = ['Decrypt', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'CreateGrant', 'DescribeKey', 'ReEncryptFrom', 'ReEncryptTo'];

/** Sandbox-made SLR (as FSx would create it), propagated. */
function addSlr(w: Awaited<ReturnType<typeof world>>, fsId = 'fs-0123456789abcdef0') {
  const arn = `arn:aws:iam::${w.a}:role/aws-service-role/s3.data-source.lustre.fsx.amazonaws.com/AWSServiceRoleForFSxS3Access_${fsId}`;
  w.sandbox.state.roles[arn] = {
    arn,
    name: `AWSServiceRoleForFSxS3Access_${fsId}`,
    path: '/aws-service-role/s3.data-source.lustre.fsx.amazonaws.com/',
    account: w.a,
    trustPolicy: { Statement: [] },
    inlinePolicies: {},
    managedPolicies: [],
    createdAt: w.sandbox.clock.now() - 60_000,
  };
  return arn;
}

describe('sandbox KMS', () => {
  it('describes a key across accounts by ARN', async () => {
    const w = await world();
    const { KeyMetadata } = await w.key.kms.send(new DescribeKeyCommand({ KeyId: w.request.key.arn }));
    expect(KeyMetadata).toMatchObject({ KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT', KeyState: 'Enabled', AWSAccountId: w.c });
    await expect(w.key.kms.send(new DescribeKeyCommand({ KeyId: w.request.key.arn.replace(/.{4}$/, 'ffff') }))).rejects.toMatchObject({
      name: 'NotFoundException',
    });
  });

  it('refuses a key policy that would lock the caller out, unless the safety check is bypassed', async () => {
    const w = await world();
    const lockout = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: 'OnlyA', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${w.a}:root` }, Action: 'kms:Decrypt', Resource: '*' }],
    });
    await expect(w.key.kms.send(new PutKeyPolicyCommand({ KeyId: w.request.key.arn, PolicyName: 'default', Policy: lockout }))).rejects.toMatchObject({
      name: 'MalformedPolicyDocumentException',
      message: expect.stringContaining('will not allow you to update the key policy'),
    });
    await w.key.kms.send(new PutKeyPolicyCommand({ KeyId: w.request.key.arn, PolicyName: 'default', Policy: lockout, BypassPolicyLockoutSafetyCheck: true }));
    await expect(w.key.kms.send(new GetKeyPolicyCommand({ KeyId: w.request.key.arn, PolicyName: 'default' }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
  });

  it('rejects key policies over 32 KB and policies naming principals that do not exist', async () => {
    const w = await world();
    const root = { Sid: 'Root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${w.c}:root` }, Action: 'kms:*', Resource: '*' };
    const big = {
      Version: '2012-10-17',
      Statement: [
        root,
        {
          Sid: 'Pad',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${w.a}:root` },
          Action: 'kms:Decrypt',
          Resource: '*',
          Condition: { StringEquals: { 'kms:EncryptionContext:x': 'y'.repeat(33_000) } },
        },
      ],
    };
    await expect(
      w.key.kms.send(new PutKeyPolicyCommand({ KeyId: w.request.key.arn, PolicyName: 'default', Policy: JSON.stringify(big) })),
    ).rejects.toMatchObject({ name: 'LimitExceededException' });
    const ghost = {
      Version: '2012-10-17',
      Statement: [root, { Sid: 'Ghost', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${w.a}:role/ghost` }, Action: 'kms:Decrypt', Resource: '*' }],
    };
    await expect(
      w.key.kms.send(new PutKeyPolicyCommand({ KeyId: w.request.key.arn, PolicyName: 'default', Policy: JSON.stringify(ghost) })),
    ).rejects.toMatchObject({ name: 'MalformedPolicyDocumentException' });
  });

  it('returns the same grant with a new, working token for a retry with the same Name and parameters, a new grant otherwise', async () => {
    const w = await world();
    await shareBucketAndKey(w);
    const slr = addSlr(w);
    const create = (operations: string[]) =>
      w.fileSystem.kms.send(
        new CreateGrantCommand({ KeyId: w.request.key.arn, GranteePrincipal: slr, Operations: operations as never, Name: 'fsx-onboard-t1' }),
      );
    const first = await create(ops);
    const retry = await create(ops);
    expect(retry.GrantId).toBe(first.GrantId);
    expect(first.GrantToken).toBeTruthy();
    // KMS issues a new grant token on every CreateGrant call, a retry included.
    expect(retry.GrantToken).toBeTruthy();
    expect(retry.GrantToken).not.toBe(first.GrantToken);
    const listed = await w.fileSystem.kms.send(new ListGrantsCommand({ KeyId: w.request.key.arn }));
    expect(listed.Grants).toHaveLength(1);
    expect(listed.Grants?.[0]).toMatchObject({ Name: 'fsx-onboard-t1', GranteePrincipal: slr, KeyId: w.request.key.arn });
    const other = await create(['Decrypt']);
    expect(other.GrantId).not.toBe(first.GrantId);
    await w.fileSystem.kms.send(new RevokeGrantCommand({ KeyId: w.request.key.arn, GrantId: first.GrantId! }));
    expect((await w.fileSystem.kms.send(new ListGrantsCommand({ KeyId: w.request.key.arn }))).Grants).toHaveLength(1);
  });

  it('accepts every token a grant was issued before it propagates, and no forged one', async () => {
    const w = await world();
    // Let the key role grant (a key administrator of C would): the grantee is B's role, no FSx SLR.
    const keyRole = w.sandbox.state.roles[`arn:aws:iam::${w.c}:role/fsx-onboard-key`]!;
    keyRole.inlinePolicies['grants'] = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:CreateGrant', Resource: '*' }] };
    const grant = () =>
      w.key.kms.send(
        new CreateGrantCommand({
          KeyId: w.request.key.arn,
          GranteePrincipal: `arn:aws:iam::${w.b}:role/fsx-onboard-bucket`,
          Operations: ['DescribeKey'],
          Name: 'g-tokens',
        }),
      );
    const first = await grant();
    const retry = await grant();
    const describe = (GrantTokens?: string[]) =>
      w.bucket.kms.send(new DescribeKeyCommand({ KeyId: w.request.key.arn, ...(GrantTokens ? { GrantTokens } : {}) }));
    await expect(describe()).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(describe([first.GrantToken!])).resolves.toMatchObject({ KeyMetadata: { Arn: w.request.key.arn } });
    await expect(describe([retry.GrantToken!])).resolves.toMatchObject({ KeyMetadata: { Arn: w.request.key.arn } });
    const forged = Buffer.from(
      Buffer.from(retry.GrantToken!, 'base64')
        .toString('utf8')
        .replace(/:[0-9a-f]+$/, ':0000000000000000'),
    ).toString('base64');
    await expect(describe([forged])).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('rejects a grantee that does not exist yet with InvalidArnException', async () => {
    const w = await world();
    await shareBucketAndKey(w);
    const slr = `arn:aws:iam::${w.a}:role/aws-service-role/s3.data-source.lustre.fsx.amazonaws.com/AWSServiceRoleForFSxS3Access_fs-0000000000000000a`;
    await expect(
      w.fileSystem.kms.send(new CreateGrantCommand({ KeyId: w.request.key.arn, GranteePrincipal: slr, Operations: ops as never, Name: 'g' })),
    ).rejects.toMatchObject({ name: 'InvalidArnException' });
  });

  it("refuses a grant for account A's FSx SLR created from the key's account, even by a principal the key policy allows", async () => {
    const w = await world();
    await shareBucketAndKey(w);
    const slr = addSlr(w);
    // C's root may do kms:* by the default key policy; make the key role able to grant, so only the account rule refuses.
    const keyRole = w.sandbox.state.roles[`arn:aws:iam::${w.c}:role/fsx-onboard-key`]!;
    keyRole.inlinePolicies['grants'] = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:CreateGrant', Resource: '*' }] };
    const error = await w.key.kms
      .send(new CreateGrantCommand({ KeyId: w.request.key.arn, GranteePrincipal: slr, Operations: ops as never, Name: 'g' }))
      .catch((e) => e);
    expect(error).toMatchObject({ name: 'AccessDeniedException', message: expect.stringContaining(`must be created by a principal of account ${w.a}`) });
    // KMS answers AccessDeniedException with HTTP 400.
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(w.sandbox.state.keys[w.request.key.arn]!.grants).toEqual([]);
    // From A, with both the key statement and the identity policy, the same grant is made.
    await expect(
      w.fileSystem.kms.send(new CreateGrantCommand({ KeyId: w.request.key.arn, GranteePrincipal: slr, Operations: ops as never, Name: 'g' })),
    ).resolves.toMatchObject({ GrantId: expect.any(String) });
  });

  it("refuses A's grant calls when the key policy lacks the file-system role's statements (cross-account needs both sides)", async () => {
    const w = await world();
    const slr = addSlr(w);
    const error = await w.fileSystem.kms
      .send(new CreateGrantCommand({ KeyId: w.request.key.arn, GranteePrincipal: slr, Operations: ops as never, Name: 'g' }))
      .catch((e) => e);
    expect(error).toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining('no resource-based policy allows the kms:CreateGrant action'),
    });
    await expect(w.fileSystem.kms.send(new ListGrantsCommand({ KeyId: w.request.key.arn }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('lets a grant work only after it propagates on the virtual clock', async () => {
    const w = await world();
    await shareBucketAndKey(w, { keyUse: false });
    const bucketRole = `arn:aws:iam::${w.b}:role/fsx-onboard-bucket`;
    // The key role may only grant to SLRs, so the grant for the bucket role is made by a key administrator.
    const keyState = w.sandbox.state.keys[w.request.key.arn]!;
    const put = () => w.bucket.s3.send(new PutObjectCommand({ Bucket: w.request.bucket.name, Key: canaryKey(w, 'g.txt'), Body: 'g' }));
    await expect(put()).rejects.toMatchObject({ name: 'AccessDenied' });
    keyState.grants.push({
      grantId: 'g1',
      keyArn: keyState.arn,
      granteePrincipal: bucketRole,
      operations: ['GenerateDataKey'],
      effectiveAt: w.sandbox.clock.now() + 5_000,
      grantToken: 'tok',
    });
    await expect(put()).rejects.toMatchObject({ name: 'AccessDenied' });
    w.sandbox.clock.advance(6);
    await expect(put()).resolves.toMatchObject({ SSEKMSKeyId: w.request.key.arn });
  });
});

describe('sandbox policies as read back', () => {
  it('shows a principal whose role no longer exists as its unique id, in key and bucket policies alike, and keeps the stored text', async () => {
    const w = await world();
    const stale = 'arn:aws:iam::444444444444:role/legacy-etl';
    const key = w.sandbox.state.keys[w.request.key.arn]!;
    const stored = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Admins', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${w.c}:root` }, Action: 'kms:*', Resource: '*' },
        { Sid: 'LegacyEtl', Effect: 'Allow', Principal: { AWS: [stale, `arn:aws:iam::${w.c}:root`] }, Action: 'kms:Decrypt', Resource: '*' },
      ],
    });
    key.policy = stored;
    const { Policy } = await w.key.kms.send(new GetKeyPolicyCommand({ KeyId: w.request.key.arn, PolicyName: 'default' }));
    const shown = JSON.parse(Policy!) as { Statement: { Principal: { AWS: string[] } }[] };
    expect(shown.Statement[1]!.Principal.AWS[0]).toMatch(/^AROA[0-9A-F]{17}$/);
    expect(shown.Statement[1]!.Principal.AWS[1]).toBe(`arn:aws:iam::${w.c}:root`);
    expect(Policy).not.toContain('legacy-etl');
    expect(key.policy).toBe(stored);

    const bucket = w.sandbox.state.buckets[w.request.bucket.name]!;
    bucket.policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: 'LegacyEtlRead', Effect: 'Allow', Principal: { AWS: stale }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket.name}/*` }],
    });
    const { Policy: bucketPolicy } = await w.bucket.s3.send(new GetBucketPolicyCommand({ Bucket: bucket.name }));
    expect((JSON.parse(bucketPolicy!) as { Statement: { Principal: { AWS: string } }[] }).Statement[0]!.Principal.AWS).toBe(
      shown.Statement[1]!.Principal.AWS[0],
    );

    // A role that exists is shown by its ARN, unchanged.
    key.policy = stored.replace(stale, `arn:aws:iam::${w.c}:role/fsx-onboard-key`);
    const { Policy: existing } = await w.key.kms.send(new GetKeyPolicyCommand({ KeyId: w.request.key.arn, PolicyName: 'default' }));
    expect(existing).toBe(key.policy);
  });
});
