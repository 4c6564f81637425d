// What `offboard` (and `rollback` of a succeeded onboarding) will remove, shown before it asks
// for confirmation. The items are the compensations' targets, found the way they find them: by
// the request's Sids, grant name, tag and canary keys. With a sandbox snapshot each item says
// what is there now; on AWS (no snapshot) it names what will be looked for.
import { canaryFor } from '../core/canary.js';
import { changeRecordParameter, linkNamesFor, sharedPiecesFor, TAG_REQUEST_ID, withSharedSids, type OnboardingNames } from '../core/naming.js';
import { linkRequest } from '../core/link-request.js';
import { isLegacyLinked, type OnboardingRequest } from '../core/request.js';
import { keyStatementSids } from '../policy/documents.js';
import type { SandboxSnapshot } from '../sandbox/snapshot.js';

export interface OffboardItem {
  kind: 'grant' | 'bucketPolicy' | 'keyPolicy' | 'dataRepositoryAssociation' | 'testExport' | 'defaultEncryption' | 'fileSystem';
  resource: string;
  action: 'remove' | 'restore' | 'keep' | 'delete';
  /** What will be removed: Sids, grant ids, object keys, association ids. */
  targets: string[];
  /** Set with a snapshot: false when nothing of this request is there (the step will be a no-op). */
  present?: boolean;
}

export interface OffboardPlanOptions {
  deleteFileSystem: boolean;
  /** The file system the onboarding used, from its outputs. */
  fileSystemId?: string;
  snapshot?: SandboxSnapshot;
  /** Offboard one repository only: its fileSystemPath (offboard --repository). */
  repository?: string;
}

/** Each repository's link (or the one named), then the file system. */
export function offboardPlan(request: OnboardingRequest, options: OffboardPlanOptions): OffboardItem[] {
  const repositories = request.repositories ?? [];
  const indices = [...repositories.keys()].filter((i) => options.repository === undefined || repositories[i]!.fileSystemPath === options.repository);
  // A link's names as its steps use them: shared statements (bucket.access "file-systems-of-account") have shared Sids.
  const namesOf = (link: OnboardingRequest, i: number) =>
    withSharedSids(linkNamesFor(request.requestId, i), sharedPiecesFor(link, link.key.arn.split(':')[4] ?? ''));
  const links =
    repositories.length <= 1
      ? [linkItems(request, namesOf(request, 0), options)]
      : indices.map((i) => linkItems(linkRequest(request, i), namesOf(linkRequest(request, i), i), options));
  return [...links.flat(), fileSystemItem(request, options)];
}

function fileSystemOf(request: OnboardingRequest, options: OffboardPlanOptions): string | undefined {
  const world = options.snapshot;
  return options.fileSystemId ?? world?.fileSystems.find((f) => f.tags[TAG_REQUEST_ID] === request.requestId)?.id ?? request.fileSystem.existingFileSystemId;
}

function fileSystemItem(request: OnboardingRequest, options: OffboardPlanOptions): OffboardItem {
  const adopted = !!request.fileSystem.existingFileSystemId;
  return {
    kind: 'fileSystem',
    resource: fileSystemOf(request, options) ?? '(none found)',
    action: options.deleteFileSystem && !adopted ? 'delete' : 'keep',
    targets: [],
  };
}

/** What removing one repository's link removes: found by that link's names, at its path. */
function linkItems(request: OnboardingRequest, names: OnboardingNames, options: OffboardPlanOptions): OffboardItem[] {
  const world = options.snapshot;
  const key = world?.keys.find((k) => k.arn === request.key.arn);
  const bucket = world?.buckets.find((b) => b.name === request.bucket.name);
  const sidsIn = (policy: { Statement?: { Sid?: string }[] } | null | undefined, sids: string[]) =>
    sids.filter((sid) => (policy?.Statement ?? []).some((s) => s.Sid === sid));
  const observed = (targets: unknown[]) => (world ? { present: targets.length > 0 } : {});

  const grants = key ? key.grants.filter((g) => g.name === names.grantName).map((g) => g.grantId) : [];
  const bucketSids = [names.bucketAccessSid, names.bucketObjectAccessSid];
  const keySids = keyStatementSids(names);
  const associations = (world?.dataRepositoryAssociations ?? []).filter(
    (d) => d.tags[TAG_REQUEST_ID] === request.requestId && d.fileSystemPath === request.fileSystem.fileSystemPath && d.lifecycle !== 'DELETING',
  );
  const canary = canaryFor(request, names);
  const canaryKeys = [canary.toS3.s3Key, canary.fromS3.s3Key];
  const leftovers = bucket ? bucket.objects.map((o) => o.key).filter((k) => canaryKeys.includes(k)) : [];
  const report = request.testExport.mode === 'data-repository-task' ? ['the export task report, if any'] : [];
  const recordName = changeRecordParameter(request.requestId, request.bucket.name);
  const record = world?.parameters.find((p) => p.name === recordName);
  const fileSystem = fileSystemOf(request, options);

  const items: OffboardItem[] = [
    {
      kind: 'grant',
      resource: request.key.arn,
      action: 'remove',
      targets: world ? grants : [`grants named ${names.grantName}`],
      ...observed(grants),
    },
    {
      kind: 'bucketPolicy',
      resource: `s3://${request.bucket.name}`,
      action: 'remove',
      targets: world ? sidsIn(bucket?.policy, bucketSids) : bucketSids,
      ...observed(sidsIn(bucket?.policy, bucketSids)),
    },
    {
      kind: 'keyPolicy',
      resource: request.key.arn,
      action: 'remove',
      targets: world ? sidsIn(key?.policy, keySids) : keySids,
      ...observed(sidsIn(key?.policy, keySids)),
    },
    isLegacyLinked(request) && options.deleteFileSystem === false
      ? {
          kind: 'dataRepositoryAssociation',
          resource: fileSystem ?? '(file system of the request)',
          action: 'keep',
          // Legacy types are linked by ImportPath at creation: FSx offers no way to unlink them.
          targets: [
            "the file system's own S3 link (ImportPath): FSx cannot unlink it short of deleting the file system; without its grant and statements it can no longer reach the data",
          ],
        }
      : {
          kind: 'dataRepositoryAssociation',
          resource: fileSystem ?? '(file system of the request)',
          action: 'remove',
          targets: world
            ? associations.map((d) => `${d.id} (${d.fileSystemPath} ↔ ${d.dataRepositoryPath})`)
            : [`associations tagged ${TAG_REQUEST_ID}=${request.requestId} at ${request.fileSystem.fileSystemPath}`],
          ...observed(associations),
        },
    {
      kind: 'testExport',
      resource: `s3://${request.bucket.name}`,
      action: 'remove',
      targets: world ? [...leftovers, ...report] : [...canaryKeys, ...report],
      ...(world ? { present: leftovers.length + report.length > 0 } : {}),
    },
    {
      kind: 'defaultEncryption',
      resource: `s3://${request.bucket.name}`,
      action: 'restore',
      // RestoreDefaultEncryption puts back the recorded configuration only if the bucket still has the one this request set.
      targets: [`the configuration recorded in ${recordName}, if the bucket still has the one this request set and no other onboarding relies on it`],
      ...(world ? { present: !!record } : {}),
    },
  ];
  return items;
}

const LABEL: Record<OffboardItem['kind'], string> = {
  grant: 'KMS grant',
  bucketPolicy: 'bucket policy statements',
  keyPolicy: 'key policy statements',
  dataRepositoryAssociation: 'data repository association',
  testExport: 'test export objects',
  defaultEncryption: 'default encryption',
  fileSystem: 'file system',
};

export function formatOffboardPlan(items: OffboardItem[]): string {
  return items
    .map((item) => {
      if (item.kind === 'fileSystem') {
        return item.action === 'delete'
          ? `  - delete ${LABEL[item.kind]} ${item.resource} (only if this request created it; an adopted one is never deleted)`
          : `  = keep ${LABEL[item.kind]} ${item.resource}`;
      }
      if (item.action === 'keep') return `  = keep ${LABEL[item.kind]} on ${item.resource}: ${item.targets.join(', ')}`;
      if (item.present === false) return `  · ${LABEL[item.kind]} on ${item.resource}: nothing of this request there`;
      return `  - ${item.action} ${LABEL[item.kind]} on ${item.resource}: ${item.targets.join(', ')}`;
    })
    .join('\n');
}
