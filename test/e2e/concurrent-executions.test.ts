// `fsx-onboard run a.json b.json`: several requests as concurrent executions in one sandbox.
// They take turns at every AWS call and Wait on one virtual clock (sandbox/scheduler.ts), so
// their calls interleave in CloudTrail; the schedule seed fixes the interleaving.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../cli/in-process-cli.js';
import { p2Example } from './helpers.js';

/** The example on another team's bucket (account 444…) and key (account 555…), so that both can succeed. */
function otherTeam(requestId = 'proteomics-2026-12'): Record<string, any> {
  const r = structuredClone(p2Example);
  r['requestId'] = requestId;
  r['fileSystem'].fileSystemPath = '/proteomics';
  r['bucket'] = { accountId: '444444444444', name: 'proteomics-raw-data', prefix: 'runs/' };
  r['key'] = { arn: 'arn:aws:kms:us-east-1:555555555555:key/7d3c2b1a-0f9e-4d8c-b7a6-958473625140' };
  r['testExport'].mountPath = '/fsx-proteomics';
  return r;
}

function setUp(): { stateDir: string; a: string; b: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fsx-onboard-concurrent-'));
  const a = join(dir, 'a.json');
  const b = join(dir, 'b.json');
  writeFileSync(a, JSON.stringify(p2Example));
  writeFileSync(b, JSON.stringify(otherTeam()));
  return { stateDir: join(dir, 'state'), a, b };
}

interface Trail {
  recipientAccountId: string;
  time: number;
  record: { eventName: string };
}

/** Whose event each CloudTrail event in the bucket and key accounts is, in the trail's order: g (genomics) or p (proteomics). */
function owners(stateDir: string): string {
  const trail = readFileSync(join(stateDir, 'sandbox-cloudtrail.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Trail);
  const owner: Record<string, string> = { '222222222222': 'g', '333333333333': 'g', '444444444444': 'p', '555555555555': 'p' };
  return trail.map((e) => owner[e.recipientAccountId] ?? '').join('');
}

type Runs = { runs: { executionName: string; status: string; metrics: Record<string, number>; steps: { name: string; simulatedSeconds: number }[] }[] };

async function runBoth(extra: string[] = []) {
  const { stateDir, a, b } = setUp();
  const result = await cli('--state-dir', stateDir, 'run', a, b, '--json', ...extra);
  return { ...result, stateDir, doc: JSON.parse(result.out) as Runs };
}

/** What must replay exactly for one seed: every run's metrics and steps but real time, and the trail's order. */
function replayable(r: Awaited<ReturnType<typeof runBoth>>) {
  return {
    runs: r.doc.runs.map((run) => ({
      status: run.status,
      metrics: { ...run.metrics, wallMs: 0 },
      steps: run.steps.map((s) => [s.name, s.simulatedSeconds]),
    })),
    trail: owners(r.stateDir),
  };
}

describe('concurrent executions in one sandbox', () => {
  it('run a.json b.json --json prints {"runs": [...]} with both, each the single-run document', { timeout: 60_000 }, async () => {
    const { code, doc } = await runBoth();
    expect(code).toBe(0);
    expect(Object.keys(doc)).toEqual(['runs']);
    expect(doc.runs.map((r) => [r.executionName, r.status])).toEqual([
      ['genomics-scratch-2026-11', 'SUCCEEDED'],
      ['proteomics-2026-12', 'SUCCEEDED'],
    ]);
    for (const run of doc.runs) expect(Object.keys(run)).toEqual(expect.arrayContaining(['executionName', 'machine', 'status', 'steps', 'outputs', 'metrics']));
  });

  it("interleaves the two executions' AWS calls in CloudTrail, and each still takes its own simulated time", { timeout: 60_000 }, async () => {
    const { doc, stateDir } = await runBoth();
    const order = owners(stateDir).replace(/[^gp]/g, '');
    // Run one after the other, the trail would read g…gp…p: one switch at most.
    const switches = [...order].filter((c, i) => i > 0 && c !== order[i - 1]).length;
    expect(switches).toBeGreaterThan(4);
    // Both ran through the same 20-odd minutes, not one after the other (~43 min).
    for (const run of doc.runs) expect(run.metrics['simulatedSeconds']).toBeLessThan(1800);
  });

  it('--concurrency 1 runs them one after the other', { timeout: 60_000 }, async () => {
    const { doc, stateDir } = await runBoth(['--concurrency', '1']);
    expect(doc.runs.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(owners(stateDir).replace(/[^gp]/g, '')).toMatch(/^g+p+$/);
  });

  it('replays the same interleaving and results for one seed; another seed can interleave otherwise', { timeout: 120_000 }, async () => {
    const first = replayable(await runBoth(['--schedule-seed', '3']));
    expect(replayable(await runBoth(['--schedule-seed', '3']))).toEqual(first);
    const others = [];
    for (const seed of ['4', '5', '6']) others.push(replayable(await runBoth(['--schedule-seed', seed])).trail);
    expect(others.some((trail) => trail !== first.trail)).toBe(true);
  });

  it('prints progress lines prefixed by request id, a summary per run and one for all; the exit code is the worst run', { timeout: 60_000 }, async () => {
    const { stateDir, a, b } = setUp();
    const { code, out } = await cli('--state-dir', stateDir, 'run', a, b, '--fail', 'kms:CreateGrant');
    expect(code).toBe(2);
    expect(out).toMatch(/^genomics-scratch-2026-11 │ \[.*\] ▸ ValidateRequest$/m);
    expect(out).toMatch(/^proteomics-2026-12 │ \[.*\] ▸ ValidateRequest$/m);
    expect(out).toContain('proteomics-2026-12 │ Execution proteomics-2026-12 (rollback): FAILED');
    expect(out).toContain('2 executions: 0 succeeded, 2 failed');
  });

  it('refuses them all, naming the file, when one is invalid or two share a requestId; nothing runs', async () => {
    const { stateDir, a } = setUp();
    const twin = join(stateDir, '..', 'twin.json');
    writeFileSync(twin, JSON.stringify({ ...otherTeam(), requestId: p2Example['requestId'] }));
    const refused = await cli('--state-dir', stateDir, 'run', a, twin, '--json');
    expect(refused.code).toBe(1);
    const doc = JSON.parse(refused.out) as { status: string; problems: { field: string; message: string }[] };
    expect(doc.status).toBe('REFUSED');
    expect(doc.problems[0]?.field).toBe(`${twin}: requestId`);
    expect(doc.problems[0]?.message).toContain(`is also the requestId of ${a}`);
    const bad = await cli('--state-dir', stateDir, 'run', a, join(stateDir, '..', 'missing.json'));
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('missing.json: (file)');
    const none = await cli('--state-dir', stateDir, 'run', a, a, '--concurrency', '0');
    expect(none.code).toBe(1);
    expect(none.err).toContain("option '--concurrency <n>' argument '0' is invalid. must be a whole number, 1 or more");
  });
});
