import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DeleteBucketEncryptionCommand, GetBucketEncryptionCommand, PutBucketEncryptionCommand, S3Client } from '@aws-sdk/client-s3';
import { DeleteParameterCommand, GetParameterCommand, GetParametersByPathCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { setDefaultEncryption } from '../../lambdas/set-default-encryption/set-default-encryption.js';
import { restoreDefaultEncryption } from '../../lambdas/restore-default-encryption/restore-default-encryption.js';
import { B, awsError, setup } from './fixtures.js';

// The lock table: acquire and release succeed (tests of the lock itself: test/lambdas/resource-lock-*.test.ts).
mockClient(DynamoDBClient);
const s3 = mockClient(S3Client);
const ssm = mockClient(SSMClient);
const keyArn = 'arn:aws:kms:us-east-1:333333333333:key/2a1bae3d-a3e7-475b-acb2-b0dd92a5ff99';
const sseS3 = { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' as const }, BucketKeyEnabled: false }] };
const ours = { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' as const, KMSMasterKeyID: keyArn }, BucketKeyEnabled: true }] };
const record = (previous: unknown) => JSON.stringify({ bucket: 'genomics-reference-data', previous, applied: ours });

const RECORD = '/fsx-onboard/change-records/genomics-reference-data/genomics-scratch-2026-11';
const ORIGINAL = '/fsx-onboard/change-records/genomics-reference-data/.original';
/** Another onboarding's change record on the same bucket. */
const othersRecord = (requestId: string, previous: unknown, applied: unknown = ours) => ({
  Name: `/fsx-onboard/change-records/genomics-reference-data/${requestId}`,
  Value: JSON.stringify({ bucket: 'genomics-reference-data', previous, applied }),
});

beforeEach(() => {
  s3.reset();
  ssm.reset();
  ssm.on(GetParametersByPathCommand).resolves({ Parameters: [] });
});

describe('SetDefaultEncryption', () => {
  it('records the previous configuration (Overwrite false) before setting SSE-KMS with the full key ARN', async () => {
    const order: string[] = [];
    // The read before, then the re-read that proves the write.
    s3.on(GetBucketEncryptionCommand).resolvesOnce({ ServerSideEncryptionConfiguration: sseS3 }).resolves({ ServerSideEncryptionConfiguration: ours });
    ssm.on(GetParameterCommand).rejects(awsError('ParameterNotFound'));
    ssm.on(PutParameterCommand).callsFake(() => {
      order.push('PutParameter');
      return { Version: 1 };
    });
    s3.on(PutBucketEncryptionCommand).callsFake(() => {
      order.push('PutBucketEncryption');
      return {};
    });
    const { input, deps, clients } = setup();

    await expect(setDefaultEncryption(input, deps)).resolves.toEqual({
      changed: true,
      changeRecordParameter: RECORD,
      hadPreviousConfiguration: true,
    });
    expect(order).toEqual(['PutParameter', 'PutBucketEncryption']);
    expect(clients.targets).toContain(`bucket@${B}`);
    expect(clients.targets).toContain('orchestrator');
    const put = ssm.commandCalls(PutParameterCommand)[0]!.args[0].input;
    expect(put).toMatchObject({ Name: RECORD, Type: 'String', Overwrite: false });
    expect(JSON.parse(put.Value!)).toEqual({ bucket: 'genomics-reference-data', previous: sseS3, applied: ours });
    expect(s3).toHaveReceivedCommandExactlyOnceWith(PutBucketEncryptionCommand, { Bucket: 'genomics-reference-data', ServerSideEncryptionConfiguration: ours });
  });

  it('keeps an existing record (a re-run) and changes nothing once the bucket has our configuration', async () => {
    s3.on(GetBucketEncryptionCommand).resolves({ ServerSideEncryptionConfiguration: ours });
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: record(sseS3) } });
    const { input, deps } = setup();
    await expect(setDefaultEncryption(input, deps)).resolves.toMatchObject({ changed: false, hadPreviousConfiguration: true });
    expect(ssm).not.toHaveReceivedCommand(PutParameterCommand);
    expect(s3).not.toHaveReceivedCommand(PutBucketEncryptionCommand);
  });

  it('fails with SharedDocumentChanged when the re-read shows another configuration than the one just written', async () => {
    const other = {
      Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' as const, KMSMasterKeyID: 'arn:aws:kms:us-east-1:222222222222:key/other' } }],
    };
    s3.on(GetBucketEncryptionCommand).resolvesOnce({ ServerSideEncryptionConfiguration: sseS3 }).resolves({ ServerSideEncryptionConfiguration: other });
    ssm.on(GetParameterCommand).rejects(awsError('ParameterNotFound'));
    const { input, deps } = setup();
    await expect(setDefaultEncryption(input, deps)).rejects.toMatchObject({
      name: 'SharedDocumentChanged',
      message: expect.stringContaining('read back after this write is SSE-KMS with arn:aws:kms:us-east-1:222222222222:key/other'),
    });
  });

  it('records "no configuration" when the bucket had none', async () => {
    const legacyKey = 'arn:aws:kms:eu-west-1:333333333333:key/a056d364-d490-473d-ad19-bd6a483d8096';
    s3.on(GetBucketEncryptionCommand)
      .rejectsOnce(awsError('ServerSideEncryptionConfigurationNotFoundError'))
      .resolves({
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: legacyKey }, BucketKeyEnabled: false }],
        },
      });
    ssm.on(GetParameterCommand).rejects(awsError('ParameterNotFound'));
    const { input, deps } = setup('request-legacy.json');
    await expect(setDefaultEncryption(input, deps)).resolves.toMatchObject({ changed: true, hadPreviousConfiguration: false });
    expect(JSON.parse(ssm.commandCalls(PutParameterCommand)[0]!.args[0].input.Value!).previous).toBeNull();
    expect(s3).toHaveReceivedCommandWith(PutBucketEncryptionCommand, {
      ServerSideEncryptionConfiguration: {
        Rules: [
          {
            ApplyServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: 'arn:aws:kms:eu-west-1:333333333333:key/a056d364-d490-473d-ad19-bd6a483d8096',
            },
            BucketKeyEnabled: false,
          },
        ],
      },
    });
  });
});

describe('RestoreDefaultEncryption', () => {
  it('puts the recorded configuration back when the bucket still has ours, then deletes the record', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: record(sseS3) } });
    s3.on(GetBucketEncryptionCommand).resolvesOnce({ ServerSideEncryptionConfiguration: ours }).resolves({ ServerSideEncryptionConfiguration: sseS3 });
    const { input, deps } = setup();
    await expect(restoreDefaultEncryption(input, deps)).resolves.toEqual({ changed: true, restored: true });
    expect(s3).toHaveReceivedCommandExactlyOnceWith(PutBucketEncryptionCommand, {
      Bucket: 'genomics-reference-data',
      ServerSideEncryptionConfiguration: sseS3,
    });
    expect(ssm).toHaveReceivedCommandWith(DeleteParameterCommand, { Name: RECORD });
  });

  it('deletes the default encryption when the bucket had none before', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: record(null) } });
    // Without a configuration S3 applies (and reports) SSE-S3.
    s3.on(GetBucketEncryptionCommand).resolvesOnce({ ServerSideEncryptionConfiguration: ours }).resolves({ ServerSideEncryptionConfiguration: sseS3 });
    const { input, deps } = setup();
    await restoreDefaultEncryption(input, deps);
    expect(s3).toHaveReceivedCommandWith(DeleteBucketEncryptionCommand, { Bucket: 'genomics-reference-data' });
    expect(s3).not.toHaveReceivedCommand(PutBucketEncryptionCommand);
  });

  it('leaves a configuration someone else set since, and still clears the record', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: record(sseS3) } });
    s3.on(GetBucketEncryptionCommand).resolves({
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'arn:aws:kms:us-east-1:222222222222:key/other' } }],
      },
    });
    const { input, deps } = setup();
    await expect(restoreDefaultEncryption(input, deps)).resolves.toMatchObject({ restored: false, reason: expect.stringContaining('no longer has') });
    expect(s3).not.toHaveReceivedCommand(PutBucketEncryptionCommand);
    expect(s3).not.toHaveReceivedCommand(DeleteBucketEncryptionCommand);
    expect(ssm).toHaveReceivedCommand(DeleteParameterCommand);
  });

  it('does nothing without a change record', async () => {
    ssm.on(GetParameterCommand).rejects(awsError('ParameterNotFound'));
    const { input, deps } = setup();
    await expect(restoreDefaultEncryption(input, deps)).resolves.toMatchObject({ changed: false, restored: false });
    expect(s3.calls()).toHaveLength(0);
    expect(ssm).not.toHaveReceivedCommand(DeleteParameterCommand);
  });

  it('keeps the encryption while another onboarding relies on it, and leaves the original configuration for the last one', async () => {
    ssm.on(GetParameterCommand, { Name: RECORD }).resolves({ Parameter: { Value: record(sseS3) } });
    s3.on(GetBucketEncryptionCommand).resolves({ ServerSideEncryptionConfiguration: ours });
    // Paged: the relier is on the second page, after a record that relies on another key.
    ssm
      .on(GetParametersByPathCommand)
      .resolvesOnce({ Parameters: [{ Name: RECORD, Value: record(sseS3) }, othersRecord('old-key-team', sseS3, sseS3)], NextToken: 'page2' })
      .resolvesOnce({ Parameters: [othersRecord('imaging-2026-12', ours)] });
    const { input, deps } = setup();
    await expect(restoreDefaultEncryption(input, deps)).resolves.toEqual({
      changed: true,
      restored: false,
      reason: expect.stringContaining('rely on'),
      reliedOnBy: ['imaging-2026-12'],
    });
    expect(s3).not.toHaveReceivedCommand(PutBucketEncryptionCommand);
    expect(s3).not.toHaveReceivedCommand(DeleteBucketEncryptionCommand);
    expect(ssm).toHaveReceivedCommandWith(GetParametersByPathCommand, { Path: '/fsx-onboard/change-records/genomics-reference-data', NextToken: 'page2' });
    const kept = ssm.commandCalls(PutParameterCommand)[0]!.args[0].input;
    expect(kept).toMatchObject({ Name: ORIGINAL, Overwrite: false });
    expect(JSON.parse(kept.Value!)).toMatchObject({ previous: sseS3, applied: ours });
    expect(ssm).toHaveReceivedCommandWith(DeleteParameterCommand, { Name: RECORD });
  });

  it('as the last onboarding to go, restores the original configuration an earlier one left', async () => {
    // This onboarding found the bucket already as it wanted it: its own "before" is ours.
    ssm.on(GetParameterCommand, { Name: RECORD }).resolves({ Parameter: { Value: record(ours) } });
    ssm.on(GetParameterCommand, { Name: ORIGINAL }).resolves({ Parameter: { Value: record(sseS3) } });
    // Ours when read first; the restored one when read back after the write.
    s3.on(GetBucketEncryptionCommand).resolvesOnce({ ServerSideEncryptionConfiguration: ours }).resolves({ ServerSideEncryptionConfiguration: sseS3 });
    const { input, deps } = setup();
    await expect(restoreDefaultEncryption(input, deps)).resolves.toEqual({ changed: true, restored: true });
    expect(s3).toHaveReceivedCommandExactlyOnceWith(PutBucketEncryptionCommand, {
      Bucket: 'genomics-reference-data',
      ServerSideEncryptionConfiguration: sseS3,
    });
    expect(ssm).toHaveReceivedCommandWith(DeleteParameterCommand, { Name: ORIGINAL });
    expect(ssm).toHaveReceivedCommandWith(DeleteParameterCommand, { Name: RECORD });
  });
});
