import { describe, expect, it } from 'vitest';
import { freshSandbox, legacyExample, p2Example, run } from '../e2e/helpers.js';
import { attemptsWhenAlwaysThrottled, underTransientFaults, withStop } from './scenarios.js';

describe('onboardings under transient faults', () => {
  // As on AWS, the SDK retries each throttled call (3 attempts), then the state machine's Retry
  // retries the step.
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
    // Each invocation's SDK call is retried by the SDK (3 attempts), then the state machine's
    // Retry gives up after its MaxAttempts, backoff capped at 60 s.
    expect(grant.attempts).toBe(attemptsWhenAlwaysThrottled());
    expect(grant.simulatedSeconds).toBeLessThan(15 * 60);
  });
});
