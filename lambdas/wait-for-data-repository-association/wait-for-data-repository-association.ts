// Poll: a DRA takes ~13 minutes (longer with a large import). MISCONFIGURED means missing S3
// or KMS permissions or event-notification trouble; it stops the run with FSx's details.
import { describeAssociation } from '../shared/associations.js';
import { ErrorNames, OnboardingError } from '../../core/errors.js';
import { clientsFor, pollCount } from '../shared/step-support.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from '../shared/step-deps.js';
import { requireOutput, type WaitForDataRepositoryAssociationOutput } from '../../core/step-outputs.js';

export async function waitForDataRepositoryAssociation(input: StepInput, deps: StepDeps): Promise<WaitForDataRepositoryAssociationOutput> {
  const poll = pollCount(input, 'WaitForDataRepositoryAssociation');
  if (input.context.legacyLinked) return { done: true, attempts: poll.attempts, skipped: true };
  const id = requireOutput(input, 'CreateDataRepositoryAssociation', 'associationId', 'WaitForDataRepositoryAssociation');
  const { fsx } = clientsFor(input, deps, 'fileSystem');
  const dra = await describeAssociation(fsx, id);
  if (!dra) throw new OnboardingError(ErrorNames.DataRepositoryAssociationFailed, `Data repository association ${id} no longer exists`);
  const lifecycle = dra.Lifecycle ?? 'UNKNOWN';
  if (lifecycle === 'FAILED' || lifecycle === 'MISCONFIGURED') {
    throw new OnboardingError(
      ErrorNames.DataRepositoryAssociationFailed,
      `Data repository association ${id} is ${lifecycle}: ${dra.FailureDetails?.Message ?? 'FSx gave no details'}`,
    );
  }
  const done = lifecycle === 'AVAILABLE';
  if (!done) poll.giveUpIfNotDone(`data repository association ${id} to become AVAILABLE (last seen ${lifecycle})`);
  return { done, attempts: poll.attempts, lifecycle };
}
