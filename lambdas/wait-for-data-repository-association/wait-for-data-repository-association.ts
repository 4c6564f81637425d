// Poll: a DRA takes ~13 minutes (longer with a large import). FAILED is terminal and stops the
// run with FSx's details (a re-run deletes and recreates it). MISCONFIGURED (missing S3 or KMS
// permissions, event-notification trouble) returns to AVAILABLE within 15 minutes of a fix, so
// it is polled for MISCONFIGURED_CHECKS more checks before the run stops with FSx's details.
// FSx starts on an association once its file system is AVAILABLE (one requested while it is
// CREATING waits), so its typical duration counts from the later of the two.
import { countMisconfigured, describeAssociation } from '../shared/associations.js';
import { ErrorNames, OnboardingError } from '../../core/errors.js';
import { clientsFor, pollCount, secondsSince } from '../shared/step-support.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from '../shared/step-deps.js';
import { requireOutput, stepOutput, type WaitForDataRepositoryAssociationOutput } from '../../core/step-outputs.js';

export async function waitForDataRepositoryAssociation(input: StepInput, deps: StepDeps<'fsx'>): Promise<WaitForDataRepositoryAssociationOutput> {
  const poll = pollCount(input, 'WaitForDataRepositoryAssociation');
  if (input.context.legacyLinked) return { done: true, ...poll.counted, skipped: true };
  const id = requireOutput(input, 'CreateDataRepositoryAssociation', 'associationId', 'WaitForDataRepositoryAssociation');
  const { fsx } = clientsFor(input, deps, 'fileSystem');
  const dra = await describeAssociation(fsx, id);
  if (!dra) throw new OnboardingError(ErrorNames.DataRepositoryAssociationFailed, `Data repository association ${id} no longer exists`);
  const lifecycle = dra.Lifecycle ?? 'UNKNOWN';
  const details = dra.FailureDetails?.Message ?? 'FSx gave no details';
  if (lifecycle === 'MISCONFIGURED') {
    const misconfiguredChecks = countMisconfigured(
      stepOutput(input, 'WaitForDataRepositoryAssociation')?.misconfiguredChecks,
      ErrorNames.DataRepositoryAssociationFailed,
      `Data repository association ${id}`,
      details,
    );
    poll.giveUpIfNotDone(`data repository association ${id} to recover from MISCONFIGURED (${details})`);
    return { done: false, ...poll.counted, lifecycle, misconfiguredChecks, failureDetails: details };
  }
  if (lifecycle === 'FAILED') {
    throw new OnboardingError(ErrorNames.DataRepositoryAssociationFailed, `Data repository association ${id} is ${lifecycle}: ${details}`);
  }
  const done = lifecycle === 'AVAILABLE';
  if (!done) poll.giveUpIfNotDone(`data repository association ${id} to become AVAILABLE (last seen ${lifecycle})`);
  const fileSystemReadyAt = stepOutput(input, 'WaitForFileSystem')?.seenAvailableAt ?? 0;
  const startedAt = Math.max(dra.CreationTime?.getTime() ?? 0, fileSystemReadyAt);
  return { done, ...poll.countedAfter(startedAt ? secondsSince(startedAt, deps) : undefined), lifecycle };
}
