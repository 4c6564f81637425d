// The rules on a request's data repositories, for either form it may be written in: the
// single-bucket form (bucket, key, fileSystem.fileSystemPath, dataRepository) or `repositories`.
// Each problem names the field as the request wrote it (`key.arn` or `repositories[1].key.arn`).
import { parse as parseArn, validate as isArn } from '@aws-sdk/util-arn-parser';
import { legacyLinkedTypes, type DeploymentType } from './deployment-types.js';

type IssuePath = (string | number)[];

export interface IssueSink {
  addIssue(issue: { code: 'custom'; path: IssuePath; message: string }): void;
}

type LinkField = 'bucket' | 'key' | 'fileSystemPath' | 'dataRepository';

/** The fields of one repository as parsed (any may be missing when the request is invalid). */
interface RepositoryFields {
  bucket?: { name?: string } | undefined;
  key?: { arn?: string } | undefined;
  fileSystemPath?: string | undefined;
  dataRepository?: { autoImportEvents?: string[]; autoExportEvents?: string[] } | undefined;
}

export interface RepositoryEntry {
  entry: RepositoryFields;
  /** Where a field of this repository is in the request. */
  path(field: LinkField): IssuePath;
  /** How a message names this repository's path: `repositories[0].fileSystemPath`. */
  label: string;
}

interface RequestFields extends Omit<RepositoryFields, 'fileSystemPath'> {
  region: string;
  fileSystem: { deploymentType: DeploymentType; fileSystemPath?: string | undefined };
  repositories?: RepositoryFields[] | undefined;
}

const singleFormPath = (field: LinkField): IssuePath => (field === 'fileSystemPath' ? ['fileSystem', 'fileSystemPath'] : [field]);

/**
 * The repositories of the request, whichever form it uses. Refuses both forms at once, and a
 * single-bucket form without its bucket, key or path.
 */
export function repositoryEntries(req: RequestFields, ctx: IssueSink): RepositoryEntry[] {
  const shorthand = (['bucket', 'key', 'dataRepository', 'fileSystemPath'] as const).filter((f) =>
    f === 'fileSystemPath' ? req.fileSystem.fileSystemPath !== undefined : req[f] !== undefined,
  );
  if (req.repositories !== undefined) {
    if (shorthand.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['repositories'],
        message: `cannot be combined with the single-bucket form (${shorthand.map((f) => singleFormPath(f).join('.')).join(', ')}): list every repository in repositories, or use the single-bucket form alone`,
      });
      return [];
    }
    return req.repositories.map((entry, i) => ({
      entry,
      path: (field) => ['repositories', i, field],
      label: `repositories[${i}].fileSystemPath`,
    }));
  }
  for (const field of ['bucket', 'key', 'fileSystemPath'] as const) {
    if (!shorthand.includes(field))
      ctx.addIssue({ code: 'custom', path: singleFormPath(field), message: 'is required (or list the repositories in repositories)' });
  }
  const entry: RepositoryFields = { bucket: req.bucket, key: req.key, fileSystemPath: req.fileSystem.fileSystemPath, dataRepository: req.dataRepository };
  return [{ entry, path: singleFormPath, label: 'fileSystem.fileSystemPath' }];
}

/** One path nests in the other, segment by segment (or they are equal). */
function nests(a: string, b: string): boolean {
  return a === b || b.startsWith(`${a}/`) || a.startsWith(`${b}/`);
}

/** The rules of each repository, and of the repositories together. */
export function addRepositoryIssues(req: RequestFields, entries: RepositoryEntry[], ctx: IssueSink): void {
  const type = req.fileSystem.deploymentType;
  const legacy = legacyLinkedTypes.includes(type);
  if (legacy && entries.length > 1) {
    ctx.addIssue({
      code: 'custom',
      path: ['repositories'],
      message: `must hold exactly one repository for ${type}, which links S3 once, at creation (ImportPath), not by data repository associations`,
    });
  }
  for (const { entry, path } of entries) {
    if (legacy && entry.fileSystemPath !== undefined && entry.fileSystemPath !== '/') {
      ctx.addIssue({ code: 'custom', path: path('fileSystemPath'), message: `must be "/" for ${type}, which links the bucket at the file system root` });
    }
    const arn = entry.key?.arn;
    if (typeof arn === 'string' && isArn(arn) && /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/.test(req.region)) {
      const keyRegion = parseArn(arn).region;
      if (keyRegion !== req.region) {
        ctx.addIssue({
          code: 'custom',
          path: [...path('key'), 'arn'],
          message: `must be in the request region ${req.region} (S3 uses keys of the bucket's region only), not ${keyRegion}`,
        });
      }
    }
    for (const field of ['autoImportEvents', 'autoExportEvents'] as const) {
      const events = entry.dataRepository?.[field];
      if (events && new Set(events).size !== events.length) {
        ctx.addIssue({ code: 'custom', path: [...path('dataRepository'), field], message: 'must not repeat an event type' });
      }
    }
  }
  if (entries.length > 1) addCrossRepositoryIssues(entries, ctx);
}

/**
 * FSx for Lustre: the paths of a file system's associations must not overlap, and "/" is
 * possible only for its first (so, here, only one) association. One bucket per repository: its
 * default encryption is bucket-wide, so two links of one bucket would set it twice.
 */
function addCrossRepositoryIssues(entries: RepositoryEntry[], ctx: IssueSink): void {
  entries.forEach(({ entry, path }, j) => {
    const p = entry.fileSystemPath;
    if (p === '/') {
      ctx.addIssue({
        code: 'custom',
        path: path('fileSystemPath'),
        message: 'may be "/" only when it is the only repository: every other repository\'s path would nest in it',
      });
      return;
    }
    for (const earlier of entries.slice(0, j)) {
      const q = earlier.entry.fileSystemPath;
      if (p !== undefined && q !== undefined && q !== '/' && nests(p, q)) {
        ctx.addIssue({
          code: 'custom',
          path: path('fileSystemPath'),
          message: `overlaps ${earlier.label} "${q}": the paths of two repositories must not be equal or nest in one another (FSx refuses overlapping data repository associations)`,
        });
      }
      const name = entry.bucket?.name;
      if (name !== undefined && name === earlier.entry.bucket?.name) {
        ctx.addIssue({
          code: 'custom',
          path: [...path('bucket'), 'name'],
          message: `is also the bucket of ${earlier.label.replace(/\.fileSystemPath$/, '')}: each repository needs a bucket of its own (the bucket's default encryption is bucket-wide)`,
        });
      }
    }
  });
}
