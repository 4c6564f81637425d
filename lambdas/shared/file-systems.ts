// The file system this request creates (its CreateFileSystem input, shared by the step and
// `fsx-onboard plan`), and finding it again: by the id an earlier step returned, or by the
// request-id tag every file system this request creates carries.
import {
  DescribeFileSystemsCommand,
  paginateDescribeFileSystems,
  type CreateFileSystemCommandInput,
  type FSxClient,
  type FileSystem,
} from '@aws-sdk/client-fsx';
import { dataRepositoryPath } from '../../core/naming.js';
import type { StepInput } from '../../core/step-io.js';
import { hasRequestTag, isErrorNamed, resourceTags } from './step-support.js';

export async function describeFileSystem(fsx: FSxClient, fileSystemId: string): Promise<FileSystem | undefined> {
  try {
    const { FileSystems } = await fsx.send(new DescribeFileSystemsCommand({ FileSystemIds: [fileSystemId] }));
    return FileSystems?.[0];
  } catch (e) {
    if (isErrorNamed(e, 'FileSystemNotFound')) return undefined;
    throw e;
  }
}

/** File systems in the account tagged with this request id (DescribeFileSystems has no tag filter). */
export async function findTaggedFileSystems(fsx: FSxClient, requestId: string): Promise<FileSystem[]> {
  const found: FileSystem[] = [];
  for await (const page of paginateDescribeFileSystems({ client: fsx }, {})) {
    found.push(...(page.FileSystems ?? []).filter((fs) => hasRequestTag(fs.Tags, requestId)));
  }
  return found;
}

const defaultThroughput = { PERSISTENT_2: 125, PERSISTENT_1: 50 } as const;

/** What CreateFileSystem is asked for. */
export function createFileSystemInput(input: StepInput): CreateFileSystemCommandInput {
  const { request, context } = input;
  const fs = request.fileSystem;
  const throughput = fs.deploymentType === 'SCRATCH_2' ? undefined : (fs.perUnitStorageThroughput ?? defaultThroughput[fs.deploymentType]);
  const path = dataRepositoryPath(request);
  return {
    ClientRequestToken: context.names.fileSystemToken,
    FileSystemType: 'LUSTRE',
    // DRAs need Lustre 2.12 or later; legacy types keep FSx's default version.
    ...(fs.deploymentType === 'PERSISTENT_2' ? { FileSystemTypeVersion: '2.15' } : {}),
    StorageCapacity: fs.storageCapacityGiB,
    SubnetIds: fs.subnetIds,
    SecurityGroupIds: fs.securityGroupIds,
    Tags: resourceTags(input),
    // Absent: FSx encrypts a persistent file system with its AWS managed key (aws/fsx).
    ...(fs.kmsKeyArn ? { KmsKeyId: fs.kmsKeyArn } : {}),
    LustreConfiguration: {
      DeploymentType: fs.deploymentType,
      ...(throughput !== undefined ? { PerUnitStorageThroughput: throughput } : {}),
      ...(context.legacyLinked ? { ImportPath: path, ExportPath: path, AutoImportPolicy: 'NEW_CHANGED_DELETED' as const } : {}),
    },
  };
}
