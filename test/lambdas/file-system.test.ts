import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CreateFileSystemCommand,
  DeleteFileSystemCommand,
  DescribeDataRepositoryAssociationsCommand,
  DescribeFileSystemsCommand,
  FSxClient,
} from '@aws-sdk/client-fsx';
import { createFileSystem } from '../../lambdas/create-file-system/create-file-system.js';
import { waitForFileSystem } from '../../lambdas/wait-for-file-system/wait-for-file-system.js';
import { deleteFileSystem } from '../../lambdas/delete-file-system/delete-file-system.js';
import { waitForFileSystemDeletion } from '../../lambdas/wait-for-file-system-deletion/wait-for-file-system-deletion.js';
import { A, FS_ID, awsError, setup } from './fixtures.js';

const fsx = mockClient(FSxClient);
const tag = (requestId: string) => [{ Key: 'fsx-onboard:request-id', Value: requestId }];
const ADOPTED = 'fs-0aaaaaaaaaaaaaaaa';

beforeEach(() => fsx.reset());

describe('CreateFileSystem', () => {
  it('creates a PERSISTENT_2 file system with the request token and tags and no ImportPath', async () => {
    fsx.on(DescribeFileSystemsCommand).resolves({ FileSystems: [{ FileSystemId: 'fs-other', Tags: tag('another-request') }] });
    fsx.on(CreateFileSystemCommand).resolves({ FileSystem: { FileSystemId: FS_ID } });
    const { input, deps, names, clients } = setup();
    await expect(createFileSystem(input, deps)).resolves.toEqual({ changed: true, fileSystemId: FS_ID, created: true });
    expect(clients.targets).toEqual([`fileSystem@${A}`]);
    expect(fsx).toHaveReceivedCommandExactlyOnceWith(CreateFileSystemCommand, {
      ClientRequestToken: names.fileSystemToken,
      FileSystemType: 'LUSTRE',
      FileSystemTypeVersion: '2.15',
      StorageCapacity: 1200,
      SubnetIds: ['subnet-0a1b2c3d4e5f60718'],
      SecurityGroupIds: ['sg-0123456789abcdef0'],
      Tags: [
        { Key: 'team', Value: 'genomics' },
        { Key: 'fsx-onboard:request-id', Value: 'genomics-scratch-2026-11' },
        { Key: 'fsx-onboard:managed-by', Value: 'fsx-onboard' },
      ],
      LustreConfiguration: { DeploymentType: 'PERSISTENT_2', PerUnitStorageThroughput: 125 },
    });
  });

  it('links a SCRATCH_2 file system at creation with ImportPath = ExportPath and auto-import', async () => {
    fsx.on(DescribeFileSystemsCommand).resolves({ FileSystems: [] });
    fsx.on(CreateFileSystemCommand).resolves({ FileSystem: { FileSystemId: FS_ID } });
    const { input, deps } = setup('request-legacy.json');
    await createFileSystem(input, deps);
    const sent = fsx.commandCalls(CreateFileSystemCommand)[0]!.args[0].input;
    expect(sent.LustreConfiguration).toEqual({
      DeploymentType: 'SCRATCH_2',
      ImportPath: 's3://ml-training-sets/',
      ExportPath: 's3://ml-training-sets/',
      AutoImportPolicy: 'NEW_CHANGED_DELETED',
    });
    expect(sent).not.toHaveProperty('FileSystemTypeVersion');
  });

  it('finds the file system an earlier run created by its request-id tag and creates none', async () => {
    fsx
      .on(DescribeFileSystemsCommand)
      .resolvesOnce({ FileSystems: [{ FileSystemId: 'fs-other', Tags: tag('x') }], NextToken: 'n' })
      .resolvesOnce({ FileSystems: [{ FileSystemId: FS_ID, Lifecycle: 'CREATING', Tags: tag('genomics-scratch-2026-11') }] });
    const { input, deps } = setup();
    await expect(createFileSystem(input, deps)).resolves.toEqual({ changed: false, fileSystemId: FS_ID, created: true });
    expect(fsx).not.toHaveReceivedCommand(CreateFileSystemCommand);
  });

  it('adopts existingFileSystemId without creating anything', async () => {
    fsx.on(DescribeFileSystemsCommand, { FileSystemIds: [ADOPTED] }).resolves({ FileSystems: [{ FileSystemId: ADOPTED, FileSystemType: 'LUSTRE' }] });
    const { input, deps } = setup('request.json', {}, { edit: (r) => (r['fileSystem'].existingFileSystemId = ADOPTED) });
    await expect(createFileSystem(input, deps)).resolves.toEqual({ changed: false, fileSystemId: ADOPTED, created: false });
    expect(fsx).not.toHaveReceivedCommand(CreateFileSystemCommand);
  });
});

describe('WaitForFileSystem', () => {
  const steps = (attempts?: number) => ({ CreateFileSystem: { fileSystemId: FS_ID }, ...(attempts ? { WaitForFileSystem: { attempts } } : {}) });

  it('counts a check while CREATING', async () => {
    fsx.on(DescribeFileSystemsCommand).resolves({ FileSystems: [{ FileSystemId: FS_ID, Lifecycle: 'CREATING' }] });
    const { input, deps } = setup('request.json', steps(3));
    await expect(waitForFileSystem(input, deps)).resolves.toEqual({ done: false, attempts: 4, waitSeconds: 60, lifecycle: 'CREATING' });
    expect(fsx).toHaveReceivedCommandWith(DescribeFileSystemsCommand, { FileSystemIds: [FS_ID] });
  });

  it('returns the DNS and mount names once AVAILABLE', async () => {
    fsx.on(DescribeFileSystemsCommand).resolves({
      FileSystems: [
        { FileSystemId: FS_ID, Lifecycle: 'AVAILABLE', DNSName: `${FS_ID}.fsx.us-east-1.amazonaws.com`, LustreConfiguration: { MountName: 'abcdefgh' } },
      ],
    });
    const now = Date.parse('2026-12-01T10:10:00Z');
    const { input, deps } = setup('request.json', steps(), { now });
    await expect(waitForFileSystem(input, deps)).resolves.toEqual({
      done: true,
      attempts: 1,
      waitSeconds: 60,
      lifecycle: 'AVAILABLE',
      dnsName: `${FS_ID}.fsx.us-east-1.amazonaws.com`,
      mountName: 'abcdefgh',
      // The association's typical time counts from here.
      seenAvailableAt: now,
    });
  });

  it('waits out the typical creation time of its type first: ~10 minutes for PERSISTENT_2, ~22 with its own key, less for the others', async () => {
    const createdAt = Date.parse('2026-12-01T10:00:00Z');
    fsx.on(DescribeFileSystemsCommand).resolves({ FileSystems: [{ FileSystemId: FS_ID, Lifecycle: 'CREATING', CreationTime: new Date(createdAt) }] });
    const waitAfter = async (seconds: number, file: 'request.json' | 'request-legacy.json' = 'request.json', edit?: (r: Record<string, any>) => void) => {
      const { input, deps } = setup(file, steps(), { now: createdAt + seconds * 1000, ...(edit ? { edit } : {}) });
      return (await waitForFileSystem(input, deps)).waitSeconds;
    };
    expect(await waitAfter(2)).toBe(538);
    expect(await waitAfter(600)).toBe(60);
    expect(await waitAfter(2, 'request.json', (r) => (r['fileSystem'].kmsKeyArn = r['key'].arn))).toBe(1198);
    expect(await waitAfter(2, 'request-legacy.json')).toBe(238);
  });

  it("waits for a legacy file system's S3 link (DataRepositoryConfiguration.Lifecycle), stopping on FAILED", async () => {
    const legacy = (Lifecycle: 'AVAILABLE' | 'MISCONFIGURED' | 'FAILED') => ({
      FileSystems: [
        {
          FileSystemId: FS_ID,
          Lifecycle: 'AVAILABLE' as const,
          LustreConfiguration: {
            MountName: 'abcdefgh',
            DataRepositoryConfiguration: { Lifecycle, ImportPath: 's3://ml-training-sets', FailureDetails: { Message: 'no notification' } },
          },
        },
      ],
    });
    fsx.on(DescribeFileSystemsCommand).resolves(legacy('MISCONFIGURED'));
    const { input, deps } = setup('request-legacy.json', steps());
    await expect(waitForFileSystem(input, deps)).resolves.toMatchObject({ done: false, linkLifecycle: 'MISCONFIGURED', misconfiguredChecks: 1 });
    const late = setup('request-legacy.json', { ...steps(), WaitForFileSystem: { done: false, attempts: 20, misconfiguredChecks: 15 } });
    await expect(waitForFileSystem(late.input, late.deps)).rejects.toMatchObject({
      name: 'FileSystemFailed',
      message: expect.stringContaining('stayed MISCONFIGURED'),
    });
    fsx.on(DescribeFileSystemsCommand).resolves(legacy('FAILED'));
    await expect(waitForFileSystem(input, deps)).rejects.toMatchObject({
      name: 'FileSystemFailed',
      message: expect.stringContaining('is FAILED: no notification'),
    });
    fsx.on(DescribeFileSystemsCommand).resolves(legacy('AVAILABLE'));
    await expect(waitForFileSystem(input, deps)).resolves.toMatchObject({ done: true, linkLifecycle: 'AVAILABLE' });
  });

  it("stops with FileSystemFailed and FSx's FailureDetails", async () => {
    fsx.on(DescribeFileSystemsCommand).resolves({
      FileSystems: [
        { FileSystemId: FS_ID, Lifecycle: 'MISCONFIGURED', FailureDetails: { Message: 'Amazon FSx is unable to validate access to the S3 bucket' } },
      ],
    });
    const { input, deps } = setup('request.json', steps());
    await expect(waitForFileSystem(input, deps)).rejects.toMatchObject({
      name: 'FileSystemFailed',
      message: expect.stringContaining('MISCONFIGURED: Amazon FSx is unable to validate access'),
    });
  });

  it('gives up with PollTimedOut at maxAttempts, naming the step and what it waited for', async () => {
    fsx.on(DescribeFileSystemsCommand).resolves({ FileSystems: [{ FileSystemId: FS_ID, Lifecycle: 'CREATING' }] });
    const { input, deps } = setup('request.json', steps(4), { poll: { delaySeconds: 60, maxAttempts: 5 } });
    await expect(waitForFileSystem(input, deps)).rejects.toMatchObject({
      name: 'PollTimedOut',
      message: expect.stringMatching(/WaitForFileSystem gave up after 5 checks waiting for file system fs-\w+ to become AVAILABLE/),
    });
  });
});

describe('DeleteFileSystem', () => {
  it('deletes only the file system tagged with this request id, without a final backup', async () => {
    fsx.on(DescribeFileSystemsCommand).resolves({
      FileSystems: [
        { FileSystemId: 'fs-other', Tags: tag('another-request') },
        { FileSystemId: FS_ID, Lifecycle: 'AVAILABLE', Tags: tag('genomics-scratch-2026-11'), LustreConfiguration: { DeploymentType: 'PERSISTENT_2' } },
      ],
    });
    fsx.on(DescribeDataRepositoryAssociationsCommand).resolves({ Associations: [] });
    const { input, deps } = setup();
    await expect(deleteFileSystem(input, deps)).resolves.toEqual({ changed: true, fileSystemIds: [FS_ID] });
    expect(fsx).toHaveReceivedCommandTimes(DeleteFileSystemCommand, 1);
    expect(fsx).toHaveReceivedCommandWith(DeleteFileSystemCommand, { FileSystemId: FS_ID, LustreConfiguration: { SkipFinalBackup: true } });
  });

  it("keeps the file system while another request's association is on it; its own one being deleted does not count", async () => {
    fsx.on(DescribeFileSystemsCommand).resolves({
      FileSystems: [{ FileSystemId: FS_ID, Lifecycle: 'AVAILABLE', Tags: tag('genomics-scratch-2026-11') }],
    });
    fsx.on(DescribeDataRepositoryAssociationsCommand).resolves({
      Associations: [
        { AssociationId: 'dra-ours', Lifecycle: 'DELETING', Tags: tag('genomics-scratch-2026-11') },
        { AssociationId: 'dra-theirs', Lifecycle: 'AVAILABLE', Tags: tag('imaging-link-2026-12') },
      ],
    });
    const { input, deps } = setup();
    await expect(deleteFileSystem(input, deps)).resolves.toEqual({
      changed: false,
      fileSystemIds: [],
      kept: [{ fileSystemId: FS_ID, associationIds: ['dra-theirs'] }],
    });
    expect(fsx).not.toHaveReceivedCommand(DeleteFileSystemCommand);
  });

  it('never deletes an adopted file system, even one carrying our tag', async () => {
    fsx.on(DescribeFileSystemsCommand).resolves({ FileSystems: [{ FileSystemId: ADOPTED, Lifecycle: 'AVAILABLE', Tags: tag('genomics-scratch-2026-11') }] });
    const { input, deps } = setup(
      'request.json',
      { CreateFileSystem: { fileSystemId: ADOPTED, created: false } },
      { edit: (r) => (r['fileSystem'].existingFileSystemId = ADOPTED) },
    );
    await expect(deleteFileSystem(input, deps)).resolves.toEqual({ changed: false, fileSystemIds: [] });
    expect(fsx).not.toHaveReceivedCommand(DeleteFileSystemCommand);
  });

  it('sends nothing when the file system is already DELETING or gone', async () => {
    fsx.on(DescribeFileSystemsCommand).resolves({ FileSystems: [{ FileSystemId: FS_ID, Lifecycle: 'DELETING', Tags: tag('genomics-scratch-2026-11') }] });
    const { input, deps } = setup();
    await expect(deleteFileSystem(input, deps)).resolves.toEqual({ changed: false, fileSystemIds: [FS_ID] });
    fsx.on(DescribeFileSystemsCommand).resolves({ FileSystems: [] });
    await expect(deleteFileSystem(input, deps)).resolves.toEqual({ changed: false, fileSystemIds: [] });
    expect(fsx).not.toHaveReceivedCommand(DeleteFileSystemCommand);
  });
});

describe('WaitForFileSystemDeletion', () => {
  it('is done when FSx answers FileSystemNotFound, and waits while DELETING', async () => {
    const { input, deps } = setup('request.json', { DeleteFileSystem: { fileSystemIds: [FS_ID] } });
    fsx.on(DescribeFileSystemsCommand).resolves({ FileSystems: [{ FileSystemId: FS_ID, Lifecycle: 'DELETING' }] });
    await expect(waitForFileSystemDeletion(input, deps)).resolves.toEqual({ done: false, attempts: 1, waitSeconds: 60, remaining: [FS_ID] });
    fsx.on(DescribeFileSystemsCommand).rejects(awsError('FileSystemNotFound'));
    await expect(waitForFileSystemDeletion(input, deps)).resolves.toEqual({ done: true, attempts: 1, waitSeconds: 60, remaining: [] });
  });
});
