// Locally, a retry's pause costs simulated time as Step Functions would spend it: the retrier's
// interval, grown by its backoff and capped, and with JitterStrategy FULL a draw between 0 and
// that interval that differs between executions (so contenders that failed together spread out)
// and repeats exactly for the same execution.
import { describe, expect, it } from 'vitest';
import { retryDelaySeconds } from '../../cli/retry-clock.js';
import type { AslDefinition } from '../../workflow/render.js';

const definition = (jitter: 'FULL' | 'NONE'): AslDefinition =>
  ({
    StartAt: 'Edit',
    States: {
      Edit: {
        Type: 'Task',
        Resource: 'x',
        End: true,
        Retry: [{ ErrorEquals: ['ResourceLocked'], IntervalSeconds: 1, BackoffRate: 1.5, MaxDelaySeconds: 15, MaxAttempts: 30, JitterStrategy: jitter }],
      },
    },
  }) as unknown as AslDefinition;

describe('local retry pauses', () => {
  it('grow by the backoff rate up to MaxDelaySeconds without jitter', () => {
    const delays = [1, 2, 3, 10].map((attempt) => retryDelaySeconds(definition('NONE'), 'Edit', 'ResourceLocked', attempt, 'team-01'));
    expect(delays).toEqual([1, 1.5, 2.25, 15]);
  });

  it('with full jitter, draw between 0 and the interval, differently for each execution and the same for a repeat', () => {
    const draws = Array.from({ length: 50 }, (_, i) => retryDelaySeconds(definition('FULL'), 'Edit', 'ResourceLocked', 10, `team-${i}`));
    for (const d of draws) expect(d).toBeGreaterThanOrEqual(0);
    for (const d of draws) expect(d).toBeLessThan(15);
    // 50 contenders retrying the 10th time spread over the interval instead of all at 15 s.
    expect(new Set(draws.map((d) => Math.floor(d))).size).toBeGreaterThan(8);
    expect(retryDelaySeconds(definition('FULL'), 'Edit', 'ResourceLocked', 10, 'team-7')).toBe(draws[7]);
  });
});
