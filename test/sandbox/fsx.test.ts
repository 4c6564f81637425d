import { GRANT_PROPAGATION_MS } from '../../sandbox/services/kms.js';
import {
  CreateDataRepositoryAssociationCommand,
  CreateDataRepositoryTaskCommand,
  CreateFileSystemCommand,
  DeleteDataRepositoryAssociationCommand,
  DeleteFileSystemCommand,
  DescribeDataRepositoryAssociationsCommand,
  DescribeDataRepositoryTasksCommand,
  DescribeFileSystemsCommand,
  type CreateFileSystemCommandInput,
} from '@aws-sdk/client-fsx';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { CreateGrantCommand } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { exampleRequest, shareBucketAndKey, world } from './world.js';

type World = Awaited<ReturnType<typeof world>>;

function fsInput(w: World, extra: Partial<CreateFileSystemCommandInput> = {}): CreateFileSystemCommandInput {
  return {
    ClientRequestToken: 'tok-fs',
    FileSystemType: 'LUSTRE',
    StorageCapacity: 1200,
    SubnetIds: w.request.fileSystem.subnetIds,
    SecurityGroupIds: w.request.fileSystem.securityGroupIds,
    Tags: [
      { Key: 'fsx-onboard:request-id', Value: w.request.requestId },
      { Key: 'fsx-onboard:managed-by', Value: 'fsx-onboard' },
    ],
    LustreConfiguration: { DeploymentType: 'PERSISTENT_2', PerUnitStorageThroughput: 125 },
    ...extra,
  };
}

const draInput = (w: World, fileSystemId: string, token = 'tok-dra', path = w.request.fileSystem.fileSystemPath) => ({
  ClientRequestToken: token,
  FileSystemId: fileSystemId,
  FileSystemPath: path,
  DataRepositoryPath: `s3://${w.request.bucket.name}/${w.request.bucket.prefix}`,
  BatchImportMetaDataOnCreate: true,
  S3: { AutoImportPolicy: { Events: ['NEW' as const] }, AutoExportPolicy: { Events: ['NEW' as const] } },
  Tags: [{ Key: 'fsx-onboard:managed-by', Value: 'fsx-onboard' }],
});

async function lifecycle(w: World, id: string) {
  const { FileSystems } = await w.fileSystem.fsx.send(new DescribeFileSystemsCommand({ FileSystemIds: [id] }));
  return FileSystems?.[0]?.Lifecycle;
}

describe('sandbox FSx', () => {
  it('creates a PERSISTENT_2 file system that is AVAILABLE about ten virtual minutes later', async () => {
    const w = await world();
    const { FileSystem } = await w.fileSystem.fsx.send(new CreateFileSystemCommand(fsInput(w)));
    expect(FileSystem?.FileSystemId).toMatch(/^fs-[0-9a-f]{17}$/);
    expect(FileSystem?.DNSName).toBe(`${FileSystem?.FileSystemId}.fsx.${w.request.region}.amazonaws.com`);
    expect(FileSystem?.LustreConfiguration?.MountName).toMatch(/^[a-z]{8}$/);
    expect(FileSystem?.Lifecycle).toBe('CREATING');
    w.sandbox.clock.advance(540);
    expect(await lifecycle(w, FileSystem!.FileSystemId!)).toBe('CREATING');
    w.sandbox.clock.advance(70);
    expect(await lifecycle(w, FileSystem!.FileSystemId!)).toBe('AVAILABLE');
    const retry = await w.fileSystem.fsx.send(new CreateFileSystemCommand(fsInput(w)));
    expect(retry.FileSystem?.FileSystemId).toBe(FileSystem?.FileSystemId);
    await expect(w.fileSystem.fsx.send(new CreateFileSystemCommand(fsInput(w, { StorageCapacity: 2400 })))).rejects.toMatchObject({
      name: 'IncompatibleParameterError',
    });
  });

  it('validates deployment type, capacity, subnets and rejects ImportPath for PERSISTENT_2', async () => {
    const w = await world();
    const send = (extra: Partial<CreateFileSystemCommandInput>) =>
      w.fileSystem.fsx.send(new CreateFileSystemCommand(fsInput(w, { ClientRequestToken: undefined, ...extra })));
    await expect(send({ StorageCapacity: 1300 })).rejects.toMatchObject({ name: 'BadRequest' });
    await expect(send({ SubnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-0a1b2c3d4e5f60719'] })).rejects.toMatchObject({ name: 'BadRequest' });
    await expect(
      send({ LustreConfiguration: { DeploymentType: 'PERSISTENT_2', PerUnitStorageThroughput: 125, ImportPath: `s3://${w.request.bucket.name}` } }),
    ).rejects.toMatchObject({
      name: 'BadRequest',
      message: expect.stringContaining('not supported for PERSISTENT_2'),
    });
    await expect(send({ LustreConfiguration: { DeploymentType: 'PERSISTENT_2', PerUnitStorageThroughput: 50 } })).rejects.toMatchObject({
      name: 'InvalidPerUnitStorageThroughput',
    });
  });

  it('validates S3 access with the caller credentials for a DRA, and creates the SLR with it', async () => {
    const w = await world();
    const { FileSystem } = await w.fileSystem.fsx.send(new CreateFileSystemCommand(fsInput(w)));
    const id = FileSystem!.FileSystemId!;
    // Cross-account: without the bucket policy the file-system role cannot reach the bucket.
    await expect(w.fileSystem.fsx.send(new CreateDataRepositoryAssociationCommand(draInput(w, id)))).rejects.toMatchObject({
      name: 'BadRequest',
      message: expect.stringContaining('Amazon FSx is unable to validate access to the S3 bucket'),
    });
    await shareBucketAndKey(w);
    const slrName = `AWSServiceRoleForFSxS3Access_${id}`;
    await expect(w.fileSystem.iam.send(new GetRoleCommand({ RoleName: slrName }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    const { Association } = await w.fileSystem.fsx.send(new CreateDataRepositoryAssociationCommand(draInput(w, id)));
    expect(Association?.Lifecycle).toBe('CREATING');
    const again = await w.fileSystem.fsx.send(new CreateDataRepositoryAssociationCommand(draInput(w, id)));
    expect(again.Association?.AssociationId).toBe(Association?.AssociationId);
    await expect(
      w.fileSystem.fsx.send(new CreateDataRepositoryAssociationCommand(draInput(w, id, 'tok-2', `${w.request.fileSystem.fileSystemPath}/sub`))),
    ).rejects.toMatchObject({ name: 'BadRequest' });
    // IAM propagation: the SLR is not readable at once.
    await expect(w.fileSystem.iam.send(new GetRoleCommand({ RoleName: slrName }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    w.sandbox.clock.advance(5);
    const { Role } = await w.fileSystem.iam.send(new GetRoleCommand({ RoleName: slrName }));
    expect(Role?.Path).toBe('/aws-service-role/s3.data-source.lustre.fsx.amazonaws.com/');
    // The DRA is processed after the file system is AVAILABLE, within 5 to 13 minutes.
    w.sandbox.clock.advance(600 + 13 * 60);
    const described = await w.fileSystem.fsx.send(new DescribeDataRepositoryAssociationsCommand({ AssociationIds: [Association!.AssociationId!] }));
    expect(described.Associations?.[0]?.Lifecycle).toBe('AVAILABLE');
  });

  it('creates the SLR with a legacy SCRATCH_2 file system linked by ImportPath', async () => {
    const w = await world(
      exampleRequest((r) => {
        r['fileSystem'].deploymentType = 'SCRATCH_2';
        r['fileSystem'].fileSystemPath = '/';
        delete r['fileSystem'].perUnitStorageThroughput;
      }),
    );
    await shareBucketAndKey(w);
    const url = `s3://${w.request.bucket.name}/${w.request.bucket.prefix}`;
    const { FileSystem } = await w.fileSystem.fsx.send(
      new CreateFileSystemCommand(
        fsInput(w, { LustreConfiguration: { DeploymentType: 'SCRATCH_2', ImportPath: url, ExportPath: url, AutoImportPolicy: 'NEW_CHANGED_DELETED' } }),
      ),
    );
    w.sandbox.clock.advance(5);
    const { Role } = await w.fileSystem.iam.send(new GetRoleCommand({ RoleName: `AWSServiceRoleForFSxS3Access_${FileSystem!.FileSystemId}` }));
    expect(Role?.Arn).toContain(':role/aws-service-role/s3.data-source.lustre.fsx.amazonaws.com/');
    w.sandbox.clock.advance(360);
    expect(await lifecycle(w, FileSystem!.FileSystemId!)).toBe('AVAILABLE');
  });

  // IAM evaluates aws:ResourceTag/<key> against the tags of the resource acted on; the
  // file-system role may delete only what carries fsx-onboard:managed-by = fsx-onboard.
  it('refuses to delete a file system or association without the managed-by tag (aws:ResourceTag)', async () => {
    const w = await world();
    await shareBucketAndKey(w);
    const untagged = { Tags: [{ Key: 'fsx-onboard:request-id', Value: w.request.requestId }] };
    const { FileSystem } = await w.fileSystem.fsx.send(new CreateFileSystemCommand(fsInput(w, untagged)));
    const id = FileSystem!.FileSystemId!;
    const { Association } = await w.fileSystem.fsx.send(new CreateDataRepositoryAssociationCommand({ ...draInput(w, id), Tags: [] }));
    w.sandbox.clock.advance(600);
    await expect(w.fileSystem.fsx.send(new DeleteDataRepositoryAssociationCommand({ AssociationId: Association!.AssociationId! }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringMatching(/not authorized to perform: fsx:DeleteDataRepositoryAssociation .*no identity-based policy allows/),
    });
    await expect(w.fileSystem.fsx.send(new DeleteFileSystemCommand({ FileSystemId: id }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringMatching(/not authorized to perform: fsx:DeleteFileSystem .*no identity-based policy allows/),
    });
    expect(await lifecycle(w, id)).toBe('AVAILABLE');
  });

  it('deletes a file system with its SLR: DELETING, then FileSystemNotFound', async () => {
    const w = await world();
    await shareBucketAndKey(w);
    const { FileSystem } = await w.fileSystem.fsx.send(new CreateFileSystemCommand(fsInput(w)));
    const id = FileSystem!.FileSystemId!;
    await w.fileSystem.fsx.send(new CreateDataRepositoryAssociationCommand(draInput(w, id)));
    w.sandbox.clock.advance(600);
    const deleted = await w.fileSystem.fsx.send(new DeleteFileSystemCommand({ FileSystemId: id }));
    expect(deleted.Lifecycle).toBe('DELETING');
    expect(await lifecycle(w, id)).toBe('DELETING');
    w.sandbox.clock.advance(200);
    await expect(lifecycle(w, id)).rejects.toMatchObject({ name: 'FileSystemNotFound' });
    await expect(w.fileSystem.iam.send(new GetRoleCommand({ RoleName: `AWSServiceRoleForFSxS3Access_${id}` }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
    });
    expect(Object.keys(w.sandbox.state.dras)).toHaveLength(0);
  });

  it('fails an export task whose report FSx cannot encrypt, and succeeds once the SLR has a grant', async () => {
    const w = await world(
      exampleRequest((r) => {
        r['testExport'] = { mode: 'data-repository-task' };
      }),
    );
    await shareBucketAndKey(w);
    const { FileSystem } = await w.fileSystem.fsx.send(new CreateFileSystemCommand(fsInput(w)));
    const id = FileSystem!.FileSystemId!;
    await w.fileSystem.fsx.send(new CreateDataRepositoryAssociationCommand(draInput(w, id)));
    w.sandbox.clock.advance(600 + 13 * 60 + 1);
    const task = (token: string) =>
      w.fileSystem.fsx.send(
        new CreateDataRepositoryTaskCommand({
          Type: 'EXPORT_TO_REPOSITORY',
          FileSystemId: id,
          Paths: ['genomics'],
          ClientRequestToken: token,
          Report: {
            Enabled: true,
            Path: `s3://${w.request.bucket.name}/${w.request.bucket.prefix}.fsx-onboard-reports`,
            Format: 'REPORT_CSV_20191124',
            Scope: 'FAILED_FILES_ONLY',
          },
        }),
      );
    const first = await task('t1');
    expect(first.DataRepositoryTask?.Lifecycle).toBe('PENDING');
    await expect(task('t2')).rejects.toMatchObject({ name: 'DataRepositoryTaskExecuting' });
    w.sandbox.clock.advance(30);
    const describe1 = () => w.fileSystem.fsx.send(new DescribeDataRepositoryTasksCommand({ TaskIds: [first.DataRepositoryTask!.TaskId!] }));
    expect((await describe1()).DataRepositoryTasks?.[0]?.Lifecycle).toBe('EXECUTING');
    w.sandbox.clock.advance(60);
    const failed = (await describe1()).DataRepositoryTasks?.[0];
    expect(failed?.Lifecycle).toBe('FAILED');
    expect(failed?.FailureDetails?.Message).toContain('S3AccessDenied');

    const slr = `arn:aws:iam::${w.a}:role/aws-service-role/s3.data-source.lustre.fsx.amazonaws.com/AWSServiceRoleForFSxS3Access_${id}`;
    await w.fileSystem.kms.send(
      new CreateGrantCommand({
        KeyId: w.request.key.arn,
        GranteePrincipal: slr,
        Operations: ['Decrypt', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'CreateGrant', 'DescribeKey', 'ReEncryptFrom', 'ReEncryptTo'],
        Name: 'g',
      }),
    );
    // FSx cannot present the grant token: the task succeeds once the grant has propagated.
    w.sandbox.clock.advance(GRANT_PROPAGATION_MS / 1000);
    const second = await task('t3');
    w.sandbox.clock.advance(90);
    const done = (await w.fileSystem.fsx.send(new DescribeDataRepositoryTasksCommand({ TaskIds: [second.DataRepositoryTask!.TaskId!] })))
      .DataRepositoryTasks?.[0];
    expect(done?.Lifecycle).toBe('SUCCEEDED');
    const report = w.sandbox.state.buckets[w.request.bucket.name]!.objects[`${w.request.bucket.prefix}.fsx-onboard-reports/${done!.TaskId}/failures.csv`];
    expect(report).toMatchObject({
      sse: 'aws:kms',
      kmsKeyArn: w.request.key.arn,
      writtenBy: `arn:aws:sts::${w.a}:assumed-role/AWSServiceRoleForFSxS3Access_${id}/FSx`,
    });
  });

  it('refuses a DRA when the caller may not create the SLR, and "/" after another DRA', async () => {
    const w = await world();
    await shareBucketAndKey(w);
    const { FileSystem } = await w.fileSystem.fsx.send(new CreateFileSystemCommand(fsInput(w)));
    const id = FileSystem!.FileSystemId!;
    const role = w.sandbox.state.roles[`arn:aws:iam::${w.a}:role/fsx-onboard-filesystem`]!;
    const policy = Object.values(role.inlinePolicies)[0]!;
    const saved = policy.Statement;
    policy.Statement = saved.filter((st) => st.Sid !== 'FsxS3ServiceLinkedRole');
    await expect(w.fileSystem.fsx.send(new CreateDataRepositoryAssociationCommand(draInput(w, id)))).rejects.toMatchObject({
      name: 'BadRequest',
      message: expect.stringContaining('iam:CreateServiceLinkedRole'),
    });
    policy.Statement = saved;
    await w.fileSystem.fsx.send(new CreateDataRepositoryAssociationCommand(draInput(w, id)));
    await expect(
      w.fileSystem.fsx.send(
        new CreateDataRepositoryAssociationCommand({ ...draInput(w, id, 'tok-root', '/'), DataRepositoryPath: `s3://${w.request.bucket.name}/other/` }),
      ),
    ).rejects.toMatchObject({
      name: 'BadRequest',
      message: expect.stringContaining('first data repository association'),
    });
  });
});
