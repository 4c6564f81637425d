// Poll: the file system is gone once DescribeFileSystems answers FileSystemNotFound.
import { ErrorNames, OnboardingError } from '../shared/errors.js';
import { describeFileSystem } from '../shared/file-systems.js';
import { clientsFor, pollCount } from '../shared/step-support.js';
import type { StepDeps, StepInput } from '../shared/step-io.js';

export interface WaitForFileSystemDeletionOutput {
  done: boolean;
  attempts: number;
  remaining: string[];
}

export async function waitForFileSystemDeletion(input: StepInput, deps: StepDeps): Promise<WaitForFileSystemDeletionOutput> {
  const poll = pollCount(input, 'WaitForFileSystemDeletion');
  const ids = input.steps['DeleteFileSystem']?.['fileSystemIds'];
  const { fsx } = clientsFor(input, deps, 'fileSystem');
  const remaining: string[] = [];
  for (const id of Array.isArray(ids) ? (ids as string[]) : []) {
    const fs = await describeFileSystem(fsx, id);
    if (!fs) continue;
    if (fs.Lifecycle === 'FAILED') throw new OnboardingError(ErrorNames.FileSystemFailed, `Deleting file system ${id} failed: ${fs.FailureDetails?.Message ?? 'FSx gave no details'}`);
    remaining.push(id);
  }
  const done = remaining.length === 0;
  if (!done) poll.giveUpIfNotDone(`file system(s) ${remaining.join(', ')} to be deleted`);
  return { done, attempts: poll.attempts, remaining };
}
