// Data repository associations of a file system: the one this request creates (its input, shared
// by the step and `fsx-onboard plan`), the ones there are, and which file systems this request uses.
import { OnboardingError, type ErrorName } from '../../core/errors.js';
import { stepOutput } from '../../core/step-outputs.js';
import {
  DescribeDataRepositoryAssociationsCommand,
  type CreateDataRepositoryAssociationCommandInput,
  paginateDescribeDataRepositoryAssociations,
  type DataRepositoryAssociation,
  type FSxClient,
} from '@aws-sdk/client-fsx';
import { findTaggedFileSystems } from './file-systems.js';
import { isErrorNamed, resourceTags } from './step-support.js';
import { dataRepositoryPath } from '../../core/naming.js';
import type { StepInput } from '../../core/step-io.js';

/**
 * Checks (one a minute) of a MISCONFIGURED S3 link before giving up: FSx brings it back to
 * AVAILABLE within 15 minutes of the fix, plus one check.
 */
const MISCONFIGURED_CHECKS = 16;

/**
 * Counts one more check that found `what` MISCONFIGURED; once the grace above is spent, fails
 * with `error` and FSx's details.
 */
export function countMisconfigured(previousChecks: number | undefined, error: ErrorName, what: string, details: string): number {
  const checks = (previousChecks ?? 0) + 1;
  if (checks >= MISCONFIGURED_CHECKS) throw new OnboardingError(error, `${what} stayed MISCONFIGURED for ${checks} checks: ${details}`);
  return checks;
}

export async function listAssociations(fsx: FSxClient, fileSystemId: string): Promise<DataRepositoryAssociation[]> {
  const found: DataRepositoryAssociation[] = [];
  try {
    const pages = paginateDescribeDataRepositoryAssociations({ client: fsx }, { Filters: [{ Name: 'file-system-id', Values: [fileSystemId] }] });
    for await (const page of pages) found.push(...(page.Associations ?? []));
  } catch (e) {
    if (isErrorNamed(e, 'FileSystemNotFound')) return [];
    throw e;
  }
  return found;
}

export async function describeAssociation(fsx: FSxClient, associationId: string): Promise<DataRepositoryAssociation | undefined> {
  try {
    const { Associations } = await fsx.send(new DescribeDataRepositoryAssociationsCommand({ AssociationIds: [associationId] }));
    return Associations?.[0];
  } catch (e) {
    if (isErrorNamed(e, 'DataRepositoryAssociationNotFound')) return undefined;
    throw e;
  }
}

/** The file system(s) this request works on: the one CreateFileSystem returned, the adopted one, or tagged ones. */
export async function requestFileSystemIds(input: StepInput, fsx: FSxClient): Promise<string[]> {
  const ids = new Set<string>();
  const fromStep = stepOutput(input, 'CreateFileSystem')?.fileSystemId;
  if (fromStep) ids.add(fromStep);
  if (input.request.fileSystem.existingFileSystemId) ids.add(input.request.fileSystem.existingFileSystemId);
  if (ids.size === 0) for (const fs of await findTaggedFileSystems(fsx, input.request.requestId)) if (fs.FileSystemId) ids.add(fs.FileSystemId);
  return [...ids];
}

/** What CreateDataRepositoryAssociation is asked for: the bucket prefix at fileSystemPath. */
export function createAssociationInput(input: StepInput, fileSystemId: string, token: string): CreateDataRepositoryAssociationCommandInput {
  const { request } = input;
  const dra = request.dataRepository;
  return {
    ClientRequestToken: token,
    FileSystemId: fileSystemId,
    FileSystemPath: request.fileSystem.fileSystemPath,
    DataRepositoryPath: dataRepositoryPath(request),
    BatchImportMetaDataOnCreate: dra.batchImportMetaDataOnCreate,
    S3: { AutoImportPolicy: { Events: dra.autoImportEvents }, AutoExportPolicy: { Events: dra.autoExportEvents } },
    Tags: resourceTags(input),
  };
}
