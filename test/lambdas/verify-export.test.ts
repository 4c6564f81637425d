import type { CatResult } from '../../core/step-outputs.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { GetBucketPolicyCommand, GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { GetKeyPolicyCommand, KMSClient, ListGrantsCommand, type GrantOperation } from '@aws-sdk/client-kms';
import { DescribeDataRepositoryTasksCommand, FSxClient } from '@aws-sdk/client-fsx';
import { verifyExport } from '../../lambdas/verify-export/verify-export.js';
import { canaryFor } from '../../core/canary.js';
import { namesFor } from '../../core/naming.js';
import { bucketStatements, keyUseStatement } from '../../policy/documents.js';
import { A, BLOG_GRANT_OPERATIONS, C, FS_ID, SLR_ARN, awsError, loadRequest, setup } from './fixtures.js';

const s3 = mockClient(S3Client);
const cloudtrail = mockClient(CloudTrailClient);
const kms = mockClient(KMSClient);
const fsx = mockClient(FSxClient);
const keyArn = 'arn:aws:kms:us-east-1:333333333333:key/2a1bae3d-a3e7-475b-acb2-b0dd92a5ff99';
const sessionArn = `arn:aws:sts::${A}:assumed-role/AWSServiceRoleForFSxS3Access_${FS_ID}/FSx`;
const request = loadRequest('request.json');
const canary = canaryFor(request, namesFor(request.requestId));
const catOk = { path: canary.fromS3.clientPath, ok: true, stdout: `${canary.fromS3.text}\n`, stderr: '', responseCode: 0 };
const lustreSteps = (cat: unknown) => ({
  CreateFileSystem: { fileSystemId: FS_ID },
  WaitForServiceLinkedRole: { done: true, attempts: 1, roleArn: SLR_ARN },
  StartTestExport: { mode: 'lustre-client' as const, commandId: 'cmd-start', startedAt: '2026-11-27T10:00:00.000Z', canary },
  WaitForTestExport: { done: true, attempts: 3, phase: 'cat' as const, cat: cat as CatResult },
});
const denial = (eventName: string) => ({
  Events: [
    {
      EventName: eventName,
      CloudTrailEvent: JSON.stringify({
        eventName,
        eventSource: 'kms.amazonaws.com',
        eventTime: '2026-11-27T10:01:00Z',
        errorCode: 'AccessDenied',
        errorMessage: `User: ${sessionArn} is not authorized to perform: kms:${eventName} on resource: ${keyArn} because no identity-based policy allows the kms:${eventName} action`,
        userIdentity: { type: 'AssumedRole', arn: sessionArn, accountId: A },
        resources: [{ ARN: keyArn, accountId: C, type: 'AWS::KMS::Key' }],
      }),
    },
  ],
});

beforeEach(() => {
  s3.reset();
  cloudtrail.reset();
  kms.reset();
  fsx.reset();
});

describe('VerifyExport (lustre-client)', () => {
  it('proves export and decrypt: the canary is SSE-KMS with the key ARN and the S3 canary reads back', async () => {
    s3.on(HeadObjectCommand).resolves({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn, BucketKeyEnabled: true, ETag: '"e1"' });
    const { input, deps } = setup('request.json', lustreSteps(catOk));
    await expect(verifyExport(input, deps)).resolves.toEqual({
      done: true,
      attempts: 1,
      waitSeconds: 60,
      changed: false,
      proof: 'export-and-decrypt',
      evidence: {
        exported: {
          url: `s3://genomics-reference-data/${canary.toS3.s3Key}`,
          serverSideEncryption: 'aws:kms',
          sseKmsKeyId: keyArn,
          bucketKeyEnabled: true,
          eTag: '"e1"',
        },
        read: { path: canary.fromS3.clientPath, content: canary.fromS3.text },
      },
    });
    expect(s3).toHaveReceivedCommandWith(HeadObjectCommand, { Bucket: 'genomics-reference-data', Key: canary.toS3.s3Key });
    expect(cloudtrail.calls()).toHaveLength(0);
  });

  it('names the GenerateDataKey denial CloudTrail recorded, and the grant fix, when the export did not land', async () => {
    s3.on(HeadObjectCommand).rejects(awsError('NotFound'));
    cloudtrail.on(LookupEventsCommand).resolves({ Events: [] });
    cloudtrail
      .on(LookupEventsCommand, { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'GenerateDataKey' }] })
      .resolvesOnce(denial('GenerateDataKey'));
    const { input, deps, names, clients } = setup('request.json', lustreSteps(catOk));
    const error = await verifyExport(input, deps).catch((e) => e);
    expect(error.name).toBe('ExportNotLanded');
    expect(error.message).toContain(`did not land at s3://genomics-reference-data/${canary.toS3.s3Key}`);
    // KMS logs a denied cross-account request only in the caller's account: the SLR's, A.
    expect(error.message).toContain(`CloudTrail in account ${A} recorded kms:GenerateDataKey AccessDenied for ${sessionArn} on ${keyArn}`);
    expect(error.message).toContain(`needs a grant on ${keyArn}`);
    expect(error.message).toContain(names.grantName);
    expect(cloudtrail).toHaveReceivedCommandWith(LookupEventsCommand, {
      LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'GenerateDataKey' }],
      StartTime: new Date('2026-11-27T09:50:00.000Z'),
    });
    expect(clients.targets).toContain(`fileSystem@${A}`);
    expect(clients.targets).not.toContain(`key@${C}`);
  });

  it("looks only in the caller's account (A) and reports the denial once", async () => {
    s3.on(HeadObjectCommand).rejects(awsError('NotFound'));
    cloudtrail.on(LookupEventsCommand).resolves(denial('GenerateDataKey'));
    const { input, deps } = setup('request.json', lustreSteps(catOk));
    const error = await verifyExport(input, deps).catch((e) => e);
    expect(cloudtrail).toHaveReceivedCommandTimes(LookupEventsCommand, 1);
    expect(error.message.match(/recorded kms:GenerateDataKey AccessDenied/g)).toHaveLength(1);
  });

  it('answers not-done while the denial has not been delivered, and says so once the poll bound is reached', async () => {
    s3.on(HeadObjectCommand).rejects(awsError('NotFound'));
    cloudtrail.on(LookupEventsCommand).resolves({ Events: [] });
    const first = setup('request.json', lustreSteps(catOk));
    await expect(verifyExport(first.input, first.deps)).resolves.toEqual({
      done: false,
      attempts: 1,
      waitSeconds: 60,
      waitingFor: `CloudTrail in account ${A} to deliver the kms:GenerateDataKey denial`,
    });
    const last = setup('request.json', { ...lustreSteps(catOk), VerifyExport: { done: false, attempts: 15 } });
    await expect(verifyExport(last.input, last.deps)).rejects.toMatchObject({
      name: 'ExportNotLanded',
      message: expect.stringContaining('the evidence has not arrived yet (CloudTrail delivers within ~5 minutes on average, not guaranteed) after 16 checks'),
    });
  });

  it('fails with DecryptFailed naming kms:Decrypt when cat through the mount fails', async () => {
    s3.on(HeadObjectCommand).resolves({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn });
    cloudtrail.on(LookupEventsCommand).resolves({ Events: [] });
    cloudtrail.on(LookupEventsCommand, { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'Decrypt' }] }).resolvesOnce(denial('Decrypt'));
    const failedCat = {
      path: canary.fromS3.clientPath,
      ok: false,
      stdout: '',
      stderr: `cat: ${canary.fromS3.clientPath}: No data available\n`,
      responseCode: 1,
    };
    const { input, deps } = setup('request.json', lustreSteps(failedCat));
    await expect(verifyExport(input, deps)).rejects.toMatchObject({
      name: 'DecryptFailed',
      message: expect.stringMatching(
        /No data available.*recorded kms:Decrypt AccessDenied for arn:aws:sts::111111111111:assumed-role\/AWSServiceRoleForFSxS3Access_fs-0123456789abcdef0\/FSx on arn:aws:kms/,
      ),
    });
  });

  it('fails with CanaryNotImported, not DecryptFailed, when the S3-side canary was never imported', async () => {
    s3.on(HeadObjectCommand).resolves({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn });
    cloudtrail.on(LookupEventsCommand).resolves({ Events: [] });
    const missing = {
      path: canary.fromS3.clientPath,
      ok: false,
      notImported: true,
      stdout: '',
      stderr: `cat: ${canary.fromS3.clientPath}: No such file or directory\n`,
      responseCode: 1,
    };
    const { input, deps } = setup('request.json', lustreSteps(missing));
    await expect(verifyExport(input, deps)).rejects.toMatchObject({
      name: 'CanaryNotImported',
      message: expect.stringContaining('FSx did not import it'),
    });
  });

  it('refuses a canary encrypted with another key', async () => {
    s3.on(HeadObjectCommand).resolves({ ServerSideEncryption: 'AES256' });
    const { input, deps } = setup('request.json', lustreSteps(catOk));
    await expect(verifyExport(input, deps)).rejects.toMatchObject({ name: 'ExportNotLanded', message: expect.stringContaining('encrypted with AES256') });
  });

  it('still reports the missing export when CloudTrail cannot be read', async () => {
    s3.on(HeadObjectCommand).rejects(awsError('NotFound'));
    cloudtrail.on(LookupEventsCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform: cloudtrail:LookupEvents'));
    const { input, deps } = setup('request.json', lustreSteps(catOk));
    await expect(verifyExport(input, deps)).rejects.toMatchObject({
      name: 'ExportNotLanded',
      message: expect.stringContaining(`CloudTrail lookup in account ${A} failed (AccessDeniedException`),
    });
  });
});

describe('VerifyExport (data-repository-task)', () => {
  const legacy = loadRequest('request-legacy.json');
  const legacyNames = namesFor(legacy.requestId);
  const legacyKey = legacy.key.arn;
  const operations = BLOG_GRANT_OPERATIONS;
  const steps = {
    CreateFileSystem: { fileSystemId: FS_ID },
    WaitForServiceLinkedRole: { done: true, attempts: 1, roleArn: SLR_ARN },
    CreateGrant: { grantId: 'g-1', grantToken: 'token-1' },
    StartTestExport: { mode: 'data-repository-task' as const, taskId: 'task-1', startedAt: '2026-11-27T10:00:00.000Z', canary: canaryFor(legacy, legacyNames) },
  };
  const world = (
    grants: { GrantId: string; GranteePrincipal: string; Operations: GrantOperation[] }[],
    lifecycle: 'SUCCEEDED' | 'FAILED' = 'SUCCEEDED',
    failed = 0,
    total = 1,
  ) => {
    fsx.on(DescribeDataRepositoryTasksCommand).resolves({
      DataRepositoryTasks: [
        {
          TaskId: 'task-1',
          Type: 'EXPORT_TO_REPOSITORY',
          Lifecycle: lifecycle,
          CreationTime: new Date(),
          Status: { TotalCount: total, SucceededCount: total - failed, FailedCount: failed },
          Report: { Enabled: true, Path: 's3://ml-training-sets/.fsx-onboard-reports' },
        },
      ],
    });
    s3.on(GetBucketPolicyCommand).resolves({
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: bucketStatements(legacy, legacyNames, { kind: 'serviceLinkedRole', serviceLinkedRoleArn: SLR_ARN }),
      }),
    });
    kms.on(GetKeyPolicyCommand).resolves({
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'Root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${C}:root` }, Action: 'kms:*', Resource: '*' },
          keyUseStatement(legacy, legacyNames),
        ],
      }),
    });
    kms
      .on(ListGrantsCommand)
      .resolves({ Grants: grants.map((g) => ({ ...g, KeyId: legacyKey, Name: legacyNames.grantName, CreationDate: new Date(Date.now() + 3_600_000) })) });
  };

  it('reports proof "analysis" when the task succeeded and the SLR may put, encrypt and decrypt', async () => {
    world([{ GrantId: 'g-1', GranteePrincipal: SLR_ARN, Operations: operations }]);
    const { input, deps } = setup('request-legacy.json', steps);
    const out = await verifyExport(input, deps);
    expect(out).toMatchObject({ done: true, proof: 'analysis' });
    if (!out.done) throw new Error('analysis never waits');
    expect(out.evidence).toMatchObject({
      task: { taskId: 'task-1', lifecycle: 'SUCCEEDED', total: 1, succeeded: 1, failed: 0 },
      exercised: expect.stringMatching(/^1 file\(s\) written to S3 by FSx as the SLR/),
      principal: SLR_ARN,
      access: [
        { action: 's3:PutObject', allowed: true },
        { action: 'kms:GenerateDataKey', resource: legacyKey, allowed: true, allowedBy: ['grant'] },
        { action: 'kms:Decrypt', resource: legacyKey, allowed: true, allowedBy: ['grant'] },
      ],
    });
    expect(kms).toHaveReceivedCommandWith(GetKeyPolicyCommand, { KeyId: legacyKey, PolicyName: 'default' });
    expect(kms).toHaveReceivedCommandWith(ListGrantsCommand, { KeyId: legacyKey });
  });

  it('says an export of 0 files exercised no S3 write or encryption, and leaves the analysis as the only evidence', async () => {
    world([{ GrantId: 'g-1', GranteePrincipal: SLR_ARN, Operations: operations }], 'SUCCEEDED', 0, 0);
    const { input, deps } = setup('request-legacy.json', steps);
    const out = await verifyExport(input, deps);
    if (!out.done) throw new Error('analysis never waits');
    expect(out.evidence['exercised']).toMatch(/^no file: .*no S3 write or KMS encryption was exercised/);
  });

  it('fails naming kms:GenerateDataKey when the SLR has no grant', async () => {
    world([{ GrantId: 'g-x', GranteePrincipal: 'arn:aws:iam::111111111111:role/someone', Operations: operations }]);
    const { input, deps } = setup('request-legacy.json', steps);
    await expect(verifyExport(input, deps)).rejects.toMatchObject({
      name: 'ExportNotLanded',
      message: expect.stringMatching(/denies kms:GenerateDataKey to .*AWSServiceRoleForFSxS3Access_fs-0123456789abcdef0.*needs a grant/),
    });
  });

  it('fails naming kms:Decrypt when the grant lacks Decrypt', async () => {
    world([{ GrantId: 'g-1', GranteePrincipal: SLR_ARN, Operations: operations.filter((o) => o !== 'Decrypt') }]);
    const { input, deps } = setup('request-legacy.json', steps);
    await expect(verifyExport(input, deps)).rejects.toMatchObject({ name: 'DecryptFailed', message: expect.stringContaining('denies kms:Decrypt') });
  });

  it('fails with ExportTaskFailed quoting the task report when files failed', async () => {
    world([], 'FAILED', 1);
    s3.on(GetObjectCommand, { Bucket: 'ml-training-sets', Key: '.fsx-onboard-reports/task-1/failures.csv' }).resolves({
      Body: { transformToString: async () => 'path,error\n.fsx-onboard-canary/to-s3.txt,S3AccessDenied\n' } as never,
    });
    const { input, deps } = setup('request-legacy.json', steps);
    await expect(verifyExport(input, deps)).rejects.toMatchObject({
      name: 'ExportTaskFailed',
      message: expect.stringMatching(/task-1 ended FAILED \(0\/1 files exported, 1 failed\)[\s\S]*S3AccessDenied/),
    });
    expect(kms.calls()).toHaveLength(0);
  });
});
