// `npm run bench:scale [-- --count N --decades 10,100,1000]`: many onboardings of one account's
// file systems onto one bucket and one key, each a separate `fsx-onboard run` on one state
// folder (load, run, save), in both bucket.access modes. Prints, at each decade, the bucket and
// key policy bytes, the grants on the key, wall ms per onboarding over the decade and the state
// file size; in "service-linked-role" mode, where the policies grow with every onboarding, the
// refusal of the first request that would not fit (exit 1, nothing changed). Then --concurrent
// onboardings (default 50) at once in one `run`, on one bucket and key: how many succeeded and
// whether any statement, grant or reliance record was lost.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { main } from '../cli/main.js';
import type { WorldState } from '../sandbox/index.js';

const { values } = parseArgs({
  options: { count: { type: 'string', default: '1000' }, decades: { type: 'string' }, concurrent: { type: 'string', default: '50' } },
});
const count = Number(values.count);
const decades = (values.decades ?? '10,100,1000')
  .split(',')
  .map(Number)
  .filter((d) => d <= count);
if (!decades.includes(count)) decades.push(count);

const example = JSON.parse(readFileSync('examples/request.json', 'utf8')) as Record<string, any>;
type Access = 'service-linked-role' | 'file-systems-of-account';

/** The i-th team's request: its own file system, mounted at its own path on the one client. */
function requestFor(i: number, access: Access): Record<string, any> {
  const r = structuredClone(example);
  r['requestId'] = `team-${String(i).padStart(4, '0')}`;
  r['bucket'] = { ...r['bucket'], access };
  r['testExport'] = { ...r['testExport'], mountPath: `/fsx-${i}` };
  return r;
}

interface RunResult {
  code: number;
  status?: string;
  error?: string;
  cause?: string;
}

async function onboard(stateDir: string, request: Record<string, any>): Promise<RunResult> {
  const file = join(stateDir, 'request.json');
  writeFileSync(file, JSON.stringify(request));
  let out = '';
  const code = await main(['node', 'fsx-onboard', '--state-dir', stateDir, 'run', file, '--json'], { out: (t) => (out += t), err: (t) => (out += t) });
  const report = JSON.parse(out) as RunResult;
  return {
    code,
    ...(report.status ? { status: report.status } : {}),
    ...(report.error ? { error: report.error } : {}),
    ...(report.cause ? { cause: report.cause } : {}),
  };
}

function measure(stateDir: string) {
  const file = join(stateDir, 'sandbox.json');
  const world = JSON.parse(readFileSync(file, 'utf8')) as WorldState;
  const bucket = Object.values(world.buckets).find((b) => b.name === example['bucket'].name);
  const key = world.keys[example['key'].arn];
  return {
    bucketPolicyBytes: bucket?.policy ? Buffer.byteLength(JSON.stringify(bucket.policy)) : 0,
    keyPolicyBytes: key?.policy ? Buffer.byteLength(JSON.stringify(key.policy)) : 0,
    grants: key?.grants.length ?? 0,
    stateFileKiB: Math.round(statSync(file).size / 1024),
  };
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

async function mode(access: Access): Promise<void> {
  const stateDir = mkdtempSync(join(tmpdir(), 'fsx-onboard-scale-'));
  console.log(`\nbucket.access "${access}": ${count} onboardings, one after another, state in ${stateDir}`);
  console.log('  onboardings  bucket policy  key policy  grants  wall ms per onboarding  state file');
  let last = 0;
  let since = performance.now();
  for (let i = 1; i <= count; i++) {
    const result = await onboard(stateDir, requestFor(i, access));
    if (result.status !== 'SUCCEEDED') {
      const before = measure(stateDir);
      console.log(`  onboarding ${i}: exit ${result.code}, ${result.error ?? result.status}: ${result.cause}`);
      const after = measure(stateDir);
      const unchanged = JSON.stringify(before) === JSON.stringify(after);
      console.log(
        `  refused at ${i}: the world after it is ${unchanged ? 'unchanged' : 'CHANGED'} (${kib(after.bucketPolicyBytes)} bucket, ${kib(after.keyPolicyBytes)} key policy)`,
      );
      return;
    }
    if (decades.includes(i)) {
      const m = measure(stateDir);
      const perRun = (performance.now() - since) / (i - last);
      console.log(
        `  ${String(i).padStart(11)}  ${kib(m.bucketPolicyBytes).padStart(13)}  ${kib(m.keyPolicyBytes).padStart(10)}  ${String(m.grants).padStart(6)}  ${perRun.toFixed(0).padStart(22)}  ${`${m.stateFileKiB} KiB`.padStart(10)}`,
      );
      last = i;
      since = performance.now();
    }
  }
}

/** `concurrent` onboardings started together in one `fsx-onboard run`, on one bucket and key. */
async function concurrently(concurrent: number, access: Access): Promise<void> {
  const stateDir = mkdtempSync(join(tmpdir(), 'fsx-onboard-scale-concurrent-'));
  const files = Array.from({ length: concurrent }, (_, i) => {
    const file = join(stateDir, `request-${i + 1}.json`);
    writeFileSync(file, JSON.stringify(requestFor(i + 1, access)));
    return file;
  });
  let out = '';
  const t0 = performance.now();
  const code = await main(['node', 'fsx-onboard', '--state-dir', stateDir, 'run', ...files, '--concurrency', String(concurrent), '--json'], {
    out: (t) => (out += t),
    err: () => {},
  });
  const wallMs = performance.now() - t0;
  const runs = (JSON.parse(out) as { runs: { status: string; outputs: { serviceLinkedRoleArn?: string } }[] }).runs;
  const world = JSON.parse(readFileSync(join(stateDir, 'sandbox.json'), 'utf8')) as WorldState;
  const bucket = Object.values(world.buckets).find((b) => b.name === example['bucket'].name)!;
  const key = world.keys[example['key'].arn]!;
  const statements = (policy: unknown) => ((typeof policy === 'string' ? JSON.parse(policy) : policy) as { Statement: { Sid?: string }[] }).Statement;
  const bucketSids = new Set(statements(bucket.policy).map((s) => s.Sid));
  const keySids = new Set(statements(key.policy).map((s) => s.Sid));
  // What every succeeded run must have left: the shared statements, its grant and its reliance records.
  const succeeded = runs.filter((r) => r.status === 'SUCCEEDED');
  const grantees = new Set(key.grants.map((g) => g.granteePrincipal));
  const lostGrants = succeeded.filter((r) => !grantees.has(r.outputs.serviceLinkedRoleArn!)).length;
  const reliance = Object.values(world.parameters).filter((p) => p.name.startsWith('/fsx-onboard/shared/')).length;
  const ours = (sids: Set<string | undefined>) => [...sids].filter((s) => s?.startsWith('FsxOnboard')).length;
  console.log(`\n${concurrent} onboardings at once (bucket.access "${access}", one bucket and key, exit ${code}):`);
  console.log(`  succeeded ${succeeded.length}/${concurrent}; wall ${(wallMs / 1000).toFixed(1)} s`);
  console.log(`  bucket policy: ${ours(bucketSids)} fsx-onboard statements (expected 2); key policy: ${ours(keySids)} (expected 3)`);
  console.log(`  grants: ${key.grants.length} (lost: ${lostGrants}); reliance records: ${reliance} (expected ${2 * succeeded.length})`);
  const lost = 2 - ours(bucketSids) + (3 - ours(keySids)) + lostGrants + (2 * succeeded.length - reliance);
  console.log(`  lost statements, grants or records: ${lost}`);
}

console.log(`fsx-onboard scale report — node ${process.version}, the sandbox, one state folder per mode`);
await mode('file-systems-of-account');
await mode('service-linked-role');
await concurrently(Number(values.concurrent), 'file-systems-of-account');
