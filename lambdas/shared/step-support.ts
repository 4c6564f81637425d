// Small helpers every step uses: which clients to act through, poll bookkeeping, AWS error
// names, and the tags that let a later run (or a compensation) find what this request made.
import type { ClientName, Clients, TargetRole } from './clients.js';
import { ErrorNames, OnboardingError } from '../../core/errors.js';
import { TAG_MANAGED_BY, TAG_REQUEST_ID } from '../../core/naming.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from './step-deps.js';
import { Steps } from '../../workflow/steps.js';
import { stepOutput, type OutputStepName } from '../../core/step-outputs.js';

/** Clients acting in the account that owns `role`'s resources (A, B or C). */
export function clientsFor<K extends ClientName>(input: StepInput, deps: StepDeps<K>, role: TargetRole): Clients<K> {
  return deps.clients.forTarget(role, input.context.accounts[role]);
}

/** True when `e` is an AWS (or own) error with one of these names. */
export function isErrorNamed(e: unknown, ...names: string[]): boolean {
  return e instanceof Error && names.includes(e.name);
}

/** What a poll step writes back of its count: `attempts`, and after a redrive the redrive it belongs to. */
export type PollCounted = { attempts: number } | { attempts: number; redriveCount: number };

/**
 * Counts this poll and fails with PollTimedOut once the bound is reached without `done`.
 * A redrive re-runs the failed check with the input it had, whose last result holds the spent
 * count: the state passes `$$.Execution.RedriveCount` (poll.redriveCount), and a count written
 * under another redrive starts over, so every redrive gets the whole budget again.
 */
export function pollCount(input: StepInput, step: OutputStepName): { counted: PollCounted; maxAttempts: number; giveUpIfNotDone(waitingFor: string): void } {
  const previous = stepOutput(input, step) as { attempts?: unknown; redriveCount?: unknown } | undefined;
  const redriveCount = input.poll?.redriveCount ?? 0;
  const previousRedrive = typeof previous?.redriveCount === 'number' ? previous.redriveCount : 0;
  const spent = previousRedrive === redriveCount && typeof previous?.attempts === 'number' ? previous.attempts : 0;
  const attempts = spent + 1;
  const spec: { maxAttempts: number } | undefined = 'poll' in Steps[step] ? (Steps[step] as { poll: { maxAttempts: number } }).poll : undefined;
  const maxAttempts = input.poll?.maxAttempts ?? spec?.maxAttempts ?? Number.POSITIVE_INFINITY;
  return {
    // Before any redrive the result is as it always was: { attempts }.
    counted: redriveCount > 0 ? { attempts, redriveCount } : { attempts },
    maxAttempts,
    giveUpIfNotDone(waitingFor: string) {
      if (attempts >= maxAttempts) {
        throw new OnboardingError(ErrorNames.PollTimedOut, `${step} gave up after ${attempts} checks waiting for ${waitingFor}`);
      }
    },
  };
}

/** Tags every resource this request creates carries; the request id tag is how it is found again. */
export function resourceTags(input: StepInput): { Key: string; Value: string }[] {
  return [
    ...Object.entries(input.request.tags).map(([Key, Value]) => ({ Key, Value })),
    { Key: TAG_REQUEST_ID, Value: input.request.requestId },
    { Key: TAG_MANAGED_BY, Value: 'fsx-onboard' },
  ];
}

export function hasRequestTag(tags: { Key?: string | undefined; Value?: string | undefined }[] | undefined, requestId: string): boolean {
  return (tags ?? []).some((t) => t.Key === TAG_REQUEST_ID && t.Value === requestId);
}
