// `npm run bench [-- --runs N --request FILE]`: N sandbox onboardings in one process, each on
// a fresh in-memory sandbox, after a warm-up, in the deployed order and in the blog's
// sequential one. Prints per-onboarding wall time (median, p95), the work each one did, and its
// simulated time against the floor (what FSx itself spends) and against the sequential order.
// A benchmark, not a test: it asserts nothing.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runLocally } from '../cli/local-runner.js';
import type { RunReport } from '../cli/run-report.js';
import { Sandbox } from '../sandbox/index.js';
import { forwardPauses, type Segment } from '../workflow/steps.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '5' },
    request: { type: 'string', default: 'examples/request.json' },
  },
});
const runs = Number(values.runs);
const warmup = Number(values.warmup);
const request = JSON.parse(readFileSync(values.request, 'utf8')) as unknown;

/** The blog's procedure, one step after another: each waits for the one before it. */
const blogSequentialOrder: Segment[] = [
  {
    kind: 'sequence',
    steps: [
      'ValidateRequest',
      'CheckClientInstance',
      'PutBucketAccessPolicy',
      'ShareKey',
      'SetDefaultEncryption',
      'CreateFileSystem',
      'WaitForFileSystem',
      'CreateDataRepositoryAssociation',
      'WaitForDataRepositoryAssociation',
      'WaitForServiceLinkedRole',
      'NarrowBucketPolicy',
      'CreateGrant',
    ],
  },
  ...forwardPauses,
  { kind: 'sequence', steps: ['StartTestExport', 'WaitForTestExport', 'VerifyExport', 'RemoveTestExport'] },
];

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

type Metrics = Required<RunReport['metrics']>;

async function once(forwardPath?: Segment[]): Promise<{ wallMs: number; metrics: Metrics }> {
  const sandbox = await Sandbox.open({ inMemory: true });
  const t0 = performance.now();
  const result = await runLocally(request, { sandbox, ...(forwardPath ? { forwardPath } : {}) });
  const wallMs = performance.now() - t0;
  if (result.kind !== 'ran' || result.report.status !== 'SUCCEEDED') {
    throw new Error(
      `benchmark onboarding did not succeed: ${JSON.stringify(result.kind === 'ran' ? { error: result.report.error, cause: result.report.cause } : result.problems)}`,
    );
  }
  const { metrics } = result.report;
  if (metrics.floorSeconds === undefined) throw new Error('a succeeded sandbox run reported no floorSeconds');
  return { wallMs, metrics: { ...metrics, floorSeconds: metrics.floorSeconds } };
}

async function measure(forwardPath?: Segment[]): Promise<{ walls: number[]; metrics: Metrics }> {
  for (let i = 0; i < warmup; i++) await once(forwardPath);
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(await once(forwardPath));
  return { walls: samples.map((s) => s.wallMs).sort((a, b) => a - b), metrics: samples[0]!.metrics };
}

const deployed = await measure();
const sequential = await measure(blogSequentialOrder);

console.log(`fsx-onboard sandbox onboarding benchmark — ${values.request}, ${runs} runs of each order after ${warmup} warm-up, node ${process.version}`);
const minutes = (seconds: number) => `${(seconds / 60).toFixed(1)} min`;
for (const [name, { walls, metrics: m }] of [
  ['deployed order', deployed],
  ["blog's sequential order", sequential],
] as const) {
  const floor = m.floorSeconds;
  console.log(`  ${name}:`);
  console.log(
    `    wall ms per onboarding: median ${percentile(walls, 50).toFixed(1)}, p95 ${percentile(walls, 95).toFixed(1)}, min ${walls[0]!.toFixed(1)}, max ${walls.at(-1)!.toFixed(1)}`,
  );
  console.log(`    per onboarding: ${m.stateTransitions} state transitions, ${m.lambdaInvocations} Lambda invocations, ${m.awsCalls} AWS calls`);
  console.log(
    `    simulated: ${m.simulatedSeconds} s (${minutes(m.simulatedSeconds)}) against a floor of ${floor} s (${minutes(floor)}): ${(m.simulatedSeconds / floor).toFixed(3)}× the floor, ${m.simulatedSeconds - floor} s above it`,
  );
}
// The two orders' floors may differ: the sandbox models each association's creation time from
// its id, and ids follow the order of the calls. So compare time above the floor too.
const d = deployed.metrics;
const q = sequential.metrics;
const above = (m: Metrics) => m.simulatedSeconds - m.floorSeconds;
console.log(
  `  deployed / sequential: ${(d.simulatedSeconds / q.simulatedSeconds).toFixed(3)}× the simulated time, ${(d.simulatedSeconds / d.floorSeconds / (q.simulatedSeconds / q.floorSeconds)).toFixed(3)}× relative to each floor; ${above(d)} s / ${above(q)} s above the floor; ${d.stateTransitions} / ${q.stateTransitions} state transitions`,
);
