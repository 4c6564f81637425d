// Buckets and keys are shared: other teams' statements, the existing encryption and objects
// must come through an onboarding and its rollback exactly as they were (examples/seeds/other-teams.json).
import { describe, expect, it } from 'vitest';
import type { StepHandler } from '../../lambdas/shared/step-deps.js';
import { p2Example, run } from './helpers.js';
import { BUCKET, KEY_ARN, seededSandbox, shippedSeed } from './seeding.js';

const seed = shippedSeed('other-teams');
const seededBucket = seed.buckets![0]!;
const seededKey = seed.keys![0]!;
const othersIn = (policy: { Statement: { Sid?: string }[] } | null) => (policy?.Statement ?? []).filter((s) => !s.Sid?.startsWith('FsxOnboard'));

function world(sandbox: Awaited<ReturnType<typeof seededSandbox>>) {
  const snapshot = sandbox.snapshot();
  const bucket = snapshot.buckets.find((b) => b.name === BUCKET)!;
  const key = snapshot.keys.find((k) => k.arn === KEY_ARN)!;
  return { bucket, key, report: bucket.objects.find((o) => o.key === 'reports/2026-10.csv') };
}

describe("other teams' statements", () => {
  it('survive a successful onboarding and its rollback untouched', async () => {
    const sandbox = await seededSandbox(seed);
    const report = await run(p2Example, sandbox);
    expect(report.status, `${report.error}: ${report.cause}`).toBe('SUCCEEDED');
    const after = world(sandbox);
    // Our statements were added next to theirs, theirs kept in order and unchanged.
    expect(othersIn(after.bucket.policy)).toEqual(seededBucket.policy!.Statement);
    expect(othersIn(after.key.policy)).toEqual(seededKey.policy!.Statement);
    expect(after.report).toMatchObject({ sse: 'AES256', text: 'sample,reads\nNA12878,812345\n' });

    const rollback = await run(p2Example, sandbox, { machine: 'rollback-only' });
    expect(rollback.status, `${rollback.error}: ${rollback.cause}`).toBe('SUCCEEDED');
    sandbox.clock.advance(3600);
    const restored = world(sandbox);
    expect(restored.bucket.policy).toEqual(seededBucket.policy);
    expect(restored.key.policy).toEqual(seededKey.policy);
    // The explicit SSE-S3 configuration comes back as it was, not as "no configuration".
    expect(restored.bucket.encryption).toEqual({ sseAlgorithm: 'AES256', bucketKeyEnabled: false });
    expect(restored.report).toEqual(after.report);
  });

  it('survive a failed onboarding rolled back from its last step', async () => {
    const sandbox = await seededSandbox(seed);
    const broken: StepHandler = async () => {
      throw Object.assign(new Error('injected failure after every change was made'), { name: 'ExportNotLanded' });
    };
    const report = await run(p2Example, sandbox, { handlers: { VerifyExport: broken } });
    expect(report.status).toBe('FAILED');
    expect(report.cause).toMatch(/rolled back; left behind: \{\}/);
    sandbox.clock.advance(3600);
    const restored = world(sandbox);
    expect(restored.bucket.policy).toEqual(seededBucket.policy);
    expect(restored.key.policy).toEqual(seededKey.policy);
    expect(restored.key.grants).toEqual([]);
  });
});
