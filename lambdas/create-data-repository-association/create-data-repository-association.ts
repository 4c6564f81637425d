// Links the bucket prefix at fileSystemPath (PERSISTENT_2). FSx validates S3 access with this
// role's credentials and creates the SLR now. Legacy linked types were linked at creation.
// A FAILED association (terminal: FSx could not set it up) found at the path is deleted and
// created again, with a token derived from the failed one's id so a retry finds the new one.
import { CreateDataRepositoryAssociationCommand, DeleteDataRepositoryAssociationCommand } from '@aws-sdk/client-fsx';
import { createAssociationInput, listAssociations } from '../shared/associations.js';
import { ErrorNames, OnboardingError } from '../../core/errors.js';
import { dataRepositoryPath } from '../../core/naming.js';
import { clientsFor } from '../shared/step-support.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from '../shared/step-deps.js';
import { requireOutput, type CreateDataRepositoryAssociationOutput } from '../../core/step-outputs.js';

/** FSx may report the repository path with or without a trailing "/". */
const samePath = (a: string | undefined, b: string) => (a ?? '').replace(/\/+$/, '') === b.replace(/\/+$/, '');

export async function createDataRepositoryAssociation(input: StepInput, deps: StepDeps<'fsx'>): Promise<CreateDataRepositoryAssociationOutput> {
  const { request, context } = input;
  if (context.legacyLinked) return { changed: false, skipped: true };
  const fileSystemId = requireOutput(input, 'CreateFileSystem', 'fileSystemId', 'CreateDataRepositoryAssociation');
  const { fsx } = clientsFor(input, deps, 'fileSystem');
  const repositoryPath = dataRepositoryPath(request);
  const atPath = (await listAssociations(fsx, fileSystemId)).find((a) => a.FileSystemPath === request.fileSystem.fileSystemPath && a.Lifecycle !== 'DELETING');
  let replacing: string | undefined;
  if (atPath?.Lifecycle === 'FAILED' && samePath(atPath.DataRepositoryPath, repositoryPath)) {
    replacing = atPath.AssociationId!;
    await fsx.send(new DeleteDataRepositoryAssociationCommand({ AssociationId: replacing, DeleteDataInFileSystem: false }));
  } else if (atPath) {
    if (!samePath(atPath.DataRepositoryPath, repositoryPath)) {
      throw new OnboardingError(
        ErrorNames.ResourceConflict,
        `${request.fileSystem.fileSystemPath} on ${fileSystemId} is already linked to ${atPath.DataRepositoryPath} (${atPath.AssociationId}); DRA paths cannot be changed or overlap`,
      );
    }
    return { changed: false, associationId: atPath.AssociationId! };
  }
  // ClientRequestToken is at most 63 characters.
  const token = replacing
    ? `${context.names.dataRepositoryAssociationToken.slice(0, 40)}-after-${replacing.slice(-12)}`
    : context.names.dataRepositoryAssociationToken;
  const { Association } = await fsx.send(new CreateDataRepositoryAssociationCommand(createAssociationInput(input, fileSystemId, token)));
  if (!Association?.AssociationId)
    throw new OnboardingError(ErrorNames.DataRepositoryAssociationFailed, 'CreateDataRepositoryAssociation returned no association id');
  return { changed: true, associationId: Association.AssociationId, ...(replacing ? { replacedFailed: replacing } : {}) };
}
