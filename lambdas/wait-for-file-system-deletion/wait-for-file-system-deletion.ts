// Poll: the file system is gone once DescribeFileSystems answers FileSystemNotFound.
import { stepOutput, type DeletionPollOutput } from '../../core/step-outputs.js';
import { pollUntilDeleted } from '../shared/deletion-poll.js';
import { ErrorNames } from '../../core/errors.js';
import { describeFileSystem } from '../shared/file-systems.js';
import { clientsFor } from '../shared/step-support.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from '../shared/step-deps.js';

export async function waitForFileSystemDeletion(input: StepInput, deps: StepDeps<'fsx'>): Promise<DeletionPollOutput> {
  const { fsx } = clientsFor(input, deps, 'fileSystem');
  return pollUntilDeleted(input, 'WaitForFileSystemDeletion', stepOutput(input, 'DeleteFileSystem')?.fileSystemIds ?? [], {
    noun: 'file system',
    failedError: ErrorNames.FileSystemFailed,
    describe: (id) => describeFileSystem(fsx, id),
  });
}
