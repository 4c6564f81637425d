// The state folder (--state-dir) holds the sandbox's world and the execution records. Whoever
// writes a file there notes it in a marker file, so that `sandbox reset` deletes exactly those
// files and never one it did not create: `--state-dir .` must not wipe a checkout.
import { lstat, mkdir, readdir, readFile, realpath, rename, rmdir, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, normalize, resolve, sep } from 'node:path';

export const STATE_DIR_MARKER = '.fsx-onboard-state';

interface Marker {
  /** What wrote the marker: a folder without it is not a sandbox folder. */
  createdBy: 'fsx-onboard';
  /** Whether the sandbox created the folder itself (then reset removes it once empty). */
  createdDirectory: boolean;
  /** Folders the sandbox created inside it, relative to it. */
  directories: string[];
  /** Files the sandbox wrote, relative to it. */
  files: string[];
}

async function readMarker(dir: string): Promise<Marker | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, STATE_DIR_MARKER), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const marker = JSON.parse(text) as Partial<Marker> | null;
  if (marker?.createdBy !== 'fsx-onboard' || !Array.isArray(marker.files) || !Array.isArray(marker.directories)) {
    throw new Error(`${join(dir, STATE_DIR_MARKER)} is not an fsx-onboard marker`);
  }
  return marker as Marker;
}

async function writeMarker(dir: string, marker: Marker): Promise<void> {
  const temporary = join(dir, `${STATE_DIR_MARKER}.tmp-${process.pid}`);
  await writeFile(temporary, `${JSON.stringify(marker, null, 2)}\n`);
  await rename(temporary, join(dir, STATE_DIR_MARKER));
}

/** A relative path that stays inside the folder (marker entries are read back from disk). */
function inside(relative: string): boolean {
  const n = normalize(relative);
  return n !== '' && n !== '.' && !n.startsWith('..') && !n.startsWith(sep) && n !== STATE_DIR_MARKER;
}

/**
 * Creates `dir` and the sub-folder of `relativeFile` if needed, and notes them and the file in
 * the marker. Call it before writing the file, so a crash mid-write leaves a file reset knows.
 */
export async function noteStateFile(dir: string, relativeFile: string): Promise<void> {
  if (!inside(relativeFile)) throw new Error(`${relativeFile} is not a path inside the state folder`);
  const createdDir = (await mkdir(dir, { recursive: true })) !== undefined;
  const existing = await readMarker(dir);
  const marker = existing ?? { createdBy: 'fsx-onboard', createdDirectory: createdDir, directories: [], files: [] };
  const parent = dirname(normalize(relativeFile));
  let changed = existing === undefined;
  if (parent !== '.') {
    const createdParent = (await mkdir(join(dir, parent), { recursive: true })) !== undefined;
    if (createdParent && !marker.directories.includes(parent)) {
      marker.directories.push(parent);
      changed = true;
    }
  }
  const file = normalize(relativeFile);
  if (!marker.files.includes(file)) {
    marker.files.push(file);
    changed = true;
  }
  if (changed) await writeMarker(dir, marker);
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

export type ResetOutcome = { kind: 'absent' } | { kind: 'not-a-sandbox' } | { kind: 'reset'; deleted: string[]; kept: string[]; removedDirectory: boolean };

/**
 * Deletes the files the marker lists (and the marker, and the folders the sandbox created once
 * they are empty); anything else in the folder stays, and is returned in `kept`.
 */
export async function resetStateDir(dir: string): Promise<ResetOutcome> {
  const root = resolve(dir);
  if (!(await exists(root))) return { kind: 'absent' };
  // A marker that cannot be read is no proof of what the sandbox wrote: delete nothing.
  const marker = await readMarker(root).catch(() => undefined);
  if (!marker) return { kind: 'not-a-sandbox' };
  const realRoot = await realpath(root);
  const deleted: string[] = [];
  const leftovers = (await readdir(root)).filter((name) => name.startsWith(`${STATE_DIR_MARKER}.tmp-`) || /^sandbox\.json\.tmp-\d+$/.test(name));
  for (const file of [...marker.files.filter(inside), ...leftovers]) {
    const path = join(root, file);
    // Through a folder swapped for a symbolic link, the path would lead out of the state folder.
    const parent = await realpath(dirname(path)).catch(() => undefined);
    if (parent !== join(realRoot, dirname(normalize(file)))) continue;
    const info = await lstat(path).catch(() => undefined);
    if (!info?.isFile()) continue;
    await unlink(path);
    deleted.push(file);
  }
  await unlink(join(root, STATE_DIR_MARKER));
  deleted.push(STATE_DIR_MARKER);
  // Deepest first; a folder that still holds someone else's files stays.
  for (const sub of marker.directories.filter(inside).sort((a, b) => b.length - a.length)) await rmdir(join(root, sub)).catch(() => undefined);
  const kept = await listFiles(root);
  let removedDirectory = false;
  if (marker.createdDirectory && kept.length === 0) {
    await rmdir(root).catch(() => undefined);
    removedDirectory = !(await exists(root));
  }
  return { kind: 'reset', deleted, kept, removedDirectory };
}

/** Every entry left in the folder, relative to it (folders with a trailing slash when empty). */
async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => !e.isDirectory()).map((e) => join(e.parentPath ?? root, e.name).slice(root.length + 1));
}
