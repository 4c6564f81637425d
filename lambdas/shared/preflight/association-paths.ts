// An adopted file system may already have DRAs. FSx refuses a DRA whose FileSystemPath nests in
// or contains another's (and "/" unless it is the first), but only at CreateDataRepositoryAssociation,
// after the bucket and key have changed: so it is checked before, read-only, by ValidateRequest and
// `plan`. This request's own DRA (a re-run) is not a conflict.
import type { DataRepositoryAssociation } from '@aws-sdk/client-fsx';
import { TAG_REQUEST_ID } from '../../../core/naming.js';
import type { OnboardingRequest } from '../../../core/request.js';

const within = (path: string, parent: string) => parent === '/' || path === parent || path.startsWith(`${parent}/`);

/** The other association whose path nests in or contains the request's, if any. */
export function overlappingAssociation(request: OnboardingRequest, associations: DataRepositoryAssociation[]): DataRepositoryAssociation | undefined {
  const path = request.fileSystem.fileSystemPath;
  const others = associations.filter((a) => a.Lifecycle !== 'DELETING' && !a.Tags?.some((t) => t.Key === TAG_REQUEST_ID && t.Value === request.requestId));
  return others.find((a) => a.FileSystemPath && (within(path, a.FileSystemPath) || within(a.FileSystemPath, path)));
}

export function overlapMessage(request: OnboardingRequest, fileSystemId: string, clash: DataRepositoryAssociation): string {
  return `fileSystem.fileSystemPath: ${request.fileSystem.fileSystemPath} overlaps the data repository association ${clash.AssociationId} at ${clash.FileSystemPath} on ${fileSystemId}; DRA paths must not nest in or contain one another`;
}
