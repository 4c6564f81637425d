// The S3 links of a file system — its DRAs, or a legacy type's ImportPath — and what FSx does
// with them once created, as the S3-access SLR:
// - set-up (when creation ends): the SLR must reach the bucket, else the link is FAILED
//   (terminal; terraform-provider-aws #24678). With auto-import events FSx then configures an
//   S3 event notification named `FSx` on the bucket (s3:PutBucketNotification, authorised by
//   the bucket policy and the SLR's own policy); denied → MISCONFIGURED. A batch import
//   (BatchImportMetaDataOnCreate; always for a legacy ImportPath) imports the prefix's metadata.
// - later: a link whose SLR loses access becomes MISCONFIGURED; FSx rechecks it and it returns
//   to AVAILABLE within 15 minutes of the fix (FSx Lustre User Guide, "Data repository
//   association lifecycle state").
// - auto-import: an object written after the notification exists reaches the file system
//   AUTO_IMPORT_SECONDS later (metadata only; the data is loaded as the SLR on first read).
import type { Sim } from '../sim.js';
import type { DraState, FileSystemState, JobState, LinkHealthState } from '../state.js';
import { parseS3Url, slrArn, slrCaller } from './fsx-common.js';
import { bucketPolicyOf } from './s3.js';

/** Sandbox assumption: FSx processes an S3 event a minute after the write. */
export const AUTO_IMPORT_SECONDS = 60;
/** Sandbox assumption: FSx rechecks a MISCONFIGURED link every 5 minutes (AWS: back within 15). */
export const LINK_RECHECK_SECONDS = 300;

export interface Link {
  /** The DRA id, or the file system id for a legacy ImportPath. */
  id: string;
  fs: FileSystemState;
  fileSystemPath: string;
  url: string;
  autoImportEvents: string[];
  batchImport: boolean;
  /** Absent for links from state files older than these rules: they are simply AVAILABLE. */
  health?: LinkHealthState;
  availableAt: number;
  deleting: boolean;
}

const LEGACY_AUTO_IMPORT: Record<string, string[]> = {
  NONE: [],
  NEW: ['NEW'],
  NEW_CHANGED: ['NEW', 'CHANGED'],
  NEW_CHANGED_DELETED: ['NEW', 'CHANGED', 'DELETED'],
};

export function draLink(sim: Sim, dra: DraState): Link | undefined {
  const fs = sim.state.fileSystems[dra.fileSystemId];
  if (!fs) return undefined;
  const s3 = dra.s3 as { AutoImportPolicy?: { Events?: string[] } } | undefined;
  return {
    id: dra.id,
    fs,
    fileSystemPath: dra.fileSystemPath,
    url: dra.dataRepositoryPath,
    autoImportEvents: s3?.AutoImportPolicy?.Events ?? [],
    batchImport: dra.batchImportMetaDataOnCreate,
    ...(dra.health ? { health: dra.health } : {}),
    availableAt: dra.availableAt,
    deleting: dra.deletingAt !== undefined,
  };
}

export function legacyLink(fs: FileSystemState): Link | undefined {
  if (!fs.importPath) return undefined;
  return {
    id: fs.id,
    fs,
    fileSystemPath: '/',
    url: fs.importPath,
    autoImportEvents: LEGACY_AUTO_IMPORT[fs.autoImportPolicy ?? 'NONE'] ?? [],
    // A legacy ImportPath always imports the bucket's listing when the file system is created.
    batchImport: true,
    ...(fs.link ? { health: fs.link } : {}),
    availableAt: fs.availableAt,
    deleting: fs.deletingAt !== undefined,
  };
}

export function linksOf(sim: Sim, fs: FileSystemState): Link[] {
  const legacy = legacyLink(fs);
  if (legacy) return [legacy];
  return Object.values(sim.state.dras)
    .filter((d) => d.fileSystemId === fs.id)
    .map((d) => draLink(sim, d))
    .filter((l): l is Link => !!l);
}

/** Every link of every file system: legacy ImportPaths and DRAs, in one pass over each. */
function allLinks(sim: Sim): Link[] {
  const links: Link[] = [];
  for (const fs of Object.values(sim.state.fileSystems)) {
    const legacy = legacyLink(fs);
    if (legacy) links.push(legacy);
  }
  for (const dra of Object.values(sim.state.dras)) {
    const fs = sim.state.fileSystems[dra.fileSystemId];
    const link = fs && !fs.importPath ? draLink(sim, dra) : undefined;
    if (link) links.push(link);
  }
  return links;
}

/** The reference a scheduled job keeps to a link. */
const linkRef = (link: Link): Record<string, string> => (link.fs.importPath ? { fileSystemId: link.fs.id } : { associationId: link.id });

function linkById(sim: Sim, ref: Record<string, string>): Link | undefined {
  const dra = ref['associationId'] ? sim.state.dras[ref['associationId']] : undefined;
  if (dra) return draLink(sim, dra);
  const fs = ref['fileSystemId'] ? sim.state.fileSystems[ref['fileSystemId']] : undefined;
  return fs && !ref['associationId'] ? legacyLink(fs) : undefined;
}

const noPermissions = (link: Link) => `Amazon FSx does not have the required permissions for the S3 bucket in ${link.url}.`;

/** Whether the SLR itself can list the linked prefix. */
function slrCanList(sim: Sim, link: Link): boolean {
  const parsed = parseS3Url(link.url);
  const bucket = parsed && sim.state.buckets[parsed.bucket];
  if (!parsed || !bucket || !sim.state.roles[slrArn(link.fs)]) return false;
  return sim.decide(
    slrCaller(link.fs),
    { action: 's3:ListBucket', resource: `arn:aws:s3:::${bucket.name}`, resourceAccount: bucket.account, context: { 's3:prefix': parsed.prefix } },
    { resourcePolicy: bucketPolicyOf(bucket) },
  ).allowed;
}

/** FSx configures the `FSx` event notification as the SLR; returns the denial, if any. */
function configureNotification(sim: Sim, link: Link): string | undefined {
  const parsed = parseS3Url(link.url)!;
  const bucket = sim.state.buckets[parsed.bucket];
  if (!bucket) return `The S3 bucket ${parsed.bucket} does not exist.`;
  if (bucket.fsxNotifications?.[link.id]) return undefined;
  const caller = slrCaller(link.fs);
  const request = { action: 's3:PutBucketNotification', resource: `arn:aws:s3:::${bucket.name}`, resourceAccount: bucket.account };
  const decision = sim.decide(caller, request, { resourcePolicy: bucketPolicyOf(bucket) });
  const message = decision.allowed
    ? undefined
    : (decision.message ?? `User: ${caller.sessionArn} is not authorized to perform: s3:PutBucketNotification on resource: ${request.resource}`);
  sim.record({
    caller,
    service: 's3',
    eventName: 'PutBucketNotification',
    region: link.fs.region,
    requestParameters: { bucketName: bucket.name, NotificationConfiguration: { Id: 'FSx', Filter: { Prefix: parsed.prefix } } },
    ...(message ? { error: { code: 'AccessDenied', message } } : {}),
    resources: [{ ARN: request.resource, accountId: bucket.account, type: 'AWS::S3::Bucket' }],
    recipients: [link.fs.account, bucket.account],
    management: true,
    readOnly: false,
  });
  if (message) return message;
  bucket.fsxNotifications = {
    ...bucket.fsxNotifications,
    [link.id]: { name: 'FSx', fileSystemId: link.fs.id, prefix: parsed.prefix, configuredAt: sim.now() },
  };
  return undefined;
}

const notificationTrouble = (link: Link, message: string) =>
  `Amazon FSx is unable to configure the S3 event notification named FSx on ${link.url} for automatic import: ${message}`;

/** Imports the metadata of one object into the file system (the data stays in S3). */
function importObject(link: Link, key: string, etag: string, modified: number): void {
  const parsed = parseS3Url(link.url)!;
  const prefix = parsed.prefix && !parsed.prefix.endsWith('/') ? `${parsed.prefix}/` : parsed.prefix;
  if (!key.startsWith(prefix) || key.endsWith('/')) return;
  const path = `${link.fileSystemPath === '/' ? '' : link.fileSystemPath}/${key.slice(prefix.length)}`;
  link.fs.files[path] = { content: '', hsmAction: 'NOOP', archived: true, released: { bucket: parsed.bucket, key, etag } };
  link.health!.imported = { ...link.health!.imported, [key]: modified };
}

/** The link's creation ends: SLR access (else FAILED), the notification, the batch import. */
export function runLinkSetUp(sim: Sim, job: JobState): void {
  const link = linkById(sim, job.ref);
  if (!link?.health || link.deleting || link.health.setUpAt !== undefined) return;
  const health = link.health;
  health.setUpAt = sim.now();
  if (!slrCanList(sim, link)) {
    health.failed = noPermissions(link);
    return;
  }
  if (link.autoImportEvents.length) {
    const denied = configureNotification(sim, link);
    if (denied) markMisconfigured(sim, link, notificationTrouble(link, denied));
  }
  if (link.batchImport) {
    const parsed = parseS3Url(link.url)!;
    for (const object of Object.values(sim.state.buckets[parsed.bucket]?.objects ?? {})) importObject(link, object.key, object.etag, object.lastModified);
  }
}

function markMisconfigured(sim: Sim, link: Link, message: string): void {
  if (link.health!.misconfigured) return;
  link.health!.misconfigured = message;
  sim.schedule(sim.now() + LINK_RECHECK_SECONDS * 1000, 'link-recheck', linkRef(link));
}

/** FSx's recheck of a MISCONFIGURED link: healthy again → AVAILABLE, else check again later. */
export function runLinkRecheck(sim: Sim, job: JobState): void {
  const link = linkById(sim, job.ref);
  if (!link?.health?.misconfigured || link.deleting) return;
  let trouble: string | undefined = slrCanList(sim, link) ? undefined : noPermissions(link);
  if (!trouble && link.autoImportEvents.length) {
    const denied = configureNotification(sim, link);
    if (denied) trouble = notificationTrouble(link, denied);
  }
  if (!trouble) {
    delete link.health.misconfigured;
    return;
  }
  link.health.misconfigured = trouble;
  sim.schedule(sim.now() + LINK_RECHECK_SECONDS * 1000, 'link-recheck', job.ref);
}

/** CREATING, AVAILABLE, MISCONFIGURED, FAILED or DELETING, with FailureDetails when not healthy. */
export function linkLifecycle(sim: Sim, link: Link): { lifecycle: string; failure?: string } {
  if (link.deleting) return { lifecycle: 'DELETING' };
  if (sim.now() < link.availableAt || (link.health && link.health.setUpAt === undefined)) return { lifecycle: 'CREATING' };
  const health = link.health;
  if (!health) return { lifecycle: 'AVAILABLE' };
  if (health.failed) return { lifecycle: 'FAILED', failure: health.failed };
  // A link that loses access after creation is MISCONFIGURED (seen when it is next observed).
  if (!health.misconfigured && !slrCanList(sim, link)) markMisconfigured(sim, link, noPermissions(link));
  if (health.misconfigured) return { lifecycle: 'MISCONFIGURED', failure: health.misconfigured };
  return { lifecycle: 'AVAILABLE' };
}

/**
 * Auto-import, run whenever time is observed: every object written under a linked prefix
 * after the `FSx` notification was configured is imported AUTO_IMPORT_SECONDS later, as a NEW
 * or CHANGED event, if the link's AutoImportPolicy has that event and the link is AVAILABLE.
 * FSx's own exports are not imported back.
 */
export function runAutoImports(sim: Sim): void {
  const now = sim.now();
  for (const link of allLinks(sim)) {
    if (!link.health || !link.autoImportEvents.length) continue;
    const parsed = parseS3Url(link.url)!;
    const bucket = sim.state.buckets[parsed.bucket];
    const notification = bucket?.fsxNotifications?.[link.id];
    if (!bucket || !notification) continue;
    const fs = link.fs;
    const due = Object.values(bucket.objects).filter(
      (o) =>
        o.key.startsWith(parsed.prefix) &&
        o.lastModified >= notification.configuredAt &&
        o.lastModified + AUTO_IMPORT_SECONDS * 1000 <= now &&
        link.health!.imported?.[o.key] !== o.lastModified &&
        o.writtenBy !== slrCaller(fs).sessionArn,
    );
    if (!due.length || linkLifecycle(sim, link).lifecycle !== 'AVAILABLE') continue;
    for (const object of due) {
      const event = fs.files[filePathOf(link, object.key)] ? 'CHANGED' : 'NEW';
      if (link.autoImportEvents.includes(event)) importObject(link, object.key, object.etag, object.lastModified);
      else link.health.imported = { ...link.health.imported, [object.key]: object.lastModified };
    }
  }
}

/** Where an object under the link's prefix appears in the file system. */
function filePathOf(link: Link, key: string): string {
  const prefix = parseS3Url(link.url)!.prefix.replace(/([^/])$/, '$1/');
  return `${link.fileSystemPath === '/' ? '' : link.fileSystemPath}/${key.slice(prefix.length)}`;
}

/**
 * An object deleted under a linked prefix reaches each link whose notification is configured as
 * a DELETED event, AUTO_IMPORT_SECONDS later (FSx Lustre User Guide, "Automatically import
 * updates from your S3 bucket": with DELETED, FSx deletes the corresponding files).
 */
export function notifyObjectDeleted(sim: Sim, bucketName: string, key: string): void {
  if (!Object.keys(sim.state.buckets[bucketName]?.fsxNotifications ?? {}).length) return;
  sim.schedule(sim.now() + AUTO_IMPORT_SECONDS * 1000, 'auto-import-deleted', { bucket: bucketName, key, deletedAt: String(sim.now()) });
}

/**
 * The DELETED event: the file goes from the file system if the link imports DELETED events, is
 * AVAILABLE (else the event waits for the next recheck) and the file holds no change the
 * file system has not exported yet (sandbox assumption: such a file is kept).
 */
export function runDeletedImport(sim: Sim, job: JobState): void {
  const { bucket: bucketName, key, deletedAt } = job.ref;
  const bucket = bucketName ? sim.state.buckets[bucketName] : undefined;
  if (!bucket || !key || bucket.objects[key]) return; // written again since: a NEW or CHANGED event instead
  // Once for every link whose notification existed at the deletion; a link that cannot take the
  // event now gets it again at its next recheck (the job then names that link alone).
  const links = job.ref['associationId'] || job.ref['fileSystemId'] ? [linkById(sim, job.ref)] : allLinks(sim);
  for (const link of links) {
    const notification = link && bucket.fsxNotifications?.[link.id];
    if (!link || !notification || notification.configuredAt > Number(deletedAt)) continue;
    const parsed = parseS3Url(link.url)!;
    if (parsed.bucket !== bucketName || !key.startsWith(parsed.prefix)) continue;
    deleteImported(sim, link, key, job.ref);
  }
}

function deleteImported(sim: Sim, link: Link, key: string, ref: Record<string, string>): void {
  if (!link.health || link.deleting || !link.autoImportEvents.includes('DELETED')) return;
  if (!usable(sim, link)) {
    sim.schedule(sim.now() + LINK_RECHECK_SECONDS * 1000, 'auto-import-deleted', { ...ref, ...linkRef(link) });
    return;
  }
  const path = filePathOf(link, key);
  const file = link.fs.files[path];
  if (file?.archived && file.hsmAction === 'NOOP') delete link.fs.files[path];
  if (link.health.imported?.[key] !== undefined) {
    const { [key]: _gone, ...rest } = link.health.imported;
    link.health.imported = rest;
  }
}

/** Removes the `FSx` notification of a link that is gone. */
export function forgetNotification(sim: Sim, linkId: string): void {
  for (const bucket of Object.values(sim.state.buckets)) if (bucket.fsxNotifications?.[linkId]) delete bucket.fsxNotifications[linkId];
}

/** Whether FSx can move data through the link now. */
export function usable(sim: Sim, link: Link): boolean {
  return linkLifecycle(sim, link).lifecycle === 'AVAILABLE';
}
