// Data repository associations: allowed while the file system is still CREATING; at most 8
// per file system, processed one at a time; paths must not overlap and "/" only for the first.
// Creating one validates S3 access with the caller's credentials and creates the SLR for
// PERSISTENT_2. A DRA whose SLR cannot reach the bucket ends MISCONFIGURED.
import { createHash } from 'node:crypto';
import { SimError } from '../errors.js';
import type { Call, Sim } from '../sim.js';
import type { DraState, FileSystemState } from '../state.js';
import { nextHex } from '../state.js';
import {
  checkCanCreateServiceLinkedRole,
  ensureServiceLinkedRole,
  fileSystemLifecycle,
  parseS3Url,
  tagList,
  tagMap,
  validateCallerS3Access,
  resourceTagContext,
} from './fsx-common.js';
import { draLink, linkLifecycle, linksOf, usable } from './fsx-links.js';
import type { ServiceModel } from './types.js';

const MAX_DRAS_PER_FILE_SYSTEM = 8;
const DRA_DELETE_SECONDS = 60;

/** 5 to 13 virtual minutes, fixed per association (terraform-provider-aws saw ~810 s). */
export function draCreateSeconds(id: string): number {
  return 300 + (parseInt(createHash('sha256').update(id).digest('hex').slice(0, 4), 16) % 9) * 60;
}

export function draLifecycle(sim: Sim, dra: DraState): { lifecycle: string; failure?: string } {
  const link = draLink(sim, dra);
  return link ? linkLifecycle(sim, link) : { lifecycle: dra.deletingAt !== undefined ? 'DELETING' : 'AVAILABLE' };
}

function describe(sim: Sim, dra: DraState) {
  const { lifecycle, failure } = draLifecycle(sim, dra);
  return {
    AssociationId: dra.id,
    ResourceARN: dra.arn,
    FileSystemId: dra.fileSystemId,
    Lifecycle: lifecycle,
    ...(failure ? { FailureDetails: { Message: failure } } : {}),
    FileSystemPath: dra.fileSystemPath,
    DataRepositoryPath: dra.dataRepositoryPath,
    BatchImportMetaDataOnCreate: dra.batchImportMetaDataOnCreate,
    ImportedFileChunkSize: 1024,
    ...(dra.s3 ? { S3: dra.s3 } : {}),
    Tags: tagList(dra.tags),
    CreationTime: new Date(dra.createdAt),
  };
}

const within = (path: string, parent: string) => parent === '/' || path === parent || path.startsWith(`${parent}/`);

function checkPaths(fs: FileSystemState, existing: DraState[], fileSystemPath: string, repositoryPath: string): void {
  if (!/^\/[A-Za-z0-9_.\-/]*$/.test(fileSystemPath) || (fileSystemPath !== '/' && fileSystemPath.endsWith('/'))) {
    throw new SimError('BadRequest', `FileSystemPath ${fileSystemPath} is not valid.`);
  }
  if (fileSystemPath === '/' && existing.length)
    throw new SimError('BadRequest', 'FileSystemPath "/" can only be used by the first data repository association of a file system.');
  for (const other of existing) {
    if (within(fileSystemPath, other.fileSystemPath) || within(other.fileSystemPath, fileSystemPath)) {
      throw new SimError('BadRequest', `FileSystemPath ${fileSystemPath} overlaps with the data repository association ${other.id} (${other.fileSystemPath}).`);
    }
    const a = repositoryPath.replace(/\/?$/, '/');
    const b = other.dataRepositoryPath.replace(/\/?$/, '/');
    if (a.startsWith(b) || b.startsWith(a))
      throw new SimError('BadRequest', `DataRepositoryPath ${repositoryPath} overlaps with the data repository association ${other.id}.`);
  }
  if (fs.importPath) throw new SimError('BadRequest', `File system ${fs.id} is linked with ImportPath; data repository associations are not supported on it.`);
}

export const fsxAssociations: ServiceModel = {
  CreateDataRepositoryAssociation(call: Call) {
    const input = call.input;
    const fs = call.sim.state.fileSystems[String(input.FileSystemId ?? '')];
    if (!fs || fs.account !== call.caller.account || fs.region !== call.region)
      throw new SimError('FileSystemNotFound', `File system '${input.FileSystemId}' does not exist.`);
    call.resources.push({ ARN: fs.arn, accountId: fs.account, type: 'AWS::FSx::FileSystem' });
    call.sim.authorize('fsx', call.caller, { action: 'fsx:CreateDataRepositoryAssociation', resource: fs.arn, resourceAccount: fs.account });
    const lifecycle = fileSystemLifecycle(fs, call.sim.now());
    if (lifecycle !== 'CREATING' && lifecycle !== 'AVAILABLE') throw new SimError('BadRequest', `File system ${fs.id} is ${lifecycle}.`);
    const fingerprint = JSON.stringify({ ...input, ClientRequestToken: undefined });
    const token: string | undefined = input.ClientRequestToken;
    const ofFs = Object.values(call.sim.state.dras).filter((d) => d.fileSystemId === fs.id);
    const same = token ? ofFs.find((d) => d.clientRequestToken === token) : undefined;
    if (same) {
      if (same.fingerprint !== fingerprint)
        throw new SimError(
          'IncompatibleParameterError',
          'A data repository association with this ClientRequestToken already exists with different parameters.',
        );
      return { Association: describe(call.sim, same) };
    }
    const live = ofFs.filter((d) => d.deletingAt === undefined);
    if (live.length >= MAX_DRAS_PER_FILE_SYSTEM)
      throw new SimError('ServiceLimitExceeded', `File system ${fs.id} already has ${MAX_DRAS_PER_FILE_SYSTEM} data repository associations.`, 400, undefined);
    const fileSystemPath = String(input.FileSystemPath ?? '');
    const repositoryPath = String(input.DataRepositoryPath ?? '');
    if (!parseS3Url(repositoryPath)) throw new SimError('BadRequest', `DataRepositoryPath ${repositoryPath} is not a valid S3 URL.`);
    checkPaths(fs, live, fileSystemPath, repositoryPath);
    // Validated with the caller's credentials, not the SLR's.
    validateCallerS3Access(call, repositoryPath, fs);
    checkCanCreateServiceLinkedRole(call, fs);
    ensureServiceLinkedRole(call.sim, fs);
    const id = `dra-${nextHex(call.sim.state, 17)}`;
    const now = call.sim.now();
    // Requests queue: processing starts once the file system and earlier DRAs are done.
    const startAt = Math.max(now, fs.availableAt, ...live.map((d) => d.availableAt));
    const dra: DraState = {
      id,
      arn: `arn:aws:fsx:${fs.region}:${fs.account}:association/${fs.id}/${id}`,
      fileSystemId: fs.id,
      account: fs.account,
      region: fs.region,
      fileSystemPath,
      dataRepositoryPath: repositoryPath,
      batchImportMetaDataOnCreate: !!input.BatchImportMetaDataOnCreate,
      ...(input.S3 ? { s3: input.S3 } : {}),
      tags: tagMap(input.Tags),
      ...(token ? { clientRequestToken: token } : {}),
      fingerprint,
      createdAt: now,
      availableAt: startAt + draCreateSeconds(id) * 1000,
      health: {},
    };
    call.sim.state.dras[id] = dra;
    // When creation ends FSx checks the SLR's access, configures auto-import and batch-imports.
    call.sim.schedule(dra.availableAt, 'link-set-up', { associationId: id });
    call.responseElements = { associationId: id };
    return { Association: describe(call.sim, dra) };
  },

  DescribeDataRepositoryAssociations(call) {
    call.sim.authorize('fsx', call.caller, {
      action: 'fsx:DescribeDataRepositoryAssociations',
      resource: `arn:aws:fsx:${call.region}:${call.caller.account}:association/*`,
      resourceAccount: call.caller.account,
    });
    const ids: string[] | undefined = call.input.AssociationIds;
    const mine = Object.values(call.sim.state.dras).filter((d) => d.account === call.caller.account && d.region === call.region);
    if (ids) {
      const missing = ids.find((id) => !mine.some((d) => d.id === id));
      if (missing) throw new SimError('DataRepositoryAssociationNotFound', `Data repository association '${missing}' does not exist.`);
    }
    const filters: { Name?: string; Values?: string[] }[] = call.input.Filters ?? [];
    const list = mine
      .filter((d) => !ids || ids.includes(d.id))
      .filter((d) => filters.every((f) => f.Name !== 'file-system-id' || (f.Values ?? []).includes(d.fileSystemId)));
    return { Associations: list.map((d) => describe(call.sim, d)) };
  },

  DeleteDataRepositoryAssociation(call) {
    const dra = call.sim.state.dras[String(call.input.AssociationId ?? '')];
    if (!dra || dra.account !== call.caller.account || dra.region !== call.region)
      throw new SimError('DataRepositoryAssociationNotFound', `Data repository association '${call.input.AssociationId}' does not exist.`);
    call.resources.push({ ARN: dra.arn, accountId: dra.account, type: 'AWS::FSx::DataRepositoryAssociation' });
    call.sim.authorize('fsx', call.caller, {
      action: 'fsx:DeleteDataRepositoryAssociation',
      resource: dra.arn,
      resourceAccount: dra.account,
      context: resourceTagContext(dra.tags),
    });
    if (dra.deletingAt === undefined) {
      dra.deletingAt = call.sim.now();
      dra.goneAt = dra.deletingAt + DRA_DELETE_SECONDS * 1000;
    }
    return { AssociationId: dra.id, Lifecycle: 'DELETING', DeleteDataInFileSystem: !!call.input.DeleteDataInFileSystem };
  },
};

/** The linked S3 location of a file-system path, through a link FSx can use now (AVAILABLE). */
export function repositoryLocation(sim: Sim, fs: FileSystemState, fsPath: string, forExport: boolean): { bucket: string; key: string } | undefined {
  for (const link of linksOf(sim, fs)) {
    if (!within(fsPath, link.fileSystemPath) || !usable(sim, link)) continue;
    const parsed = parseS3Url(forExport && fs.importPath ? (fs.exportPath ?? fs.importPath) : link.url)!;
    const relative = fsPath.slice(link.fileSystemPath === '/' ? 1 : link.fileSystemPath.length + 1);
    const prefix = parsed.prefix && !parsed.prefix.endsWith('/') ? `${parsed.prefix}/` : parsed.prefix;
    return { bucket: parsed.bucket, key: `${prefix}${relative}` };
  }
  return undefined;
}
