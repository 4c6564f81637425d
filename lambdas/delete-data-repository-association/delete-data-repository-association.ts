// Compensation: deletes only associations tagged with this request id, at this repository's
// path, that this execution made
// (lambdas/shared/run-baseline.ts), keeping the file system's data (DeleteDataInFileSystem
// false). Adopted associations carry no tag of ours.
import { DeleteDataRepositoryAssociationCommand } from '@aws-sdk/client-fsx';
import { listAssociations, requestFileSystemIds } from '../shared/associations.js';
import { madeEarlier } from '../shared/run-baseline.js';
import { clientsFor, hasRequestTag } from '../shared/step-support.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from '../shared/step-deps.js';
import type { DeleteDataRepositoryAssociationOutput } from '../../core/step-outputs.js';

export async function deleteDataRepositoryAssociation(input: StepInput, deps: StepDeps<'fsx'>): Promise<DeleteDataRepositoryAssociationOutput> {
  const { request, context } = input;
  if (context.legacyLinked) return { changed: false, associationIds: [] };
  const { fsx } = clientsFor(input, deps, 'fileSystem');
  // This link's association only: the one at its path (paths never change and never overlap),
  // so undoing one repository's link leaves the request's other links in place.
  const ownPath = (path: string | undefined) => path === request.fileSystem.fileSystemPath;
  const ours = [];
  for (const id of await requestFileSystemIds(input, fsx)) {
    ours.push(
      ...(await listAssociations(fsx, id)).filter(
        (a) =>
          a.AssociationId && hasRequestTag(a.Tags, request.requestId) && ownPath(a.FileSystemPath) && !madeEarlier(input, 'associationIds', a.AssociationId),
      ),
    );
  }
  let changed = false;
  for (const dra of ours) {
    if (dra.Lifecycle === 'DELETING') continue;
    await fsx.send(
      new DeleteDataRepositoryAssociationCommand({
        AssociationId: dra.AssociationId!,
        DeleteDataInFileSystem: false,
        ClientRequestToken: `${context.names.dataRepositoryAssociationToken.slice(0, 56)}-delete`,
      }),
    );
    changed = true;
  }
  return { changed, associationIds: ours.map((a) => a.AssociationId!) };
}
