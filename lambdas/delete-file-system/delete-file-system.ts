// Compensation: deletes the file system this execution created, found by its request-id tag
// (one an earlier execution of the request made stays: lambdas/shared/run-baseline.ts).
// An adopted file system (existingFileSystemId) is never deleted, tagged or not, and neither is
// one that still carries another request's data repository association (a later request may
// have linked its bucket to this file system) or another repository's of this request that
// this state does not undo: deleting it would cut that link too.
import { DeleteFileSystemCommand, type DataRepositoryAssociation } from '@aws-sdk/client-fsx';
import { TAG_REQUEST_ID } from '../../core/naming.js';
import { listAssociations } from '../shared/associations.js';
import { findTaggedFileSystems } from '../shared/file-systems.js';
import { madeEarlier } from '../shared/run-baseline.js';
import { clientsFor } from '../shared/step-support.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from '../shared/step-deps.js';
import type { DeleteFileSystemOutput } from '../../core/step-outputs.js';

export async function deleteFileSystem(input: StepInput, deps: StepDeps<'fsx'>): Promise<DeleteFileSystemOutput> {
  const { request, context } = input;
  const { fsx } = clientsFor(input, deps, 'fileSystem');
  const adopted = request.fileSystem.existingFileSystemId;
  const tagged = (await findTaggedFileSystems(fsx, request.requestId)).filter((fs) => fs.FileSystemId && fs.FileSystemId !== adopted);
  // One an earlier execution of this request made is not this execution's to undo.
  const earlier = tagged.filter((fs) => madeEarlier(input, 'fileSystemIds', fs.FileSystemId!)).map((fs) => fs.FileSystemId!);
  const ours = tagged.filter((fs) => !earlier.includes(fs.FileSystemId!));
  let changed = false;
  const deleting: string[] = [];
  const kept: NonNullable<DeleteFileSystemOutput['kept']> = [];
  for (const fs of ours) {
    if (fs.Lifecycle !== 'DELETING') {
      const others = await otherAssociations(fsx, fs.FileSystemId!, request);
      if (others.length) {
        kept.push({ fileSystemId: fs.FileSystemId!, associationIds: others });
        continue;
      }
    }
    deleting.push(fs.FileSystemId!);
    if (fs.Lifecycle === 'DELETING') continue;
    await fsx.send(
      new DeleteFileSystemCommand({
        FileSystemId: fs.FileSystemId!,
        ClientRequestToken: `${context.names.fileSystemToken.slice(0, 56)}-delete`,
        // A final backup would outlive the rollback and keep costing; persistent types only.
        ...(fs.LustreConfiguration?.DeploymentType?.startsWith('PERSISTENT') ? { LustreConfiguration: { SkipFinalBackup: true } } : {}),
      }),
    );
    changed = true;
  }
  return { changed, fileSystemIds: deleting, ...(kept.length ? { kept } : {}), ...(earlier.length ? { keptFromEarlierRun: earlier } : {}) };
}

/**
 * Associations on the file system that are not this state's to remove (being deleted ones
 * aside): another request's, and this request's at a path of none of the repositories this state
 * undoes (a rollback of one repository leaves the request's other links, and so the file system).
 */
async function otherAssociations(fsx: Parameters<typeof listAssociations>[0], fileSystemId: string, request: StepInput['request']): Promise<string[]> {
  const paths = new Set((request.repositories ?? [request.fileSystem]).map((r) => r.fileSystemPath));
  const ours = (a: DataRepositoryAssociation) =>
    a.Tags?.some((t) => t.Key === TAG_REQUEST_ID && t.Value === request.requestId) && (a.FileSystemPath === undefined || paths.has(a.FileSystemPath));
  const associations = await listAssociations(fsx, fileSystemId);
  return associations.filter((a) => a.Lifecycle !== 'DELETING' && !ours(a)).map((a) => a.AssociationId ?? '(unnamed)');
}
