// Poll: the file system takes ~10-22 minutes to become AVAILABLE. FAILED and MISCONFIGURED
// are reported with FSx's own FailureDetails.
import { ErrorNames, OnboardingError } from '../../core/errors.js';
import { describeFileSystem } from '../shared/file-systems.js';
import { clientsFor, pollCount } from '../shared/step-support.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from '../shared/step-deps.js';
import { requireOutput, type WaitForFileSystemOutput } from '../../core/step-outputs.js';

export async function waitForFileSystem(input: StepInput, deps: StepDeps): Promise<WaitForFileSystemOutput> {
  const poll = pollCount(input, 'WaitForFileSystem');
  const id = requireOutput(input, 'CreateFileSystem', 'fileSystemId', 'WaitForFileSystem');
  const { fsx } = clientsFor(input, deps, 'fileSystem');
  const fs = await describeFileSystem(fsx, id);
  if (!fs) throw new OnboardingError(ErrorNames.FileSystemFailed, `File system ${id} no longer exists`);
  const lifecycle = fs.Lifecycle ?? 'UNKNOWN';
  if (lifecycle === 'FAILED' || lifecycle === 'MISCONFIGURED') {
    throw new OnboardingError(ErrorNames.FileSystemFailed, `File system ${id} is ${lifecycle}: ${fs.FailureDetails?.Message ?? 'FSx gave no details'}`);
  }
  const done = lifecycle === 'AVAILABLE';
  if (!done) poll.giveUpIfNotDone(`file system ${id} to become AVAILABLE (last seen ${lifecycle})`);
  return {
    done,
    attempts: poll.attempts,
    lifecycle,
    ...(fs.DNSName ? { dnsName: fs.DNSName } : {}),
    ...(fs.LustreConfiguration?.MountName ? { mountName: fs.LustreConfiguration.MountName } : {}),
  };
}
