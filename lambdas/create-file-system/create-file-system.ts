// Creates the FSx for Lustre file system, or adopts `existingFileSystemId`. Legacy linked
// types (PERSISTENT_1, SCRATCH_2) are linked to S3 here with ImportPath/ExportPath; FSx
// rejects those parameters on PERSISTENT_2, which is linked by a DRA instead.
import { CreateFileSystemCommand } from '@aws-sdk/client-fsx';
import { ErrorNames, OnboardingError } from '../../core/errors.js';
import { createFileSystemInput, describeFileSystem, findTaggedFileSystems } from '../shared/file-systems.js';
import { clientsFor } from '../shared/step-support.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from '../shared/step-deps.js';
import type { CreateFileSystemOutput } from '../../core/step-outputs.js';

export async function createFileSystem(input: StepInput, deps: StepDeps<'fsx'>): Promise<CreateFileSystemOutput> {
  const { request } = input;
  const { fsx } = clientsFor(input, deps, 'fileSystem');
  const existingId = request.fileSystem.existingFileSystemId;
  if (existingId) {
    const adopted = await describeFileSystem(fsx, existingId);
    if (!adopted)
      throw new OnboardingError(
        ErrorNames.ResourceConflict,
        `fileSystem.existingFileSystemId ${existingId} does not exist in account ${input.context.accounts.fileSystem}`,
      );
    if (adopted.FileSystemType !== 'LUSTRE')
      throw new OnboardingError(ErrorNames.ResourceConflict, `File system ${existingId} is ${adopted.FileSystemType}, not LUSTRE`);
    return { changed: false, fileSystemId: existingId, created: false };
  }
  const ours = (await findTaggedFileSystems(fsx, request.requestId)).find((fs) => fs.Lifecycle !== 'DELETING' && fs.FileSystemId);
  if (ours) return { changed: false, fileSystemId: ours.FileSystemId!, created: true };

  const { FileSystem: created } = await fsx.send(new CreateFileSystemCommand(createFileSystemInput(input)));
  if (!created?.FileSystemId) throw new OnboardingError(ErrorNames.FileSystemFailed, 'CreateFileSystem returned no file system id');
  return { changed: true, fileSystemId: created.FileSystemId, created: true };
}
