// Locally, retry pauses are skipped in real time but still cost simulated time: the pause
// the matching retrier would have taken (without jitter) advances the virtual clock.
import type { AslDefinition } from '../workflow/render.js';

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
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

/** Seconds before retry number `attempt` (1-based) of `stateName` after `errorName`. */
export function retryDelaySeconds(definition: AslDefinition, stateName: string, errorName: string, attempt: number): number {
  const state = findState(definition.States as Record<string, Record<string, unknown>>, stateName);
  const retriers = (state?.['Retry'] as Retrier[] | undefined) ?? [];
  const retrier = retriers.find((r) => r.ErrorEquals.includes(errorName) || r.ErrorEquals.includes('States.ALL'));
  if (!retrier) return 0;
  const delay = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** Math.max(0, attempt - 1);
  return Math.min(delay, retrier.MaxDelaySeconds ?? Number.POSITIVE_INFINITY);
}
