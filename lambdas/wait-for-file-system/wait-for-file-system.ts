// Poll: the file system takes ~10-22 minutes to become AVAILABLE. FAILED and MISCONFIGURED
// are reported with FSx's own FailureDetails. A legacy linked type (PERSISTENT_1, SCRATCH_2)
// has its S3 link's own lifecycle (DataRepositoryConfiguration.Lifecycle): done only when it is
// AVAILABLE too; FAILED stops; MISCONFIGURED is waited on for 15 minutes (FSx's recovery time).
import { ErrorNames, OnboardingError } from '../../core/errors.js';
import { describeFileSystem } from '../shared/file-systems.js';
import { countMisconfigured } from '../shared/associations.js';
import { clientsFor, pollCount } from '../shared/step-support.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from '../shared/step-deps.js';
import { requireOutput, stepOutput, type WaitForFileSystemOutput } from '../../core/step-outputs.js';

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
  const link = fs.LustreConfiguration?.DataRepositoryConfiguration;
  const linkLifecycle = link?.Lifecycle;
  const linkDetails = `${link?.FailureDetails?.Message ?? 'FSx gave no details'}`;
  if (linkLifecycle === 'FAILED')
    throw new OnboardingError(ErrorNames.FileSystemFailed, `The S3 link of file system ${id} (${link?.ImportPath}) is FAILED: ${linkDetails}`);
  let misconfiguredChecks: number | undefined;
  if (linkLifecycle === 'MISCONFIGURED') {
    misconfiguredChecks = countMisconfigured(
      stepOutput(input, 'WaitForFileSystem')?.misconfiguredChecks,
      ErrorNames.FileSystemFailed,
      `The S3 link of file system ${id}`,
      linkDetails,
    );
  }
  const done = lifecycle === 'AVAILABLE' && (linkLifecycle === undefined || linkLifecycle === 'AVAILABLE');
  if (!done) poll.giveUpIfNotDone(`file system ${id} to become AVAILABLE (last seen ${lifecycle}${linkLifecycle ? `, its S3 link ${linkLifecycle}` : ''})`);
  return {
    done,
    attempts: poll.attempts,
    lifecycle,
    ...(linkLifecycle ? { linkLifecycle } : {}),
    ...(misconfiguredChecks ? { misconfiguredChecks } : {}),
    ...(fs.DNSName ? { dnsName: fs.DNSName } : {}),
    ...(fs.LustreConfiguration?.MountName ? { mountName: fs.LustreConfiguration.MountName } : {}),
    ...(fs.KmsKeyId ? { kmsKeyId: fs.KmsKeyId } : {}),
  };
}
