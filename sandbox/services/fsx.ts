// FSx for Lustre file systems: validation as the API does it, ClientRequestToken idempotency,
// CREATING → AVAILABLE over the virtual clock, DELETING → gone (with its DRAs and its SLR).
// Legacy linked types (ImportPath/ExportPath) validate S3 access with the caller's credentials
// and get their SLR at creation.
import { SimError } from '../errors.js';
import type { Call, Sim } from '../sim.js';
import type { FileSystemState } from '../state.js';
import { nextHex } from '../state.js';
import {
  checkCanCreateServiceLinkedRole,
  ensureServiceLinkedRole,
  fileSystemLifecycle,
  LEGACY_TYPES,
  parseS3Url,
  slrArn,
  tagList,
  tagMap,
  validateCallerS3Access,
} from './fsx-common.js';
import { checkFileSystemNetwork } from './ec2.js';
import { checkAtRestKey } from './fsx-at-rest-key.js';
import { fsxAssociations } from './fsx-dra.js';
import { forgetNotification, legacyLink, linkLifecycle } from './fsx-links.js';
import { fsxTasks } from './fsx-tasks.js';
import type { ServiceModel } from './types.js';

/** Virtual creation times (terraform-provider-aws #22291 saw ~577 s for PERSISTENT_2). */
export const FILE_SYSTEM_CREATE_SECONDS: Record<string, number> = { PERSISTENT_2: 600, PERSISTENT_1: 480, SCRATCH_2: 360, SCRATCH_1: 300 };
/** With a customer managed KmsKeyId creation takes longer (~22 minutes against ~10 in the Terraform provider's measurements). */
export const FILE_SYSTEM_CREATE_WITH_KEY_SECONDS = 1320;
const FILE_SYSTEM_DELETE_SECONDS = 180;
const THROUGHPUTS: Record<string, number[]> = { PERSISTENT_2: [125, 250, 500, 1000], PERSISTENT_1: [50, 100, 200], SCRATCH_2: [], SCRATCH_1: [] };

function describeFileSystem(sim: Sim, fs: FileSystemState) {
  const lifecycle = fileSystemLifecycle(fs, sim.now());
  return {
    OwnerId: fs.account,
    CreationTime: new Date(fs.createdAt),
    FileSystemId: fs.id,
    FileSystemType: 'LUSTRE',
    FileSystemTypeVersion: '2.15',
    Lifecycle: lifecycle,
    ...(fs.failure ? { FailureDetails: { Message: fs.failure } } : {}),
    StorageCapacity: fs.storageCapacity,
    StorageType: 'SSD',
    ...(fs.kmsKeyId ? { KmsKeyId: fs.kmsKeyId } : {}),
    VpcId: `vpc-${fs.id.slice(3, 20)}`,
    SubnetIds: fs.subnetIds,
    DNSName: fs.dnsName,
    ResourceARN: fs.arn,
    Tags: tagList(fs.tags),
    LustreConfiguration: {
      DeploymentType: fs.deploymentType,
      MountName: fs.mountName,
      WeeklyMaintenanceStartTime: '1:05:00',
      ...(fs.importPath
        ? {
            // The S3 link has its own lifecycle, separate from the file system's.
            DataRepositoryConfiguration: {
              ...linkConfiguration(sim, fs),
              ImportPath: fs.importPath,
              ExportPath: fs.exportPath,
              AutoImportPolicy: fs.autoImportPolicy ?? 'NONE',
              ImportedFileChunkSize: 1024,
            },
          }
        : {}),
    },
  };
}

function linkConfiguration(sim: Sim, fs: FileSystemState) {
  const link = legacyLink(fs)!;
  const { lifecycle, failure } = linkLifecycle(sim, link);
  return { Lifecycle: lifecycle, ...(failure ? { FailureDetails: { Message: failure } } : {}) };
}

function findFileSystem(sim: Sim, id: string, account: string, region: string): FileSystemState {
  const fs = sim.state.fileSystems[id];
  if (!fs || fs.account !== account || fs.region !== region) throw new SimError('FileSystemNotFound', `File system '${id}' does not exist.`);
  return fs;
}

function fsResource(call: Call, id = '*') {
  return `arn:aws:fsx:${call.region}:${call.caller.account}:file-system/${id}`;
}

function createFileSystem(call: Call) {
  const input = call.input;
  call.sim.authorize('fsx', call.caller, { action: 'fsx:CreateFileSystem', resource: fsResource(call), resourceAccount: call.caller.account });
  // Creating with Tags is authorised a second time as fsx:TagResource.
  if (input.Tags?.length)
    call.sim.authorize('fsx', call.caller, { action: 'fsx:TagResource', resource: fsResource(call), resourceAccount: call.caller.account });
  const lustre = input.LustreConfiguration ?? {};
  const deploymentType = String(lustre.DeploymentType ?? 'SCRATCH_1');
  const token: string | undefined = input.ClientRequestToken;
  const fingerprint = JSON.stringify({ ...input, ClientRequestToken: undefined });
  if (token) {
    const existing = Object.values(call.sim.state.fileSystems).find(
      (f) => f.clientRequestToken === token && f.account === call.caller.account && f.region === call.region,
    );
    if (existing) {
      if (existing.fingerprint !== fingerprint) {
        throw new SimError('IncompatibleParameterError', 'A file system with this ClientRequestToken already exists with different parameters.', 400);
      }
      return { FileSystem: describeFileSystem(call.sim, existing) };
    }
  }
  if (input.FileSystemType !== 'LUSTRE') throw new SimError('BadRequest', 'The sandbox models FileSystemType LUSTRE only.');
  if (!(deploymentType in THROUGHPUTS)) throw new SimError('BadRequest', `Invalid DeploymentType ${deploymentType}.`);
  const capacity = Number(input.StorageCapacity);
  if (!(capacity === 1200 || (capacity > 0 && capacity % 2400 === 0)))
    throw new SimError('BadRequest', 'StorageCapacity must be 1200 GiB or an increment of 2400 GiB for this deployment type.');
  const subnets: string[] = input.SubnetIds ?? [];
  if (subnets.length !== 1) throw new SimError('BadRequest', `Deployment type ${deploymentType} requires exactly one subnet.`);
  const throughput = lustre.PerUnitStorageThroughput;
  const allowed = THROUGHPUTS[deploymentType]!;
  if (
    (allowed.length && throughput !== undefined && !allowed.includes(throughput)) ||
    (allowed.length && throughput === undefined) ||
    (!allowed.length && throughput !== undefined)
  ) {
    throw new SimError('InvalidPerUnitStorageThroughput', `PerUnitStorageThroughput ${throughput ?? '(missing)'} is not valid for ${deploymentType}.`);
  }
  // FSx reads the subnet and security groups with the caller's credentials before anything else.
  checkFileSystemNetwork(call, subnets, input.SecurityGroupIds ?? []);
  const kmsKeyId = input.KmsKeyId === undefined ? undefined : checkAtRestKey(call, String(input.KmsKeyId), deploymentType);
  const linked = lustre.ImportPath !== undefined || lustre.ExportPath !== undefined || lustre.AutoImportPolicy !== undefined;
  // PERSISTENT_2 links S3 only through data repository associations.
  if (linked && !LEGACY_TYPES.includes(deploymentType)) {
    throw new SimError('BadRequest', `ImportPath, ExportPath and AutoImportPolicy are not supported for ${deploymentType}; use a data repository association.`);
  }
  if (linked) {
    const importPath = String(lustre.ImportPath ?? '');
    const parsedImport = parseS3Url(importPath);
    if (!parsedImport) throw new SimError('InvalidImportPath', `The import path ${importPath} is not a valid S3 URL.`);
    if (lustre.ExportPath !== undefined && !String(lustre.ExportPath).startsWith(`s3://${parsedImport.bucket}`))
      throw new SimError('InvalidExportPath', 'The export path must be in the same bucket as the import path.');
    validateCallerS3Access(call, importPath, { region: call.region });
  }
  const id = `fs-${nextHex(call.sim.state, 17)}`;
  if (linked) checkCanCreateServiceLinkedRole(call, { id, account: call.caller.account });
  const now = call.sim.now();
  const fs: FileSystemState = {
    id,
    arn: `arn:aws:fsx:${call.region}:${call.caller.account}:file-system/${id}`,
    account: call.caller.account,
    region: call.region,
    deploymentType,
    storageCapacity: capacity,
    subnetIds: subnets,
    securityGroupIds: input.SecurityGroupIds ?? [],
    dnsName: `${id}.fsx.${call.region}.amazonaws.com`,
    mountName: deploymentType === 'SCRATCH_1' ? 'fsx' : nextHex(call.sim.state, 8).replace(/[0-9]/g, (d) => 'abcdefghij'[Number(d)]!),
    ...(linked
      ? {
          importPath: lustre.ImportPath,
          exportPath: lustre.ExportPath ?? `${lustre.ImportPath}/FSxLustre${new Date(now).toISOString().replace(/\D/g, '').slice(0, 14)}`,
          autoImportPolicy: lustre.AutoImportPolicy ?? 'NONE',
          link: {},
        }
      : {}),
    tags: tagMap(input.Tags),
    ...(token ? { clientRequestToken: token } : {}),
    ...(kmsKeyId ? { kmsKeyId } : {}),
    createdAt: now,
    availableAt: now + (kmsKeyId ? FILE_SYSTEM_CREATE_WITH_KEY_SECONDS : FILE_SYSTEM_CREATE_SECONDS[deploymentType]!) * 1000,
    files: {},
    fingerprint,
  };
  call.sim.state.fileSystems[id] = fs;
  if (linked) {
    ensureServiceLinkedRole(call.sim, fs);
    // When creation ends FSx checks the SLR's access, configures auto-import and imports the listing.
    call.sim.schedule(fs.availableAt, 'link-set-up', { fileSystemId: id });
  }
  call.resources.push({ ARN: fs.arn, accountId: fs.account, type: 'AWS::FSx::FileSystem' });
  call.responseElements = { fileSystemId: id };
  return { FileSystem: describeFileSystem(call.sim, fs) };
}

/** Removes what finished deleting: file systems (with their DRAs, tasks and SLR) and DRAs. */
export function sweepFsx(sim: Sim): void {
  const now = sim.now();
  for (const dra of Object.values(sim.state.dras))
    if (dra.goneAt !== undefined && dra.goneAt <= now) {
      forgetNotification(sim, dra.id);
      delete sim.state.dras[dra.id];
    }
  for (const fs of Object.values(sim.state.fileSystems)) {
    if (fs.goneAt === undefined || fs.goneAt > now) continue;
    for (const dra of Object.values(sim.state.dras))
      if (dra.fileSystemId === fs.id) {
        forgetNotification(sim, dra.id);
        delete sim.state.dras[dra.id];
      }
    forgetNotification(sim, fs.id);
    for (const task of Object.values(sim.state.tasks)) if (task.fileSystemId === fs.id) delete sim.state.tasks[task.id];
    delete sim.state.roles[slrArn(fs)];
    delete sim.state.fileSystems[fs.id];
  }
}

function findTagged(call: Call): { tags: Record<string, string> } {
  const arn = String(call.input.ResourceARN ?? '');
  const id = arn.split('/').pop() ?? '';
  const found = call.sim.state.fileSystems[id] ?? call.sim.state.dras[id] ?? call.sim.state.tasks[id];
  if (!found || found.arn !== arn) throw new SimError('ResourceNotFound', `Resource ${arn} does not exist.`);
  call.sim.authorize('fsx', call.caller, { action: `fsx:${call.operation}`, resource: arn, resourceAccount: found.account });
  return found as { tags: Record<string, string> };
}

export const fsx: ServiceModel = {
  CreateFileSystem: createFileSystem,

  DescribeFileSystems(call) {
    call.sim.authorize('fsx', call.caller, { action: 'fsx:DescribeFileSystems', resource: fsResource(call), resourceAccount: call.caller.account });
    const ids: string[] | undefined = call.input.FileSystemIds;
    const list = ids
      ? ids.map((id) => findFileSystem(call.sim, id, call.caller.account, call.region))
      : Object.values(call.sim.state.fileSystems).filter((f) => f.account === call.caller.account && f.region === call.region);
    return { FileSystems: list.map((f) => describeFileSystem(call.sim, f)) };
  },

  DeleteFileSystem(call) {
    const fs = findFileSystem(call.sim, String(call.input.FileSystemId ?? ''), call.caller.account, call.region);
    call.resources.push({ ARN: fs.arn, accountId: fs.account, type: 'AWS::FSx::FileSystem' });
    call.sim.authorize('fsx', call.caller, { action: 'fsx:DeleteFileSystem', resource: fs.arn, resourceAccount: fs.account });
    if (fs.deletingAt === undefined) {
      fs.deletingAt = call.sim.now();
      fs.goneAt = fs.deletingAt + FILE_SYSTEM_DELETE_SECONDS * 1000;
      for (const dra of Object.values(call.sim.state.dras))
        if (dra.fileSystemId === fs.id && dra.deletingAt === undefined) Object.assign(dra, { deletingAt: fs.deletingAt, goneAt: fs.goneAt });
    }
    return { FileSystemId: fs.id, Lifecycle: 'DELETING' };
  },

  TagResource(call) {
    Object.assign(findTagged(call).tags, tagMap(call.input.Tags));
    return {};
  },

  UntagResource(call) {
    const target = findTagged(call);
    for (const key of call.input.TagKeys ?? []) delete target.tags[key];
    return {};
  },

  ListTagsForResource(call) {
    return { Tags: tagList(findTagged(call).tags) };
  },

  ...fsxAssociations,
  ...fsxTasks,
};
