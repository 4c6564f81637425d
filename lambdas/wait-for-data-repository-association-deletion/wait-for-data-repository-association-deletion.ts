// Poll: an association is gone once DescribeDataRepositoryAssociations no longer finds it.
import { describeAssociation } from '../shared/associations.js';
import { ErrorNames, OnboardingError } from '../shared/errors.js';
import { clientsFor, pollCount } from '../shared/step-support.js';
import type { StepDeps, StepInput } from '../shared/step-io.js';

export interface WaitForDataRepositoryAssociationDeletionOutput {
  done: boolean;
  attempts: number;
  remaining: string[];
}

export async function waitForDataRepositoryAssociationDeletion(input: StepInput, deps: StepDeps): Promise<WaitForDataRepositoryAssociationDeletionOutput> {
  const poll = pollCount(input, 'WaitForDataRepositoryAssociationDeletion');
  const ids = input.steps['DeleteDataRepositoryAssociation']?.['associationIds'];
  const { fsx } = clientsFor(input, deps, 'fileSystem');
  const remaining: string[] = [];
  for (const id of Array.isArray(ids) ? (ids as string[]) : []) {
    const dra = await describeAssociation(fsx, id);
    if (!dra) continue;
    if (dra.Lifecycle === 'FAILED') throw new OnboardingError(ErrorNames.DataRepositoryAssociationFailed, `Deleting data repository association ${id} failed: ${dra.FailureDetails?.Message ?? 'FSx gave no details'}`);
    remaining.push(id);
  }
  const done = remaining.length === 0;
  if (!done) poll.giveUpIfNotDone(`data repository association(s) ${remaining.join(', ')} to be deleted`);
  return { done, attempts: poll.attempts, remaining };
}
