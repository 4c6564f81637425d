import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CreateDataRepositoryAssociationCommand,
  DeleteDataRepositoryAssociationCommand,
  DescribeDataRepositoryAssociationsCommand,
  FSxClient,
} from '@aws-sdk/client-fsx';
import { createDataRepositoryAssociation } from '../../lambdas/create-data-repository-association/create-data-repository-association.js';
import { waitForDataRepositoryAssociation } from '../../lambdas/wait-for-data-repository-association/wait-for-data-repository-association.js';
import { deleteDataRepositoryAssociation } from '../../lambdas/delete-data-repository-association/delete-data-repository-association.js';
import { waitForDataRepositoryAssociationDeletion } from '../../lambdas/wait-for-data-repository-association-deletion/wait-for-data-repository-association-deletion.js';
import { FS_ID, awsError, setup } from './fixtures.js';

const fsx = mockClient(FSxClient);
const ours = [{ Key: 'fsx-onboard:request-id', Value: 'genomics-scratch-2026-11' }];
const created = { CreateFileSystem: { fileSystemId: FS_ID, created: true } };

beforeEach(() => fsx.reset());

describe('CreateDataRepositoryAssociation', () => {
  it('links s3://bucket/prefix at fileSystemPath with the request token, events and tags', async () => {
    fsx.on(DescribeDataRepositoryAssociationsCommand).resolves({ Associations: [] });
    fsx.on(CreateDataRepositoryAssociationCommand).resolves({ Association: { AssociationId: 'dra-1' } });
    const { input, deps, names } = setup('request.json', created);
    await expect(createDataRepositoryAssociation(input, deps)).resolves.toEqual({ changed: true, associationId: 'dra-1' });
    expect(fsx).toHaveReceivedCommandWith(DescribeDataRepositoryAssociationsCommand, { Filters: [{ Name: 'file-system-id', Values: [FS_ID] }] });
    expect(fsx).toHaveReceivedCommandExactlyOnceWith(CreateDataRepositoryAssociationCommand, {
      ClientRequestToken: names.dataRepositoryAssociationToken,
      FileSystemId: FS_ID,
      FileSystemPath: '/genomics',
      DataRepositoryPath: 's3://genomics-reference-data/cohort-2026/',
      BatchImportMetaDataOnCreate: true,
      S3: { AutoImportPolicy: { Events: ['NEW', 'CHANGED', 'DELETED'] }, AutoExportPolicy: { Events: ['NEW', 'CHANGED', 'DELETED'] } },
      Tags: [
        { Key: 'team', Value: 'genomics' },
        { Key: 'fsx-onboard:request-id', Value: 'genomics-scratch-2026-11' },
        { Key: 'fsx-onboard:managed-by', Value: 'fsx-onboard' },
      ],
    });
  });

  it('is skipped for a legacy linked file system without any call', async () => {
    const { input, deps } = setup('request-legacy.json', created);
    await expect(createDataRepositoryAssociation(input, deps)).resolves.toEqual({ changed: false, skipped: true });
    expect(fsx.calls()).toHaveLength(0);
  });

  it('finds its association at the path on a second run and creates none', async () => {
    fsx.on(DescribeDataRepositoryAssociationsCommand).resolves({
      Associations: [
        { AssociationId: 'dra-1', FileSystemPath: '/genomics', DataRepositoryPath: 's3://genomics-reference-data/cohort-2026', Lifecycle: 'CREATING' },
      ],
    });
    const { input, deps } = setup('request.json', created);
    await expect(createDataRepositoryAssociation(input, deps)).resolves.toEqual({ changed: false, associationId: 'dra-1' });
    expect(fsx).not.toHaveReceivedCommand(CreateDataRepositoryAssociationCommand);
  });

  it('deletes its FAILED association at the path and creates it again with a token of its own', async () => {
    fsx.on(DescribeDataRepositoryAssociationsCommand).resolves({
      Associations: [
        {
          AssociationId: 'dra-0123456789abcdef0',
          FileSystemPath: '/genomics',
          DataRepositoryPath: 's3://genomics-reference-data/cohort-2026/',
          Lifecycle: 'FAILED',
        },
      ],
    });
    fsx.on(DeleteDataRepositoryAssociationCommand).resolves({ AssociationId: 'dra-0123456789abcdef0', Lifecycle: 'DELETING' });
    fsx.on(CreateDataRepositoryAssociationCommand).resolves({ Association: { AssociationId: 'dra-2' } });
    const { input, deps, names } = setup('request.json', created);
    await expect(createDataRepositoryAssociation(input, deps)).resolves.toEqual({
      changed: true,
      associationId: 'dra-2',
      replacedFailed: 'dra-0123456789abcdef0',
    });
    expect(fsx).toHaveReceivedCommandExactlyOnceWith(DeleteDataRepositoryAssociationCommand, {
      AssociationId: 'dra-0123456789abcdef0',
      DeleteDataInFileSystem: false,
    });
    const token = `${names.dataRepositoryAssociationToken.slice(0, 40)}-after-${'dra-0123456789abcdef0'.slice(-12)}`;
    expect(token.length).toBeLessThanOrEqual(63);
    expect(fsx).toHaveReceivedCommandWith(CreateDataRepositoryAssociationCommand, { ClientRequestToken: token, FileSystemPath: '/genomics' });
  });

  it('refuses a path already linked to another repository with ResourceConflict', async () => {
    fsx
      .on(DescribeDataRepositoryAssociationsCommand)
      .resolves({ Associations: [{ AssociationId: 'dra-9', FileSystemPath: '/genomics', DataRepositoryPath: 's3://other-bucket/', Lifecycle: 'AVAILABLE' }] });
    const { input, deps } = setup('request.json', created);
    await expect(createDataRepositoryAssociation(input, deps)).rejects.toMatchObject({
      name: 'ResourceConflict',
      message: expect.stringContaining('s3://other-bucket/'),
    });
    expect(fsx).not.toHaveReceivedCommand(CreateDataRepositoryAssociationCommand);
  });
});

describe('WaitForDataRepositoryAssociation', () => {
  const steps = { ...created, CreateDataRepositoryAssociation: { associationId: 'dra-1' } };

  it('is done when AVAILABLE and counts attempts', async () => {
    fsx
      .on(DescribeDataRepositoryAssociationsCommand, { AssociationIds: ['dra-1'] })
      .resolves({ Associations: [{ AssociationId: 'dra-1', Lifecycle: 'AVAILABLE' }] });
    const { input, deps } = setup('request.json', { ...steps, WaitForDataRepositoryAssociation: { done: false, attempts: 7 } });
    await expect(waitForDataRepositoryAssociation(input, deps)).resolves.toEqual({ done: true, attempts: 8, waitSeconds: 60, lifecycle: 'AVAILABLE' });
  });

  it('waits out the typical creation time from when its file system was seen AVAILABLE, then checks every minute', async () => {
    const requestedAt = Date.parse('2026-12-01T10:00:00Z');
    const seen = requestedAt + 600_000;
    fsx.on(DescribeDataRepositoryAssociationsCommand).resolves({
      Associations: [{ AssociationId: 'dra-1', Lifecycle: 'CREATING', CreationTime: new Date(requestedAt) }],
    });
    const check = (now: number) => {
      const { input, deps } = setup('request.json', { ...steps, WaitForFileSystem: { seenAvailableAt: seen } }, { now });
      return waitForDataRepositoryAssociation(input, deps);
    };
    // FSx starts on it once the file system is AVAILABLE: 5 minutes from then, not from its request.
    await expect(check(seen + 1_000)).resolves.toMatchObject({ done: false, waitSeconds: 299 });
    await expect(check(seen + 400_000)).resolves.toMatchObject({ done: false, waitSeconds: 60 });
    // Past its typical 13 minutes the checks back off.
    await expect(check(seen + 1_580_000)).resolves.toMatchObject({ done: false, waitSeconds: 200 });
  });

  it('keeps polling a MISCONFIGURED association for 15 minutes, then stops with DataRepositoryAssociationFailed quoting FSx', async () => {
    const message = 'Amazon FSx does not have the required permissions for the S3 bucket';
    fsx.on(DescribeDataRepositoryAssociationsCommand).resolves({
      Associations: [{ AssociationId: 'dra-1', Lifecycle: 'MISCONFIGURED', FailureDetails: { Message: message } }],
    });
    const { input, deps } = setup('request.json', steps);
    await expect(waitForDataRepositoryAssociation(input, deps)).resolves.toEqual({
      done: false,
      attempts: 1,
      waitSeconds: 60,
      lifecycle: 'MISCONFIGURED',
      misconfiguredChecks: 1,
      failureDetails: message,
    });
    const late = setup('request.json', { ...steps, WaitForDataRepositoryAssociation: { done: false, attempts: 20, misconfiguredChecks: 15 } });
    await expect(waitForDataRepositoryAssociation(late.input, late.deps)).rejects.toMatchObject({
      name: 'DataRepositoryAssociationFailed',
      message: expect.stringContaining('stayed MISCONFIGURED for 16 checks: Amazon FSx does not have the required permissions'),
    });
  });

  it('stops at once on FAILED (terminal), quoting FSx', async () => {
    fsx.on(DescribeDataRepositoryAssociationsCommand).resolves({
      Associations: [{ AssociationId: 'dra-1', Lifecycle: 'FAILED', FailureDetails: { Message: 'Amazon FSx does not have the required permissions' } }],
    });
    const { input, deps } = setup('request.json', steps);
    await expect(waitForDataRepositoryAssociation(input, deps)).rejects.toMatchObject({
      name: 'DataRepositoryAssociationFailed',
      message: expect.stringContaining('is FAILED: Amazon FSx does not have the required permissions'),
    });
  });

  it('is done at once for legacy linked types', async () => {
    const { input, deps } = setup('request-legacy.json', created);
    await expect(waitForDataRepositoryAssociation(input, deps)).resolves.toEqual({ done: true, attempts: 1, waitSeconds: 60, skipped: true });
    expect(fsx.calls()).toHaveLength(0);
  });
});

describe('DeleteDataRepositoryAssociation', () => {
  it('deletes only associations tagged with this request id, keeping the file system data', async () => {
    fsx.on(DescribeDataRepositoryAssociationsCommand).resolves({
      Associations: [
        { AssociationId: 'dra-theirs', FileSystemPath: '/shared', Tags: [{ Key: 'team', Value: 'other' }] },
        { AssociationId: 'dra-1', FileSystemPath: '/genomics', Lifecycle: 'AVAILABLE', Tags: ours },
      ],
    });
    const { input, deps } = setup('request.json', created);
    await expect(deleteDataRepositoryAssociation(input, deps)).resolves.toEqual({ changed: true, associationIds: ['dra-1'] });
    expect(fsx).toHaveReceivedCommandTimes(DeleteDataRepositoryAssociationCommand, 1);
    expect(fsx).toHaveReceivedCommandWith(DeleteDataRepositoryAssociationCommand, { AssociationId: 'dra-1', DeleteDataInFileSystem: false });
  });

  it("leaves the request's association at another path: that is another repository's link", async () => {
    fsx.on(DescribeDataRepositoryAssociationsCommand).resolves({
      Associations: [{ AssociationId: 'dra-2', FileSystemPath: '/imaging', Lifecycle: 'AVAILABLE', Tags: ours }],
    });
    const { input, deps } = setup('request.json', created);
    await expect(deleteDataRepositoryAssociation(input, deps)).resolves.toEqual({ changed: false, associationIds: [] });
    expect(fsx).not.toHaveReceivedCommand(DeleteDataRepositoryAssociationCommand);
  });

  it('sends nothing when ours is already DELETING or there is no file system', async () => {
    fsx
      .on(DescribeDataRepositoryAssociationsCommand)
      .resolves({ Associations: [{ AssociationId: 'dra-1', FileSystemPath: '/genomics', Lifecycle: 'DELETING', Tags: ours }] });
    const { input, deps } = setup('request.json', created);
    await expect(deleteDataRepositoryAssociation(input, deps)).resolves.toEqual({ changed: false, associationIds: ['dra-1'] });
    fsx.on(DescribeDataRepositoryAssociationsCommand).rejects(awsError('FileSystemNotFound'));
    await expect(deleteDataRepositoryAssociation(input, deps)).resolves.toEqual({ changed: false, associationIds: [] });
    expect(fsx).not.toHaveReceivedCommand(DeleteDataRepositoryAssociationCommand);
  });
});

describe('WaitForDataRepositoryAssociationDeletion', () => {
  it('is done once the association is not found', async () => {
    const { input, deps } = setup('request.json', { DeleteDataRepositoryAssociation: { associationIds: ['dra-1'] } });
    fsx.on(DescribeDataRepositoryAssociationsCommand).resolves({ Associations: [{ AssociationId: 'dra-1', Lifecycle: 'DELETING' }] });
    await expect(waitForDataRepositoryAssociationDeletion(input, deps)).resolves.toEqual({ done: false, attempts: 1, waitSeconds: 30, remaining: ['dra-1'] });
    fsx.on(DescribeDataRepositoryAssociationsCommand).rejects(awsError('DataRepositoryAssociationNotFound'));
    await expect(waitForDataRepositoryAssociationDeletion(input, deps)).resolves.toEqual({ done: true, attempts: 1, waitSeconds: 30, remaining: [] });
  });
});
