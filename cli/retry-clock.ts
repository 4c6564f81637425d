// Locally, retry pauses are skipped in real time but still cost simulated time: the pause
// the matching retrier would have taken advances the virtual clock. With JitterStrategy FULL,
// Step Functions waits a random time between 0 and the computed interval; locally the draw is
// a hash of the execution, state and attempt, so a run repeats exactly and contenders that
// failed together do not all retry at the same instant.
import { createHash } from 'node:crypto';
import type { AslDefinition } from '../workflow/render.js';

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
}

function findState(states: Record<string, Record<string, unknown>>, name: string): Record<string, unknown> | undefined {
  if (states[name]) return states[name];
  for (const state of Object.values(states)) {
    if (state['Type'] !== 'Parallel') continue;
    for (const branch of state['Branches'] as { States: Record<string, Record<string, unknown>> }[]) {
      const found = findState(branch.States, name);
      if (found) return found;
    }
  }
  return undefined;
}

/** A fraction in [0, 1) fixed by its inputs. */
function jitterFraction(...parts: (string | number)[]): number {
  return parseInt(createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 8), 16) / 2 ** 32;
}

/** Seconds before retry number `attempt` (1-based) of `stateName` after `errorName`, for the execution `executionName`. */
export function retryDelaySeconds(definition: AslDefinition, stateName: string, errorName: string, attempt: number, executionName = ''): number {
  const state = findState(definition.States as Record<string, Record<string, unknown>>, stateName);
  const retriers = (state?.['Retry'] as Retrier[] | undefined) ?? [];
  const retrier = retriers.find((r) => r.ErrorEquals.includes(errorName) || r.ErrorEquals.includes('States.ALL'));
  if (!retrier) return 0;
  const delay = Math.min(
    (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** Math.max(0, attempt - 1),
    retrier.MaxDelaySeconds ?? Number.POSITIVE_INFINITY,
  );
  return retrier.JitterStrategy === 'FULL' ? delay * jitterFraction(executionName, stateName, attempt) : delay;
}
