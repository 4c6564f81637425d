// Poll: the file system takes ~10-22 minutes to become AVAILABLE. FAILED and MISCONFIGURED
// are reported with FSx's own FailureDetails. A legacy linked type (PERSISTENT_1, SCRATCH_2)
// has its S3 link's own lifecycle (DataRepositoryConfiguration.Lifecycle): done only when it is
// AVAILABLE too; FAILED stops; MISCONFIGURED is waited on for 15 minutes (FSx's recovery time).
// The second check waits out the type's typical creation time, counted from its CreationTime.
import { ErrorNames, OnboardingError } from '../../core/errors.js';
import { describeFileSystem } from '../shared/file-systems.js';
import { countMisconfigured } from '../shared/associations.js';
import { clientsFor, pollCount, secondsSince } from '../shared/step-support.js';
import type { TypicalDuration } from '../../workflow/poll-schedule.js';
import type { OnboardingRequest } from '../../core/request.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from '../shared/step-deps.js';
import { requireOutput, stepOutput, type WaitForFileSystemOutput } from '../../core/step-outputs.js';

/**
 * How long creation typically takes. PERSISTENT_2: ~10 minutes, ~22 with a customer managed key
 * (577 s and 1,324 s measured, terraform-provider-aws #22291). AWS publishes nothing for the
 * other types, so their minimum is short: an early check costs a transition, a late one time.
 */
function typicalCreation(fileSystem: OnboardingRequest['fileSystem']): TypicalDuration {
  if (fileSystem.kmsKeyArn !== undefined) return { min: 1200, max: 1500 };
  if (fileSystem.deploymentType === 'PERSISTENT_2') return { min: 540, max: 900 };
  return { min: 240, max: 900 };
}

export async function waitForFileSystem(input: StepInput, deps: StepDeps<'fsx'>): Promise<WaitForFileSystemOutput> {
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
    ...poll.countedAfter(secondsSince(fs.CreationTime, deps), typicalCreation(input.request.fileSystem)),
    ...(done ? { seenAvailableAt: (deps.now ?? Date.now)() } : {}),
    lifecycle,
    ...(linkLifecycle ? { linkLifecycle } : {}),
    ...(misconfiguredChecks ? { misconfiguredChecks } : {}),
    ...(fs.DNSName ? { dnsName: fs.DNSName } : {}),
    ...(fs.LustreConfiguration?.MountName ? { mountName: fs.LustreConfiguration.MountName } : {}),
    ...(fs.KmsKeyId ? { kmsKeyId: fs.KmsKeyId } : {}),
  };
}
