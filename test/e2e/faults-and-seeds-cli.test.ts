// The fault options and seeds as a user reaches them: `fsx-onboard run` flags and
// `sandbox seed`, each run in its own state folder, judged from the JSON report and the
// sandbox state file the command leaves behind.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode, main } from '../../cli/main.js';
import type { WorldState } from '../../sandbox/index.js';
import { cloudTrailFileOf, readTrailFile, type TrailEvent } from '../../sandbox/trail-store.js';

/** The state file, with the CloudTrail events saved beside it. */
type SavedWorld = WorldState & { events: TrailEvent[] };

interface JsonReport {
  status: string;
  error?: string;
  cause?: string;
  steps: { name: string; status: string; attempts: number }[];
  metrics: { awsCalls: number; simulatedSeconds: number };
}

async function fsxOnboard(stateDir: string, ...args: string[]) {
  let out = '';
  let err = '';
  const code = await main(['node', 'fsx-onboard', '--state-dir', stateDir, ...args], { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

async function runJson(...flags: string[]) {
  const stateDir = mkdtempSync(join(tmpdir(), 'fsx-onboard-faults-'));
  const result = await fsxOnboard(stateDir, 'run', 'examples/request.json', '--json', ...flags);
  const stateFile = join(stateDir, 'sandbox.json');
  const world: SavedWorld = { ...(JSON.parse(readFileSync(stateFile, 'utf8')) as WorldState), events: readTrailFile(cloudTrailFileOf(stateFile)) };
  return { ...result, report: JSON.parse(result.out) as JsonReport, world, stateDir };
}

const attempts = (report: JsonReport, step: string) => report.steps.find((s) => s.name === step)?.attempts;
const errorCodes = (world: SavedWorld) => world.events.map((e) => e.record['errorCode']).filter((c): c is string => typeof c === 'string');

describe('fault options of `fsx-onboard run`', () => {
  it('--fault-rate with --fault-seed throttles calls, the retries succeed, and a seed replays exactly', async () => {
    const first = await runJson('--fault-rate', '0.1', '--fault-seed', '3');
    expect(first.code).toBe(ExitCode.Ok);
    expect(first.report.status).toBe('SUCCEEDED');
    expect(errorCodes(first.world)).toEqual(expect.arrayContaining([expect.stringMatching(/^(ThrottlingException|SlowDown|Throttling)$/)]));
    const again = await runJson('--fault-rate', '0.1', '--fault-seed', '3');
    expect(again.report.steps.map((s) => [s.name, s.attempts])).toEqual(first.report.steps.map((s) => [s.name, s.attempts]));
    expect(again.report.metrics.awsCalls).toBe(first.report.metrics.awsCalls);
  });

  it('--fail service:Operation fails that operation every time: the run fails at its step and rolls back', async () => {
    const { code, report, world } = await runJson('--fail', 'kms:CreateGrant');
    expect(code).toBe(ExitCode.ExecutionFailed);
    // KMS's own access-denied error, which CreateGrant explains as a key policy not letting account A grant.
    expect(report.error).toBe('KeyGrantNotAllowed');
    expect(report.cause).toContain('KMS said: injected permanent failure of kms:CreateGrant');
    expect(world.events.find((e) => /injected/.test(String(e.record['errorMessage'])))?.record['errorCode']).toBe('AccessDeniedException');
    // Only CreateGrant calls were refused by the injected fault, and never one that succeeded.
    const injected = world.events.filter((e) => /injected/.test(String(e.record['errorMessage']))).map((e) => String(e.record['eventName']));
    expect(new Set(injected)).toEqual(new Set(['CreateGrant']));
    expect(world.events.filter((e) => e.record['eventName'] === 'CreateGrant' && !e.record['errorCode'])).toEqual([]);
    expect(report.cause).toMatch(/injected permanent failure of kms:CreateGrant \| rolled back; left behind: \{\}/);
    expect(Object.values(world.keys)[0]!.grants).toEqual([]);
  });

  it('--timeout-in State times its Lambda out once; the retry finds no duplicate work to do', async () => {
    const { code, report, world } = await runJson('--timeout-in', 'CreateFileSystem');
    expect(code).toBe(ExitCode.Ok);
    expect(attempts(report, 'CreateFileSystem')).toBe(2);
    expect(Object.keys(world.fileSystems)).toHaveLength(1);
  });

  it('--crash-after State loses the result of work that was done; the retry finds the work done and does it once', async () => {
    const { code, report, world } = await runJson('--crash-after', 'CreateGrant');
    expect(code).toBe(ExitCode.Ok);
    expect(attempts(report, 'CreateGrant')).toBe(2);
    const kmsCalls = (name: string) =>
      world.events.filter((e) => e.recipientAccountId === '333333333333' && e.record['eventName'] === name && !e.record['errorCode']);
    // The grant was really created by the crashed attempt; the retry found it by name instead of adding one.
    expect(kmsCalls('CreateGrant')).toHaveLength(1);
    expect(kmsCalls('ListGrants').length).toBeGreaterThanOrEqual(2);
    expect(Object.values(world.keys)[0]!.grants).toHaveLength(1);
  });
});

describe('seeds from the command line', () => {
  it('`run --seed` loads the seed before running (missing bucket role: refused at ValidateRequest, exit 1)', async () => {
    const { code, report } = await runJson('--seed', 'examples/seeds/missing-bucket-role.json');
    expect(code).toBe(ExitCode.BadInput);
    expect(report.error).toBe('AccessDenied');
    expect(report.steps.map((s) => s.name)).toEqual(['ValidateRequest']);
  });

  it('`sandbox seed` refuses a seed that conflicts with the world, naming the conflict and changing nothing', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'fsx-onboard-seed-'));
    expect((await fsxOnboard(stateDir, 'sandbox', 'seed', 'examples/seeds/key-denies-fsx-slr.json')).code).toBe(ExitCode.Ok);
    const before = readFileSync(join(stateDir, 'sandbox.json'), 'utf8');
    const again = await fsxOnboard(stateDir, 'sandbox', 'seed', 'examples/seeds/key-denies-fsx-slr.json');
    expect(again).toMatchObject({ code: ExitCode.Ok, out: expect.stringMatching(/already there: key arn:aws:kms/) });
    const conflict = await fsxOnboard(stateDir, 'sandbox', 'seed', 'examples/seeds/asymmetric-key.json');
    expect(conflict.code).toBe(ExitCode.BadInput);
    expect(conflict.err).toMatch(/key arn:aws:kms:us-east-1:333333333333:key\/\S+ exists with a different keySpec, policy/);
    expect(readFileSync(join(stateDir, 'sandbox.json'), 'utf8')).toBe(before);
  });

  it('`sandbox seed` lists the problems of an invalid seed by field path', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'fsx-onboard-seed-'));
    const result = await fsxOnboard(stateDir, 'sandbox', 'seed', 'examples/request.json');
    expect(result.code).toBe(ExitCode.BadInput);
    expect(result.err).toMatch(/\(seed\): has unknown field\(s\) "requestId"/);
  });
});
