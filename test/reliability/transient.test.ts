import { describe, expect, it } from 'vitest';
import { freshSandbox, legacyExample, p2Example, run } from '../e2e/helpers.js';
import { underTransientFaults, withStop } from './scenarios.js';

describe('onboardings under transient faults', () => {
  // The sandbox answers before the SDK's retry middleware, so only the state machine's Retry
  // absorbs these: a stricter test than AWS, where the SDK retries each call first.
  it.each([1, 2, 3])('succeeds with 20 percent throttling on every call and ends like a clean run (seed %i)', async (seed) => {
    const outcome = await underTransientFaults(p2Example, seed);
    expect(outcome.problem).toBeUndefined();
    expect(outcome.diff).toEqual([]);
  });

  it.each([11])('succeeds for a legacy linked file system with 20 percent throttling (seed %i)', async (seed) => {
    const outcome = await underTransientFaults(legacyExample, seed);
    expect(outcome.problem).toBeUndefined();
    expect(outcome.diff).toEqual([]);
  });

  it('fails a step that is throttled forever with its own error in bounded simulated time', async () => {
    const sandbox = await freshSandbox();
    sandbox.faults = { permanent: { 'kms:CreateGrant': { code: 'ThrottlingException', message: 'Rate exceeded', httpStatusCode: 400 } } };
    const report = await run(withStop(p2Example), sandbox);
    expect(report.status).toBe('FAILED');
    expect(report.error).toBe('ThrottlingException');
    const grant = report.steps.find((s) => s.name === 'CreateGrant')!;
    // Retry gives up after its MaxAttempts: 1 try + 16 retries, backoff capped at 60 s.
    expect(grant.attempts).toBe(17);
    expect(grant.simulatedSeconds).toBeLessThan(15 * 60);
  });
});
