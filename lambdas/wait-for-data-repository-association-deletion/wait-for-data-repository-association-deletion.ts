// Poll: an association is gone once DescribeDataRepositoryAssociations no longer finds it.
import { stepOutput, type DeletionPollOutput } from '../../core/step-outputs.js';
import { describeAssociation } from '../shared/associations.js';
import { pollUntilDeleted } from '../shared/deletion-poll.js';
import { ErrorNames } from '../../core/errors.js';
import { clientsFor } from '../shared/step-support.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from '../shared/step-deps.js';

export async function waitForDataRepositoryAssociationDeletion(input: StepInput, deps: StepDeps<'fsx'>): Promise<DeletionPollOutput> {
  const { fsx } = clientsFor(input, deps, 'fileSystem');
  return pollUntilDeleted(input, 'WaitForDataRepositoryAssociationDeletion', stepOutput(input, 'DeleteDataRepositoryAssociation')?.associationIds ?? [], {
    noun: 'data repository association',
    failedError: ErrorNames.DataRepositoryAssociationFailed,
    describe: (id) => describeAssociation(fsx, id),
  });
}
