// Many executions editing one bucket policy, one key policy and one default encryption at the
// same moment, against one sandbox: the steps' SDK calls interleave between each read and its
// write. Without the locks, later writes are computed from stale reads: the re-read proof then
// finds statements lost (SharedDocumentChanged) and the writes are redone. With them no write is
// lost, and every statement is there at the end.
import { describe, expect, it } from 'vitest';
import { ErrorNames } from '../../core/errors.js';
import { namesFor } from '../../core/naming.js';
import { DEFAULT_LOCK_TABLE_NAME, LOCK_LEASE_SECONDS } from '../../core/resource-locks.js';
import type { StepInput } from '../../core/step-io.js';
import { keyStatementSids, parsePolicy } from '../../policy/documents.js';
import { stepHandlers } from '../../lambdas/registry.js';
import type { StepDeps } from '../../lambdas/shared/step-deps.js';
import { contextFor } from '../../lambdas/validate-request/validate-request.js';
import type { StepName } from '../../workflow/steps.js';
import { exampleRequest, world } from '../sandbox/world.js';

const COUNT = 20;
/** The state machine's retry of lock contention (workflow/retry-policy.ts): 30 attempts. */
const MAX_ATTEMPTS = 30;

type World = Awaited<ReturnType<typeof world>>;

function requests(count: number) {
  return Array.from({ length: count }, (_, i) => exampleRequest((raw) => (raw['requestId'] = `team-${String(i).padStart(2, '0')}-onboarding`)));
}

/** One execution's input to `state`, as the state machine passes it (the lock owner included). */
function inputOf(w: World, request: ReturnType<typeof exampleRequest>, state: StepName, steps: StepInput['steps'] = {}): StepInput {
  return {
    request,
    context: contextFor(request, w.factory),
    steps,
    lock: { execution: `arn:aws:states:us-east-1:111111111111:execution:fsx-onboard:${request.requestId}`, state },
  };
}

/** Runs the state's handler, retrying ResourceLocked and SharedDocumentChanged as its Retry does (virtual waits: none). */
async function runState(w: World, state: StepName, input: StepInput): Promise<{ errors: string[] }> {
  const deps: StepDeps = { clients: w.factory, now: () => w.sandbox.clock.now() };
  const errors: string[] = [];
  for (let attempt = 1; ; attempt++) {
    try {
      await stepHandlers[state](input, deps);
      return { errors };
    } catch (e) {
      errors.push((e as Error).name);
      const retried = (e as Error).name === ErrorNames.ResourceLocked || (e as Error).name === ErrorNames.SharedDocumentChanged;
      if (!retried || attempt >= MAX_ATTEMPTS) throw e;
      // The retry comes later: let the other executions' calls run first.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

async function sharedWorld() {
  const all = requests(COUNT);
  const w = await world(all[0]);
  for (const r of all) w.sandbox.ensureWorldFor(r);
  return { w, all };
}

const bucketSids = (w: World) => (parsePolicy(w.sandbox.state.buckets[w.request.bucket.name]!.policy).Statement ?? []).map((s) => s.Sid);
const keySids = (w: World) => parsePolicy(w.sandbox.state.keys[w.request.key.arn]!.policy).Statement.map((s) => s.Sid);
const lockItems = (w: World) => Object.values(w.sandbox.state.tables ?? {}).flatMap((t) => Object.keys(t.items));

describe('concurrent executions on one bucket and one key', () => {
  it(`keeps all ${COUNT} executions' bucket statements when PutBucketAccessPolicy runs for all of them at once`, async () => {
    const { w, all } = await sharedWorld();
    const runs = await Promise.all(all.map((r) => runState(w, 'PutBucketAccessPolicy', inputOf(w, r, 'PutBucketAccessPolicy'))));
    const sids = bucketSids(w);
    for (const r of all) {
      const names = namesFor(r.requestId);
      expect(sids).toContain(names.bucketAccessSid);
      expect(sids).toContain(names.bucketObjectAccessSid);
    }
    expect(sids).toHaveLength(2 * COUNT);
    // They did contend: some waited for the lock. No write was lost and redone (SharedDocumentChanged
    // is what the re-read proof raises when one was, as happens without the lock); every lock was released.
    const errors = runs.flatMap((r) => r.errors);
    expect(errors).toContain(ErrorNames.ResourceLocked);
    expect(errors).not.toContain(ErrorNames.SharedDocumentChanged);
    expect(lockItems(w)).toEqual([]);
  });

  it(`keeps all ${COUNT} executions' key statements when ShareKey runs for all of them at once`, async () => {
    const { w, all } = await sharedWorld();
    const runs = await Promise.all(all.map((r) => runState(w, 'ShareKey', inputOf(w, r, 'ShareKey'))));
    expect(runs.flatMap((r) => r.errors)).not.toContain(ErrorNames.SharedDocumentChanged);
    const sids = keySids(w);
    for (const r of all) for (const sid of keyStatementSids(namesFor(r.requestId))) expect(sids).toContain(sid);
    // KMS's default statement stays too.
    expect(sids).toContain('Enable IAM User Permissions');
    expect(lockItems(w)).toEqual([]);
  });

  it('rolls back half of them at once and keeps every statement of the other half, on the bucket and on the key', async () => {
    const { w, all } = await sharedWorld();
    await Promise.all(all.map((r) => runState(w, 'PutBucketAccessPolicy', inputOf(w, r, 'PutBucketAccessPolicy'))));
    await Promise.all(all.map((r) => runState(w, 'ShareKey', inputOf(w, r, 'ShareKey'))));
    const leaving = all.filter((_, i) => i % 2 === 0);
    const staying = all.filter((_, i) => i % 2 === 1);
    // Their rollbacks run at once, and a few onboardings still add their statements meanwhile.
    const runs = await Promise.all([
      ...leaving.map((r) => runState(w, 'RemoveBucketAccess', inputOf(w, r, 'RemoveBucketAccess'))),
      ...leaving.map((r) => runState(w, 'UnshareKey', inputOf(w, r, 'UnshareKey'))),
      ...staying.map((r) => runState(w, 'ShareKey', inputOf(w, r, 'ShareKey'))),
    ]);
    expect(runs.flatMap((r) => r.errors)).not.toContain(ErrorNames.SharedDocumentChanged);
    const bucket = bucketSids(w);
    const key = keySids(w);
    for (const r of staying) {
      const names = namesFor(r.requestId);
      expect(bucket).toEqual(expect.arrayContaining([names.bucketAccessSid, names.bucketObjectAccessSid]));
      expect(key).toEqual(expect.arrayContaining(keyStatementSids(names)));
    }
    for (const r of leaving) {
      const names = namesFor(r.requestId);
      expect(bucket).not.toContain(names.bucketAccessSid);
      expect(key).not.toContain(keyStatementSids(names)[0]);
    }
    expect(bucket).toHaveLength(2 * staying.length);
    expect(lockItems(w)).toEqual([]);
  });

  it('sets the default encryption for all of them at once, each with its own change record', async () => {
    const { w, all } = await sharedWorld();
    await Promise.all(all.map((r) => runState(w, 'SetDefaultEncryption', inputOf(w, r, 'SetDefaultEncryption'))));
    expect(w.sandbox.state.buckets[w.request.bucket.name]!.encryption).toMatchObject({ sseAlgorithm: 'aws:kms', kmsMasterKeyId: w.request.key.arn });
    const records = Object.values(w.sandbox.state.parameters).map((p) => JSON.parse(p.value) as { previous: unknown });
    expect(records).toHaveLength(COUNT);
    // Each read under the lock: only the first saw the bucket's own SSE-S3, the others SSE-KMS already.
    expect(records.filter((r) => !JSON.stringify(r.previous).includes('aws:kms'))).toHaveLength(1);
  });
});

describe('a lock another execution holds', () => {
  it('refuses with ResourceLocked naming the holder and its lease, and changes nothing', async () => {
    const { w, all } = await sharedWorld();
    const table = w.sandbox.state.tables![Object.keys(w.sandbox.state.tables!)[0]!]!;
    const resource = `bucket-policy:arn:aws:s3:::${w.request.bucket.name}`;
    const until = Math.floor(w.sandbox.clock.now() / 1000) + LOCK_LEASE_SECONDS;
    table.items[resource] = {
      resource: { S: resource },
      owner: { S: 'arn:aws:states:…:execution:fsx-onboard:other#NarrowBucketPolicy' },
      expiresAt: { N: String(until) },
    };
    const deps: StepDeps = { clients: w.factory, now: () => w.sandbox.clock.now() };
    await expect(stepHandlers.PutBucketAccessPolicy(inputOf(w, all[0]!, 'PutBucketAccessPolicy'), deps)).rejects.toMatchObject({
      name: ErrorNames.ResourceLocked,
      message: expect.stringContaining(
        `is being changed by arn:aws:states:…:execution:fsx-onboard:other#NarrowBucketPolicy (lease until ${new Date(until * 1000).toISOString()})`,
      ),
    });
    expect(w.sandbox.state.buckets[w.request.bucket.name]!.policy).toBeUndefined();
    expect(table.name).toBe(DEFAULT_LOCK_TABLE_NAME);
  });

  it('is taken over once its lease has ended, though TTL has not deleted the item yet (a crashed holder)', async () => {
    const { w, all } = await sharedWorld();
    const table = Object.values(w.sandbox.state.tables!)[0]!;
    const resource = `key-policy:${w.request.key.arn}`;
    const expired = Math.floor(w.sandbox.clock.now() / 1000) - 1;
    table.items[resource] = { resource: { S: resource }, owner: { S: 'crashed#ShareKey' }, expiresAt: { N: String(expired) } };
    const deps: StepDeps = { clients: w.factory, now: () => w.sandbox.clock.now() };
    await expect(stepHandlers.ShareKey(inputOf(w, all[0]!, 'ShareKey'), deps)).resolves.toMatchObject({ changed: true });
    expect(table.items[resource]).toBeUndefined();
  });
});
