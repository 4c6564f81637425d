// `npm run bench [-- --runs N --request FILE]`: N sandbox onboardings in one process, each on
// a fresh in-memory sandbox, after a warm-up. Prints per-onboarding wall time (median, p95)
// and the work each one did. A benchmark, not a test: it asserts nothing.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runLocally } from '../cli/local-runner.js';
import { Sandbox } from '../sandbox/index.js';

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

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function once(): Promise<{
  wallMs: number;
  metrics: { stateTransitions: number; lambdaInvocations: number; awsCalls: number; simulatedSeconds: number };
}> {
  const sandbox = await Sandbox.open({ inMemory: true });
  const t0 = performance.now();
  const result = await runLocally(request, { sandbox });
  const wallMs = performance.now() - t0;
  if (result.kind !== 'ran' || result.report.status !== 'SUCCEEDED') {
    throw new Error(
      `benchmark onboarding did not succeed: ${JSON.stringify(result.kind === 'ran' ? { error: result.report.error, cause: result.report.cause } : result.problems)}`,
    );
  }
  return { wallMs, metrics: result.report.metrics };
}

for (let i = 0; i < warmup; i++) await once();
const samples = [];
for (let i = 0; i < runs; i++) samples.push(await once());
const walls = samples.map((s) => s.wallMs).sort((a, b) => a - b);
const m = samples[0]!.metrics;
console.log(`fsx-onboard sandbox onboarding benchmark — ${values.request}, ${runs} runs after ${warmup} warm-up, node ${process.version}`);
console.log(
  `  wall ms per onboarding: median ${percentile(walls, 50).toFixed(1)}, p95 ${percentile(walls, 95).toFixed(1)}, min ${walls[0]!.toFixed(1)}, max ${walls.at(-1)!.toFixed(1)}`,
);
console.log(
  `  per onboarding: ${m.stateTransitions} state transitions, ${m.lambdaInvocations} Lambda invocations, ${m.awsCalls} AWS calls, ${(m.simulatedSeconds / 60).toFixed(1)} simulated minutes`,
);
