// The locks in a whole local run: the state machine passes each locking step its execution and
// state, the step takes and releases the document's lock in the orchestrator's table, and a lock
// another execution holds is waited out by the state's Retry on the virtual clock.
import { describe, expect, it } from 'vitest';
import { LOCK_LEASE_SECONDS } from '../../core/resource-locks.js';
import { ErrorNames } from '../../core/errors.js';
import { freshSandbox, p2Example, parsed, run } from './helpers.js';

describe('resource locks in a run', () => {
  it('takes and releases one lock per step that edits a shared document, as the orchestrator, and leaves none', async () => {
    const sandbox = await freshSandbox();
    const writes: { action: string; resource: string; account: string }[] = [];
    sandbox.sim.decisionObservers.push(({ caller, request }) => {
      if (request.action.startsWith('dynamodb:')) writes.push({ action: request.action, resource: request.resource, account: caller.account });
    });
    const report = await run(p2Example, sandbox);
    expect(report.status, `${report.error}: ${report.cause}`).toBe('SUCCEEDED');
    // PutBucketAccessPolicy, ShareKey, SetDefaultEncryption and NarrowBucketPolicy: one acquire and one release each attempt
    // (NarrowBucketPolicy may be retried while S3 does not know the just-created SLR yet).
    const lockingAttempts = report.steps
      .filter((s) => ['PutBucketAccessPolicy', 'ShareKey', 'SetDefaultEncryption', 'NarrowBucketPolicy'].includes(s.name))
      .reduce((sum, s) => sum + s.attempts, 0);
    expect(lockingAttempts).toBeGreaterThanOrEqual(4);
    expect(writes.filter((w) => w.action === 'dynamodb:PutItem')).toHaveLength(lockingAttempts);
    expect(writes.filter((w) => w.action === 'dynamodb:DeleteItem')).toHaveLength(lockingAttempts);
    expect(new Set(writes.map((w) => w.resource))).toEqual(
      new Set([`arn:aws:dynamodb:us-east-1:${sandbox.sim.state.sessions['AKIASANDBOXORCHESTR8']!.account}:table/fsx-onboard-locks`]),
    );
    expect(Object.values(sandbox.state.tables!).flatMap((t) => Object.keys(t.items))).toEqual([]);
  });

  it("waits out another execution's lock on the bucket policy through the state's Retry, then succeeds", async () => {
    const sandbox = await freshSandbox();
    const request = parsed(p2Example);
    sandbox.ensureWorldFor(request);
    const table = Object.values(sandbox.state.tables!)[0]!;
    const resource = `bucket-policy:arn:aws:s3:::${request.bucket.name}`;
    // Held by an execution that crashed mid-write: its lease runs out in 60 s, TTL would take days.
    table.items[resource] = {
      resource: { S: resource },
      owner: { S: 'arn:aws:states:us-east-1:111111111111:execution:fsx-onboard:crashed#PutBucketAccessPolicy' },
      expiresAt: { N: String(Math.floor(sandbox.clock.now() / 1000) + LOCK_LEASE_SECONDS) },
    };
    const report = await run(p2Example, sandbox);
    expect(report.status, `${report.error}: ${report.cause}`).toBe('SUCCEEDED');
    const step = report.steps.find((s) => s.name === 'PutBucketAccessPolicy')!;
    expect(step.lastError).toBe(ErrorNames.ResourceLocked);
    expect(step.attempts).toBeGreaterThan(1);
    // The retries waited (virtual time) until the lease ended, no longer.
    const waited = (step.endedAt!.simMs - step.startedAt!.simMs) / 1000;
    expect(waited).toBeGreaterThanOrEqual(LOCK_LEASE_SECONDS - 1);
    expect(waited).toBeLessThan(LOCK_LEASE_SECONDS + 20);
    expect(table.items[resource]).toBeUndefined();
  });
});
