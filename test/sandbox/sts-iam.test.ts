import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { createClientFactory } from '../../lambdas/shared/clients.js';
import { everyClient } from '../../lambdas/shared/every-client.js';
import { sandboxClientConfig } from '../../sandbox/client-config.js';
import { exampleRequest, world } from './world.js';

describe('sandbox STS and IAM', () => {
  it('issues a session of the target role when its trust policy names the orchestrator', async () => {
    const w = await world();
    const { STSClient } = await import('@aws-sdk/client-sts');
    const sts = new STSClient({ region: w.request.region, credentials: w.fileSystem.s3.config.credentials });
    sts.middlewareStack.use(w.sandbox.plugin);
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe(`arn:aws:sts::${w.a}:assumed-role/fsx-onboard-filesystem/fsx-onboard`);
    expect(identity.Account).toBe(w.a);
  });

  it('refuses AssumeRole when the trust policy does not name the caller', async () => {
    const w = await world();
    const keyRole = w.sandbox.state.roles[`arn:aws:iam::${w.c}:role/fsx-onboard-key`]!;
    keyRole.trustPolicy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${w.c}:root` }, Action: 'sts:AssumeRole' }] };
    await expect(w.key.kms.send(new DescribeKeyCommand({ KeyId: w.request.key.arn }))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringContaining(`is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${w.c}:role/fsx-onboard-key`),
    });
    const denied = w.sandbox.snapshot().cloudTrail.filter((e) => e['eventName'] === 'AssumeRole' && e['errorCode'] === 'AccessDenied');
    expect(denied.length).toBeGreaterThan(0);
  });

  it('requires the external id when the trust policy has one', async () => {
    const request = exampleRequest();
    const without = await world(request, { externalId: 'ext-123' });
    await expect(without.key.kms.send(new DescribeKeyCommand({ KeyId: request.key.arn }))).rejects.toMatchObject({ name: 'AccessDenied' });
    const withId = await world(request, { externalId: 'ext-123', externalIdForClients: 'ext-123' });
    const described = await withId.key.kms.send(new DescribeKeyCommand({ KeyId: request.key.arn }));
    expect(described.KeyMetadata?.Arn).toBe(request.key.arn);
  });

  // IAM User Guide, "Monitor and control actions taken with assumed roles": setting a source
  // identity needs sts:SetSourceIdentity in the trust policy; once set it cannot change.
  it('sets the source identity only when the trust policy allows sts:SetSourceIdentity, and keeps it on the session', async () => {
    const w = await world();
    const keyRole = w.sandbox.state.roles[`arn:aws:iam::${w.c}:role/fsx-onboard-key`]!;
    const allowed = keyRole.trustPolicy;
    keyRole.trustPolicy = { ...allowed, Statement: allowed.Statement.map((s) => ({ ...s, Action: 'sts:AssumeRole' })) };
    await expect(w.key.kms.send(new DescribeKeyCommand({ KeyId: w.request.key.arn }))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringContaining(`not authorized to perform: sts:SetSourceIdentity on resource: arn:aws:iam::${w.c}:role/fsx-onboard-key`),
    });
    keyRole.trustPolicy = allowed;
    const factory = createClientFactory({
      clients: everyClient,
      region: w.request.region,
      credentials: w.sandbox.orchestratorCredentials,
      plugins: [w.sandbox.plugin],
      clientConfig: sandboxClientConfig(),
      sessionName: 'fsx-onboard-genomics-scratch-2026-11',
    });
    await factory.forTarget('key', w.c).kms.send(new DescribeKeyCommand({ KeyId: w.request.key.arn }));
    const sessions = Object.values(w.sandbox.state.sessions).filter((s) => s.sessionArn.endsWith('/fsx-onboard-genomics-scratch-2026-11'));
    expect(sessions.map((s) => s.sourceIdentity)).toEqual(['fsx-onboard-genomics-scratch-2026-11']);
  });

  it('refuses a session name or source identity outside 2-64 characters of [\\w+=,.@-]', async () => {
    const w = await world();
    const forName = (sessionName: string) =>
      createClientFactory({
        clients: everyClient,
        region: w.request.region,
        credentials: w.sandbox.orchestratorCredentials,
        plugins: [w.sandbox.plugin],
        clientConfig: sandboxClientConfig(),
        sessionName,
      })
        .forTarget('key', w.c)
        .kms.send(new DescribeKeyCommand({ KeyId: w.request.key.arn }));
    await expect(forName('fsx-onboard-has space')).rejects.toMatchObject({ name: 'ValidationError', message: expect.stringContaining('roleSessionName') });
    await expect(forName(`fsx-onboard-${'x'.repeat(60)}`)).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('length between 2 and 64'),
    });
  });

  it('rejects unknown access keys', async () => {
    const w = await world();
    const factory = createClientFactory({
      clients: everyClient,
      region: w.request.region,
      credentials: { accessKeyId: 'AKIAUNKNOWN', secretAccessKey: 'x' },
      plugins: [w.sandbox.plugin],
      clientConfig: sandboxClientConfig(),
    });
    await expect(factory.orchestrator().kms.send(new DescribeKeyCommand({ KeyId: w.request.key.arn }))).rejects.toMatchObject({ name: 'InvalidClientTokenId' });
  });

  it('answers GetRole with NoSuchEntity for a role that does not exist, to a caller allowed to read it', async () => {
    const w = await world();
    await expect(w.fileSystem.iam.send(new GetRoleCommand({ RoleName: 'AWSServiceRoleForFSxS3Access_fs-0123456789abcdef0' }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('authorises GetRole before revealing whether the role exists', async () => {
    const w = await world();
    // The file-system role may read only FSx S3-access SLRs: another name is AccessDenied, existing or not.
    for (const RoleName of ['fsx-onboard-filesystem', 'no-such-role']) {
      await expect(w.fileSystem.iam.send(new GetRoleCommand({ RoleName }))).rejects.toMatchObject({
        name: 'AccessDenied',
        message: expect.stringContaining(`iam:GetRole on resource: arn:aws:iam::${w.a}:role/${RoleName}`),
        $metadata: { httpStatusCode: 403 },
      });
    }
  });

  it('answers AccessDeniedException with HTTP 400 from KMS, FSx and SSM, and AccessDenied with 403 from S3', async () => {
    const w = await world();
    const { DescribeFileSystemsCommand } = await import('@aws-sdk/client-fsx');
    const { GetParameterCommand } = await import('@aws-sdk/client-ssm');
    const { GetBucketPolicyCommand } = await import('@aws-sdk/client-s3');
    const status = (p: Promise<unknown>) =>
      p.then(
        () => 'allowed',
        (e: { name: string; $metadata?: { httpStatusCode?: number } }) => `${e.name} ${e.$metadata?.httpStatusCode}`,
      );
    expect(await status(w.bucket.kms.send(new DescribeKeyCommand({ KeyId: w.request.key.arn })))).toBe('AccessDeniedException 400');
    expect(await status(w.bucket.fsx.send(new DescribeFileSystemsCommand({})))).toBe('AccessDeniedException 400');
    expect(await status(w.bucket.ssm.send(new GetParameterCommand({ Name: '/x' })))).toBe('AccessDeniedException 400');
    expect(await status(w.fileSystem.s3.send(new GetBucketPolicyCommand({ Bucket: w.request.bucket.name })))).toBe('AccessDenied 403');
  });
});
