// Compensation: deletes the file system this request created, found by its request-id tag.
// An adopted file system (existingFileSystemId) is never deleted, tagged or not.
import { DeleteFileSystemCommand } from '@aws-sdk/client-fsx';
import { findTaggedFileSystems } from '../shared/file-systems.js';
import { clientsFor } from '../shared/step-support.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from '../shared/step-deps.js';
import type { DeleteFileSystemOutput } from '../../core/step-outputs.js';

export async function deleteFileSystem(input: StepInput, deps: StepDeps<'fsx'>): Promise<DeleteFileSystemOutput> {
  const { request, context } = input;
  const { fsx } = clientsFor(input, deps, 'fileSystem');
  const adopted = request.fileSystem.existingFileSystemId;
  const ours = (await findTaggedFileSystems(fsx, request.requestId)).filter((fs) => fs.FileSystemId && fs.FileSystemId !== adopted);
  let changed = false;
  for (const fs of ours) {
    if (fs.Lifecycle === 'DELETING') continue;
    await fsx.send(
      new DeleteFileSystemCommand({
        FileSystemId: fs.FileSystemId!,
        ClientRequestToken: `${context.names.fileSystemToken.slice(0, 56)}-delete`,
        // A final backup would outlive the rollback and keep costing; persistent types only.
        ...(fs.LustreConfiguration?.DeploymentType?.startsWith('PERSISTENT') ? { LustreConfiguration: { SkipFinalBackup: true } } : {}),
      }),
    );
    changed = true;
  }
  return { changed, fileSystemIds: ours.map((fs) => fs.FileSystemId!) };
}
