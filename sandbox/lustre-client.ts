// A Lustre client on a managed instance, interpreting exactly the shell lines the workflow's
// test export sends through SSM Run Command. Data moves between the file system and S3 as
// FSx's S3-access SLR: `lfs hsm_archive` returns at once and the export happens later (a
// denied export only shows in CloudTrail and as a missing object); `cat` of an S3-backed file
// loads the object as the SLR and says "No data available" when KMS refuses to decrypt, but
// only once FSx has imported it: before that the file does not exist.
import { SimError } from './errors.js';
import type { Sim } from './sim.js';
import type { FileSystemState, InstanceState, JobState } from './state.js';
import { asServiceLinkedRole, fileSystemLifecycle } from './services/fsx-common.js';
import { repositoryLocation } from './services/fsx-dra.js';
import { getObjectAs, putObjectAs } from './services/s3-objects.js';

/** Virtual seconds between `lfs hsm_archive` and FSx's PutObject to S3. */
export const HSM_ARCHIVE_SECONDS = 15;
/** Virtual seconds between a write and its automatic export (DRA AutoExportPolicy). */
const AUTO_EXPORT_SECONDS = 30;

export interface ScriptResult {
  status: 'Success' | 'Failed';
  stdout: string;
  stderr: string;
  responseCode: number;
}

interface Step {
  out?: string;
  err?: string;
  code: number;
}

function locate(sim: Sim, instance: InstanceState, path: string): { fs: FileSystemState; fsPath: string } | undefined {
  const mount = Object.keys(instance.mounts)
    .filter((m) => path === m || path.startsWith(`${m}/`))
    .sort((a, b) => b.length - a.length)[0];
  const fs = mount ? sim.state.fileSystems[instance.mounts[mount]!] : undefined;
  if (!mount || !fs) return undefined;
  return { fs, fsPath: path.slice(mount.length) || '/' };
}

function mount(sim: Sim, instance: InstanceState, dns: string, mountName: string, target: string): Step {
  if (instance.mounts[target]) return { code: 0 };
  const fs = Object.values(sim.state.fileSystems).find((f) => f.dnsName === dns && f.account === instance.account && f.region === instance.region);
  if (!fs || fs.mountName !== mountName || fileSystemLifecycle(fs, sim.now()) !== 'AVAILABLE') {
    return { code: 2, err: `mount.lustre: mount ${dns}@tcp:/${mountName} at ${target} failed: No such file or directory` };
  }
  if (!instance.localDirs.includes(target)) return { code: 2, err: `mount.lustre: mount point ${target} does not exist` };
  instance.mounts[target] = fs.id;
  return { code: 0 };
}

function cat(sim: Sim, instance: InstanceState, path: string): Step {
  const where = locate(sim, instance, path);
  if (!where) {
    const local = instance.localFiles[path];
    return local === undefined ? { code: 1, err: `cat: ${path}: No such file or directory` } : { code: 0, out: local };
  }
  const { fs, fsPath } = where;
  const file = fs.files[fsPath];
  // An S3 object is in the file system only once FSx imported it (batch or auto-import).
  if (!file) return { code: 1, err: `cat: ${path}: No such file or directory` };
  if (!file.released) return { code: 0, out: file.content };
  // Imported metadata only: FSx loads the data on first read, as the SLR (S3 decrypts with KMS).
  const { bucket, key } = file.released;
  try {
    const { body } = asServiceLinkedRole(sim, fs, 'GetObject', bucket, key, (caller) => getObjectAs(sim, caller, fs.region, bucket, key));
    const content = body.toString('utf8');
    fs.files[fsPath] = { content, hsmAction: 'NOOP', archived: true };
    return { code: 0, out: content };
  } catch (error) {
    if (!(error instanceof SimError)) throw error;
    return { code: 1, err: `cat: ${path}: No data available` };
  }
}

function runLine(sim: Sim, instance: InstanceState, line: string): Step {
  let m: RegExpExecArray | null;
  if ((m = /^mkdir -p (\/\S*)$/.exec(line))) {
    const dir = m[1]!;
    if (!locate(sim, instance, dir))
      for (let p = dir; p && p !== '/'; p = p.slice(0, p.lastIndexOf('/'))) if (!instance.localDirs.includes(p)) instance.localDirs.push(p);
    return { code: 0 };
  }
  if ((m = /^mountpoint -q (\/\S*) \|\| mount -t lustre -o relatime,flock (\S+)@tcp:\/(\S+) (\/\S*)$/.exec(line))) {
    if (m[1] !== m[4]) return { code: 2, err: 'sandbox: mountpoint and mount target differ' };
    return mount(sim, instance, m[2]!, m[3]!, m[4]!);
  }
  if ((m = /^findmnt -rn -t lustre -o SOURCE -M (\/\S*) \| grep -q ':\/(\S+)\$' \|\| \(echo '([^']*)' >&2; exit (\d+)\)$/.exec(line))) {
    // findmnt lists the Lustre mount at exactly that mount point; grep -q fails unless its source ends with the mount name.
    const mounted = sim.state.fileSystems[instance.mounts[m[1]!] ?? ''];
    return mounted?.mountName === m[2] ? { code: 0 } : { code: Number(m[4]), err: m[3]! };
  }
  if ((m = /^printf '%s\\n' '([A-Za-z0-9 \-_.:/]*)' > (\/\S+)$/.exec(line))) {
    const where = locate(sim, instance, m[2]!);
    if (!where) {
      instance.localFiles[m[2]!] = `${m[1]}\n`;
      return { code: 0 };
    }
    const isNew = !where.fs.files[where.fsPath];
    where.fs.files[where.fsPath] = { content: `${m[1]}\n`, hsmAction: 'NOOP', archived: false };
    scheduleAutoExport(sim, where.fs, where.fsPath, isNew ? 'NEW' : 'CHANGED');
    return { code: 0 };
  }
  if ((m = /^lfs hsm_(archive|action) (\/\S+)$/.exec(line))) {
    const where = locate(sim, instance, m[2]!);
    const file = where?.fs.files[where.fsPath];
    if (!where || !file) return { code: 2, err: `Cannot send HSM request (use of ${m[2]}): No such file or directory` };
    if (m[1] === 'action') return { code: 0, out: `${m[2]}: ${file.hsmAction}\n` };
    // Returns at once and prints nothing, even when the export will be denied.
    if (file.hsmAction !== 'ARCHIVE') {
      file.hsmAction = 'ARCHIVE';
      sim.schedule(sim.now() + HSM_ARCHIVE_SECONDS * 1000, 'hsm-archive', { fileSystemId: where.fs.id, path: where.fsPath });
    }
    return { code: 0 };
  }
  if ((m = /^cat (\/\S+)$/.exec(line))) return cat(sim, instance, m[1]!);
  return { code: 127, err: `bash: line 1: ${line.split(' ')[0]}: command not found` };
}

/**
 * A DRA with S3.AutoExportPolicy exports new/changed files by itself (and fails just as
 * silently without a grant: the blog's "same behavior" for automatic export).
 */
function scheduleAutoExport(sim: Sim, fs: FileSystemState, fsPath: string, event: 'NEW' | 'CHANGED'): void {
  const within = (parent: string) => parent === '/' || fsPath.startsWith(`${parent}/`);
  const dra = Object.values(sim.state.dras).find((d) => d.fileSystemId === fs.id && d.deletingAt === undefined && within(d.fileSystemPath));
  const events = (dra?.s3 as { AutoExportPolicy?: { Events?: string[] } } | undefined)?.AutoExportPolicy?.Events ?? [];
  if (dra && events.includes(event)) sim.schedule(sim.now() + AUTO_EXPORT_SECONDS * 1000, 'hsm-archive', { fileSystemId: fs.id, path: fsPath, auto: 'true' });
}

/**
 * AWS-RunShellScript runs `commands` as one script: every line runs, and the exit code is the
 * last line's, unless the script says `set -e` (then it stops at the first failing line).
 */
export function runScript(sim: Sim, instance: InstanceState, lines: string[]): ScriptResult {
  let stdout = '';
  let stderr = '';
  let code = 0;
  let errexit = false;
  if (!instance.lustreClient) return { status: 'Failed', stdout, stderr: 'bash: line 1: lfs: command not found\n', responseCode: 127 };
  for (const line of lines
    .flatMap((l) => l.split('\n'))
    .map((l) => l.trim())
    .filter(Boolean)) {
    if (/^set -e(uo pipefail)?$/.test(line)) {
      errexit = true;
      code = 0;
      continue;
    }
    const step = runLine(sim, instance, line);
    if (step.out) stdout += step.out;
    if (step.err) stderr += `${step.err}\n`;
    code = step.code;
    if (code !== 0 && errexit) break;
  }
  return { status: code === 0 ? 'Success' : 'Failed', stdout, stderr, responseCode: code };
}

/** The export FSx performs for `lfs hsm_archive`: S3 PutObject as the SLR. */
export function runHsmArchive(sim: Sim, job: JobState): void {
  const fs = sim.state.fileSystems[job.ref['fileSystemId']!];
  const file = fs?.files[job.ref['path']!];
  if (!fs || !file) return;
  const target = repositoryLocation(sim, fs, job.ref['path']!, true);
  if (target) {
    try {
      asServiceLinkedRole(sim, fs, 'PutObject', target.bucket, target.key, (caller) =>
        putObjectAs(sim, caller, fs.region, { bucket: target.bucket, key: target.key, body: Buffer.from(file.content) }),
      );
      file.archived = true;
    } catch (error) {
      if (!(error instanceof SimError)) throw error;
      // Denied: nothing lands in S3, and nothing tells the client.
    }
  }
  if (job.ref['auto'] !== 'true') file.hsmAction = 'NOOP';
}
