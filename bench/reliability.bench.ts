// `npm run bench:reliability [-- --runs N --rate R]`: the failure scenarios of issue 4 at full
// count, each on fresh in-memory sandboxes. Prints per scenario how many behaved as required,
// how many end states differ from the expected one (with the differences) and the time taken.
// Exits 1 if any scenario missed, so it can gate a release.
import { parseArgs } from 'node:util';
import { checkBadRequest, loadCorpus } from '../test/reliability/bad-requests.js';
import {
  crashThenRerun,
  mutatingSteps,
  rollbackAfterFailureAt,
  stopThenResume,
  stopThenRollback,
  underTransientFaults,
  type Outcome,
} from '../test/reliability/scenarios.js';
import { legacyExample, p2Example } from '../test/e2e/helpers.js';
import { forwardStepNames } from '../workflow/steps.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '200' }, rate: { type: 'string', default: '0.2' } } });
const runs = Number(values.runs);
const rate = Number(values.rate);
let missed = 0;

async function section(title: string, verb: string, scenarios: (() => Promise<Outcome>)[]): Promise<void> {
  const t0 = performance.now();
  const outcomes: Outcome[] = [];
  for (const scenario of scenarios) outcomes.push(await scenario());
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  const ok = outcomes.filter((o) => o.succeeded).length;
  const differing = outcomes.filter((o) => o.diff.length > 0);
  console.log(`${title}\n  ${ok}/${outcomes.length} ${verb}, ${differing.length} end states differ from the expected one, ${seconds} s`);
  for (const o of outcomes.filter((x) => !x.succeeded || x.diff.length)) {
    console.log(`  ✗ ${o.label}${o.problem ? `: ${o.problem}` : ''}`);
    for (const line of o.diff) console.log(`      ${line}`);
  }
  missed += outcomes.length - ok + differing.length;
}

console.log(`fsx-onboard reliability report — node ${process.version}, in-memory sandboxes, simulated time\n`);

// Every fourth run is the legacy example (SCRATCH_2, export task), the rest PERSISTENT_2 with a Lustre client.
const transient = Array.from({ length: runs }, (_, i) => () => underTransientFaults(i % 4 === 3 ? legacyExample : p2Example, i + 1, rate));
await section(
  `(a) ${runs} onboardings, ${rate * 100} % transient faults on every AWS call (seeds 1-${runs}), SDK retry then the state machine's Retry`,
  'succeeded',
  transient,
);

const rollbacks = [false, true].flatMap((adopt) => mutatingSteps.map((step) => () => rollbackAfterFailureAt(p2Example, step, { adopt })));
await section(
  `(b) permanent failure at each of ${mutatingSteps.length} mutating steps, onFailure "rollback" (created, then adopted file system)`,
  'failed at the step and rolled back to the state before the run',
  rollbacks,
);

await section(
  `(c) permanent failure at each mutating step, onFailure "stop", fault removed, resumed`,
  'resumed to the end state of a clean run',
  mutatingSteps.map((step) => () => stopThenResume(p2Example, step)),
);
await section(
  `(c') the same stopped runs undone by the rollback machine (fsx-onboard rollback)`,
  'rolled back to the state before the run',
  mutatingSteps.map((step) => () => stopThenRollback(p2Example, step)),
);

await section(
  `(d) Lambda crash after each of ${forwardStepNames.length} forward steps (Lambda.Unknown, retried), then re-run`,
  'converged to the end state of a clean run',
  forwardStepNames.map((step) => () => crashThenRerun(p2Example, step)),
);

const t0 = performance.now();
const corpus = loadCorpus();
const refusals = [];
for (const { file, expectation } of corpus) refusals.push(await checkBadRequest(file, expectation));
const good = refusals.filter((r) => r.refused && r.matched && r.diff.length === 0);
console.log(
  `(e) bad-request corpus (test/fixtures/bad-requests)\n  ${good.length}/${corpus.length} refused naming the field and the rule with no change, ${refusals.filter((r) => r.diff.length).length} changed the sandbox, ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);
for (const r of refusals.filter((x) => !good.includes(x))) {
  console.log(`  ✗ ${r.file}: ${r.refused ? `problems ${JSON.stringify(r.problems)}` : 'not refused'}`);
  for (const line of r.diff) console.log(`      ${line}`);
}
missed += corpus.length - good.length;

console.log(missed ? `\n${missed} scenario(s) missed.` : '\nAll scenarios held.');
process.exitCode = missed ? 1 : 0;
