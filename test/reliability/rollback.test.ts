import { describe, expect, it } from 'vitest';
import { stepHandlers } from '../../lambdas/registry.js';
import { namesFor } from '../../core/naming.js';
import type { OnboardingRequest } from '../../core/request.js';
import type { StepHandler } from '../../lambdas/shared/step-deps.js';
import type { Sandbox } from '../../sandbox/index.js';
import { freshSandbox, p2Example, parsed, run } from '../e2e/helpers.js';
import { attemptsWhenAlwaysThrottled, failWhileRunning, mutatingSteps, rollbackAfterFailureAt, SETTLE_SECONDS, withStop } from './scenarios.js';
import { endState } from './world-state.js';

type Statement = { Sid: string } & Record<string, unknown>;

/** What another team's PutBucketPolicy / PutKeyPolicy leaves while the onboarding runs. */
function addOtherTeamsStatements(sandbox: Sandbox, request: OnboardingRequest): { bucket: Statement; key: Statement } {
  const bucket = sandbox.sim.state.buckets[request.bucket.name]!;
  const key = sandbox.sim.state.keys[request.key.arn]!;
  const bucketStatement = {
    Sid: 'AnalyticsTeamRead',
    Effect: 'Allow',
    Principal: { AWS: 'arn:aws:iam::444444444444:root' },
    Action: 's3:GetObject',
    Resource: `arn:aws:s3:::${request.bucket.name}/analytics/*`,
  };
  const keyStatement = {
    Sid: 'AnalyticsTeamDecrypt',
    Effect: 'Allow',
    Principal: { AWS: 'arn:aws:iam::444444444444:root' },
    Action: 'kms:Decrypt',
    Resource: '*',
  };
  const bucketPolicy = bucket.policy ? JSON.parse(bucket.policy) : { Version: '2012-10-17', Statement: [] };
  bucket.policy = JSON.stringify({ ...bucketPolicy, Statement: [...bucketPolicy.Statement, bucketStatement] });
  const keyPolicy = JSON.parse(key.policy);
  key.policy = JSON.stringify({ ...keyPolicy, Statement: [...keyPolicy.Statement, keyStatement] });
  return { bucket: bucketStatement, key: keyStatement };
}

describe('rollback after a permanent failure', () => {
  it.each(mutatingSteps)('leaves the accounts exactly as before when %s fails', async (step) => {
    const outcome = await rollbackAfterFailureAt(p2Example, step);
    expect(outcome.problem).toBeUndefined();
    expect(outcome.diff).toEqual([]);
  });

  it.each(mutatingSteps)('never deletes an adopted file system when %s fails', async (step) => {
    const outcome = await rollbackAfterFailureAt(p2Example, step, { adopt: true });
    expect(outcome.problem).toBeUndefined();
    expect(outcome.diff).toEqual([]);
  });

  it('keeps the statements another team added to the bucket and key policies during the run', async () => {
    const sandbox = await freshSandbox();
    const request = parsed(p2Example);
    await sandbox.ensureWorldFor(request);
    const before = endState(sandbox, request);
    let added: { bucket: Statement; key: Statement } | undefined;
    // Both policies already hold this request's statements when the other team edits them.
    const narrowAfterOthers: StepHandler<any> = async (input, deps) => {
      // Once, though the step may be retried (S3 may not know the just-created SLR yet).
      added ??= addOtherTeamsStatements(sandbox, request);
      return stepHandlers.NarrowBucketPolicy(input, deps);
    };
    const report = await run(p2Example, sandbox, {
      handlers: { NarrowBucketPolicy: narrowAfterOthers, ...failWhileRunning(sandbox, 'CreateGrant', 'kms:CreateGrant') },
    });
    sandbox.clock.advance(SETTLE_SECONDS);
    expect(report.error).toBe('AccessDenied');
    expect(report.cause).toMatch(/left behind: \{\}$/);
    const after = endState(sandbox, request);
    expect(after.bucketPolicy).toEqual({ Version: '2012-10-17', Statement: [added!.bucket] });
    expect(after.keyPolicy).toEqual({ ...before.keyPolicy, Statement: [...before.keyPolicy.Statement, added!.key] });
    expect({ ...after, bucketPolicy: null, keyPolicy: null }).toEqual({ ...before, bucketPolicy: null, keyPolicy: null });
  });

  it('retries a compensation that keeps failing, then names what it left behind', async () => {
    const sandbox = await freshSandbox();
    const request = parsed(p2Example);
    // From CreateGrant on, the key policy cannot be written: UnshareKey will be throttled forever.
    const grantThenLockKey: StepHandler<any> = async () => {
      sandbox.faults = { permanent: { 'kms:PutKeyPolicy': { code: 'ThrottlingException', message: 'Rate exceeded', httpStatusCode: 400 } } };
      throw Object.assign(new Error('injected permanent failure'), { name: 'AccessDenied' });
    };
    const report = await run(p2Example, sandbox, { handlers: { CreateGrant: grantThenLockKey } });
    expect(report.status).toBe('FAILED');
    expect(report.error).toBe('AccessDenied');
    expect(report.cause).toMatch(/left behind: \{.*"UnshareKey".*ThrottlingException/);
    expect(report.steps.find((s) => s.name === 'UnshareKey')!.attempts).toBe(attemptsWhenAlwaysThrottled());
    // The other compensations still ran: only the key statement is left.
    sandbox.faults = {};
    sandbox.clock.advance(SETTLE_SECONDS);
    const after = endState(sandbox, request);
    expect(after.fileSystems).toEqual([]);
    expect(after.bucketPolicy).toBeNull();
    const keyUseSid = namesFor(request.requestId).keyUseSid;
    expect(after.keyPolicy.Statement.map((s: Statement) => s.Sid)).toContain(keyUseSid);
    // The on-demand rollback finishes the job once the cause is gone.
    const undone = await run(withStop(p2Example), sandbox, { machine: 'rollback-only' });
    expect(undone.status).toBe('SUCCEEDED');
    expect(endState(sandbox, request).keyPolicy.Statement.map((s: Statement) => s.Sid)).not.toContain(keyUseSid);
  });
});
