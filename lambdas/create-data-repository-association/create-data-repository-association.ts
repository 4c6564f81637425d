// Links the bucket prefix at fileSystemPath (PERSISTENT_2). FSx validates S3 access with this
// role's credentials and creates the SLR now. Legacy linked types were linked at creation.
import { requireOutput } from '../../core/step-outputs.js';
import { CreateDataRepositoryAssociationCommand } from '@aws-sdk/client-fsx';
import { listAssociations } from '../shared/associations.js';
import { ErrorNames, OnboardingError } from '../../core/errors.js';
import { dataRepositoryPath } from '../../core/naming.js';
import { clientsFor, resourceTags } from '../shared/step-support.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from '../shared/step-deps.js';
import type { CreateDataRepositoryAssociationOutput } from '../../core/step-outputs.js';

/** FSx may report the repository path with or without a trailing "/". */
const samePath = (a: string | undefined, b: string) => (a ?? '').replace(/\/+$/, '') === b.replace(/\/+$/, '');

export async function createDataRepositoryAssociation(input: StepInput, deps: StepDeps): Promise<CreateDataRepositoryAssociationOutput> {
  const { request, context } = input;
  if (context.legacyLinked) return { changed: false, skipped: true };
  const fileSystemId = requireOutput(input, 'CreateFileSystem', 'fileSystemId', 'CreateDataRepositoryAssociation');
  const { fsx } = clientsFor(input, deps, 'fileSystem');
  const repositoryPath = dataRepositoryPath(request);
  const atPath = (await listAssociations(fsx, fileSystemId)).find((a) => a.FileSystemPath === request.fileSystem.fileSystemPath && a.Lifecycle !== 'DELETING');
  if (atPath) {
    if (!samePath(atPath.DataRepositoryPath, repositoryPath)) {
      throw new OnboardingError(
        ErrorNames.ResourceConflict,
        `${request.fileSystem.fileSystemPath} on ${fileSystemId} is already linked to ${atPath.DataRepositoryPath} (${atPath.AssociationId}); DRA paths cannot be changed or overlap`,
      );
    }
    return { changed: false, associationId: atPath.AssociationId! };
  }
  const dra = request.dataRepository;
  const { Association } = await fsx.send(
    new CreateDataRepositoryAssociationCommand({
      ClientRequestToken: context.names.dataRepositoryAssociationToken,
      FileSystemId: fileSystemId,
      FileSystemPath: request.fileSystem.fileSystemPath,
      DataRepositoryPath: repositoryPath,
      BatchImportMetaDataOnCreate: dra.batchImportMetaDataOnCreate,
      S3: { AutoImportPolicy: { Events: dra.autoImportEvents }, AutoExportPolicy: { Events: dra.autoExportEvents } },
      Tags: resourceTags(input),
    }),
  );
  if (!Association?.AssociationId)
    throw new OnboardingError(ErrorNames.DataRepositoryAssociationFailed, 'CreateDataRepositoryAssociation returned no association id');
  return { changed: true, associationId: Association.AssociationId };
}
