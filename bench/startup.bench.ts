// `npm run bench:startup [-- --runs N --warmup N]`: how long `fsx-onboard` takes to start, as a
// ratio to a bare `node -e 0` on the same machine. Each round runs the three commands once,
// in an order that rotates from round to round, so a drift in the machine's speed weighs on
// all of them alike; the ratios are taken within a round and their median is printed. A
// benchmark, not a test: it asserts nothing, and prints the goals of issue 10 beside the
// figures (`--help` at most 5x, `validate` at most 8x).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '21' },
    warmup: { type: 'string', default: '2' },
  },
});
const runs = Number(values.runs);
const warmup = Number(values.warmup);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'fsx-onboard.js');

interface Subject {
  label: string;
  args: string[];
  /** The goal for its ratio to a bare start; none for the baseline. */
  goal?: number;
}
const baseline: Subject = { label: 'node -e 0', args: ['-e', '0'] };
const subjects: Subject[] = [
  { label: 'fsx-onboard --help', args: [bin, '--help'], goal: 5 },
  { label: 'fsx-onboard validate examples/request.json', args: [bin, 'validate', 'examples/request.json'], goal: 8 },
];

/** Wall time of one process, start to exit, in milliseconds; throws on a failed or slow-path start. */
function timeOnce(subject: Subject): number {
  const t0 = performance.now();
  const run = spawnSync(process.execPath, subject.args, { cwd: root, encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (run.status !== 0) throw new Error(`${subject.label} exited ${run.status}: ${run.stderr}`);
  // The bin falls back to the TypeScript sources when dist/ is stale: that is not the start-up to measure.
  if (run.stderr.includes('through tsx')) throw new Error(`${subject.label} did not run dist/ (${run.stderr.trim()}); run \`npm run build\` first`);
  return ms;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

const all = [baseline, ...subjects];
for (let i = 0; i < warmup; i++) for (const s of all) timeOnce(s);

const times = new Map<Subject, number[]>(all.map((s) => [s, []]));
const ratios = new Map<Subject, number[]>(subjects.map((s) => [s, []]));
for (let round = 0; round < runs; round++) {
  const order = all.map((_, i) => all[(i + round) % all.length]!);
  const inRound = new Map(order.map((s) => [s, timeOnce(s)] as const));
  for (const [s, ms] of inRound) times.get(s)!.push(ms);
  for (const s of subjects) ratios.get(s)!.push(inRound.get(s)! / inRound.get(baseline)!);
}

console.log(`Start-up, ${runs} rounds after ${warmup} of warm-up (Node ${process.version}, ${process.platform}/${process.arch}):`);
console.log(`  ${baseline.label.padEnd(44)} median ${median(times.get(baseline)!).toFixed(0).padStart(5)} ms`);
for (const s of subjects) {
  const ratio = median(ratios.get(s)!);
  const verdict = ratio <= s.goal! ? 'within' : 'OVER';
  console.log(
    `  ${s.label.padEnd(44)} median ${median(times.get(s)!).toFixed(0).padStart(5)} ms   ratio ${ratio.toFixed(2)}x (median of ${runs} paired)   goal <= ${s.goal}x: ${verdict}`,
  );
}
