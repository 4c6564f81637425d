// Two CLI processes on one state folder: the second waits for the first's lock (no lost
// update), or, when it cannot wait long enough, is refused with a message naming the folder and
// the holder. Real child processes, as two terminals would run them.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCK_WAIT_ENV, lockStateDir } from '../../cli/state-lock.js';
import type { WorldState } from '../../sandbox/index.js';
import { p2Example } from '../e2e/helpers.js';

function fsxOnboard(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/fsx-onboard.js', ...args], { env: { ...process.env, NO_COLOR: '1', ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

/** The example on its own bucket and key (another team), so that both onboardings can succeed. */
function otherTeam(stateDir: string): string {
  const r = structuredClone(p2Example);
  r['requestId'] = 'proteomics-2026-12';
  r['fileSystem'].fileSystemPath = '/proteomics';
  r['bucket'] = { accountId: '444444444444', name: 'proteomics-raw-data', prefix: 'runs/' };
  r['key'] = { arn: 'arn:aws:kms:us-east-1:555555555555:key/7d3c2b1a-0f9e-4d8c-b7a6-958473625140' };
  r['testExport'].mountPath = '/fsx-proteomics';
  const file = join(stateDir, '..', 'proteomics.json');
  writeFileSync(file, JSON.stringify(r));
  return file;
}

describe('the state folder lock', () => {
  it('two processes running onboardings on one state folder both keep their work', { timeout: 120_000 }, async () => {
    const stateDir = join(mkdtempSync(join(tmpdir(), 'fsx-onboard-lock-')), 'state');
    const [first, second] = await Promise.all([
      fsxOnboard(['--state-dir', stateDir, 'run', 'examples/request.json', '--json']),
      fsxOnboard(['--state-dir', stateDir, 'run', otherTeam(stateDir), '--json']),
    ]);
    expect(first.code, first.err).toBe(0);
    expect(second.code, second.err).toBe(0);
    const world = JSON.parse(readFileSync(join(stateDir, 'sandbox.json'), 'utf8')) as WorldState;
    // Without the lock, the one that saved last would have written a world without the other's onboarding.
    expect(world.onboardings?.map((o) => o.bucket).sort()).toEqual(['222222222222', '444444444444']);
    expect(Object.values(world.fileSystems)).toHaveLength(2);
  });

  it('refuses the second process after its wait, naming the state folder and the holder', { timeout: 60_000 }, async () => {
    const stateDir = join(mkdtempSync(join(tmpdir(), 'fsx-onboard-lock-')), 'state');
    const held = await lockStateDir(stateDir, 'run', 0);
    if (!held.ok) throw new Error(held.message);
    try {
      const refused = await fsxOnboard(['--state-dir', stateDir, 'run', 'examples/request.json'], { [LOCK_WAIT_ENV]: '0.5' });
      expect(refused.code).toBe(1);
      expect(refused.err).toContain(`the state folder ${stateDir} is in use by process ${process.pid} (fsx-onboard run`);
      expect(refused.err).toContain('Nothing was changed');
      expect(refused.out).toBe('');
    } finally {
      await held.release();
    }
    // Released: the next process gets the lock at once.
    const after = await fsxOnboard(['--state-dir', stateDir, 'sandbox', 'reset'], { [LOCK_WAIT_ENV]: '0' });
    expect(after.code, after.err).toBe(0);
  });

  it('refuses a wait that is not a number of seconds, naming the variable', { timeout: 60_000 }, async () => {
    const stateDir = join(mkdtempSync(join(tmpdir(), 'fsx-onboard-lock-')), 'state');
    const refused = await fsxOnboard(['--state-dir', stateDir, 'sandbox', 'reset'], { [LOCK_WAIT_ENV]: 'soon' });
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`${LOCK_WAIT_ENV} must be a number of seconds`);
  });
});
