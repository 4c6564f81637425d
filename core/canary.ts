// Where the export canary lives, on the Lustre client and in S3. A client path is
// `<mountPath><fileSystemPath>/<relative>` and maps to the S3 key `<prefix><relative>`.
import type { OnboardingRequest } from './request.js';
import type { OnboardingNames } from './naming.js';

interface CanaryFile {
  /** Path relative to the linked directory (and to the prefix in S3). */
  relative: string;
  clientPath: string;
  /** Path relative to the file system root, as data repository tasks take it. */
  fileSystemRelativePath: string;
  s3Key: string;
  text: string;
}

export interface Canary {
  directory: { clientPath: string; fileSystemRelativePath: string; s3Prefix: string };
  /** Written on the client and exported to S3 (proves export + encryption with the key). */
  toS3: CanaryFile;
  /** Put in S3 by the bucket role and read through the mount (proves import + decrypt). */
  fromS3: CanaryFile;
}

const CANARY_PREFIX = '.fsx-onboard-canary-';

function joinPath(...parts: string[]): string {
  return `/${parts
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/')}`.replace(/\/+/g, '/');
}

/**
 * The canary of one execution: with `runId` (RunBaseline.runId) in a directory of its own under
 * the request's, so an execution proves and removes only what it wrote itself, even while another
 * execution of the same request runs, and a re-run never passes on an earlier run's objects.
 */
export function canaryFor(request: OnboardingRequest, names: OnboardingNames, runId?: string): Canary {
  const base = names.canaryFileName;
  const dir = runId ? `${base}/${runId.slice(0, 8)}` : base;
  // The link's own mark (the request id, with `.r<i>` past the first repository): each link's
  // canary reads differently, so a read-back through another link's path cannot pass for it.
  const mark = base.startsWith(CANARY_PREFIX) ? base.slice(CANARY_PREFIX.length) : request.requestId;
  const linkedDir = joinPath(request.testExport.mountPath, request.fileSystem.fileSystemPath);
  const fsRelative = (rel: string) => joinPath(request.fileSystem.fileSystemPath, rel).slice(1);
  const file = (name: string, text: string): CanaryFile => ({
    relative: `${dir}/${name}`,
    clientPath: joinPath(linkedDir, dir, name),
    fileSystemRelativePath: fsRelative(`${dir}/${name}`),
    s3Key: `${request.bucket.prefix}${dir}/${name}`,
    text,
  });
  return {
    directory: { clientPath: joinPath(linkedDir, dir), fileSystemRelativePath: fsRelative(dir), s3Prefix: `${request.bucket.prefix}${dir}/` },
    toS3: file('to-s3.txt', `fsx-onboard canary to-s3 ${mark}`),
    fromS3: file('from-s3.txt', `fsx-onboard canary from-s3 ${mark}`),
  };
}
