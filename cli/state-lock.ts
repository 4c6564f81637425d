// One CLI process at a time changes a state folder: each command reads the whole world, runs,
// and writes it back, so two at once would lose one's update. The lock is a proper-lockfile
// lock (an atomic mkdir, kept fresh while held, stale after a crash); the folder that holds it
// lives in the OS temp folder, keyed by the state folder's path, so that nothing appears in the
// state folder (or beside it) that `sandbox reset` would have to know about.
import { createHash } from 'node:crypto';
import { mkdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import lockfile from 'proper-lockfile';

/** Who holds the lock, written beside it so that a refused process can name it. */
interface LockOwner {
  pid: number;
  command: string;
  stateDir: string;
  since: string;
}

export const LOCK_WAIT_ENV = 'FSX_ONBOARD_STATE_LOCK_WAIT_SECONDS';
const DEFAULT_WAIT_SECONDS = 60;
const POLL_MS = 200;
// A holder whose lock file was not refreshed for this long crashed (proper-lockfile refreshes it every stale/2).
const STALE_MS = 30_000;

export type LockOutcome = { ok: true; release: () => Promise<void> } | { ok: false; message: string };

/** Seconds to wait for the lock, from the environment (a bad value is an error naming the variable). */
export function lockWaitSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[LOCK_WAIT_ENV];
  if (raw === undefined || raw === '') return DEFAULT_WAIT_SECONDS;
  const seconds = Number(raw);
  if (!(Number.isFinite(seconds) && seconds >= 0)) throw new Error(`${LOCK_WAIT_ENV} must be a number of seconds (0 or more), not "${raw}"`);
  return seconds;
}

async function lockPaths(stateDir: string): Promise<{ target: string; owner: string }> {
  // The same folder named two ways (a symbolic link, a relative path) must get the same lock.
  const canonical = await realpath(stateDir).catch(() => stateDir);
  const key = createHash('sha256').update(canonical).digest('hex').slice(0, 32);
  const dir = join(tmpdir(), 'fsx-onboard-locks');
  await mkdir(dir, { recursive: true });
  return { target: join(dir, key), owner: join(dir, `${key}.owner.json`) };
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

function describeOwner(owner: LockOwner | undefined): string {
  return owner ? `process ${owner.pid} (fsx-onboard ${owner.command}, since ${owner.since})` : 'another process (its owner file could not be read)';
}

/**
 * Takes the state folder's lock, waiting up to `waitSeconds` for the holder to finish; refused
 * after that with a message that names the folder and the holder.
 */
export async function lockStateDir(stateDir: string, command: string, waitSeconds: number): Promise<LockOutcome> {
  const paths = await lockPaths(stateDir);
  const deadline = Date.now() + waitSeconds * 1000;
  for (;;) {
    try {
      const unlock = await lockfile.lock(paths.target, {
        realpath: false,
        stale: STALE_MS,
        // The holder's event loop was blocked past the stale time and someone else took the lock: say so, do not crash.
        onCompromised: (error) => process.stderr.write(`fsx-onboard: the lock on ${stateDir} was lost while held (${error.message})\n`),
      });
      const owner: LockOwner = { pid: process.pid, command, stateDir, since: new Date().toISOString() };
      await writeFile(paths.owner, `${JSON.stringify(owner)}\n`);
      return {
        ok: true,
        release: async () => {
          await rm(paths.owner, { force: true });
          await unlock().catch(() => undefined);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
      if (Date.now() >= deadline) {
        const owner = await readOwner(paths.owner);
        return {
          ok: false,
          message:
            `fsx-onboard: the state folder ${stateDir} is in use by ${describeOwner(owner)}; waited ${waitSeconds} s. ` +
            `Nothing was changed. Run again when it has finished (or set ${LOCK_WAIT_ENV} to wait longer), or use another --state-dir.`,
        };
      }
      await sleep(POLL_MS);
    }
  }
}
