// Small helpers every step uses: which clients to act through, poll bookkeeping, AWS error
// names, and the tags that let a later run (or a compensation) find what this request made.
import type { ClientName, Clients, TargetRole } from './clients.js';
import { ErrorNames, OnboardingError } from '../../core/errors.js';
import { TAG_MANAGED_BY, TAG_REQUEST_ID } from '../../core/naming.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from './step-deps.js';
import { Steps, type PollSpec } from '../../workflow/steps.js';
import { nextPollWaitSeconds, type TypicalDuration } from '../../workflow/poll-schedule.js';
import { stepOutput, type OutputStepName } from '../../core/step-outputs.js';

/** Clients acting in the account that owns `role`'s resources (A, B or C). */
export function clientsFor<K extends ClientName>(input: StepInput, deps: StepDeps<K>, role: TargetRole): Clients<K> {
  return deps.clients.forTarget(role, input.context.accounts[role]);
}

/** True when `e` is an AWS (or own) error with one of these names. */
export function isErrorNamed(e: unknown, ...names: string[]): boolean {
  return e instanceof Error && names.includes(e.name);
}

/** What a poll step writes back of its count: `attempts`, after a redrive the redrive it belongs to, and when to check next. */
export type PollCounted = ({ attempts: number } | { attempts: number; redriveCount: number }) & { waitSeconds: number };

/**
 * Counts this poll and fails with PollTimedOut once the bound is reached without `done`.
 * A redrive re-runs the failed check with the input it had, whose last result holds the spent
 * count: the state passes `$$.Execution.RedriveCount` (poll.redriveCount), and a count written
 * under another redrive starts over, so every redrive gets the whole budget again.
 * `counted` waits the step's delay before the next check; `countedAfter` says when the awaited
 * work started, so the next check waits out its typical duration first (workflow/poll-schedule.ts).
 */
export function pollCount(
  input: StepInput,
  step: OutputStepName,
): {
  counted: PollCounted;
  countedAfter(elapsedSeconds: number | undefined, typical?: TypicalDuration): PollCounted;
  maxAttempts: number;
  giveUpIfNotDone(waitingFor: string): void;
} {
  const previous = stepOutput(input, step) as { attempts?: unknown; redriveCount?: unknown } | undefined;
  const redriveCount = input.poll?.redriveCount ?? 0;
  const previousRedrive = typeof previous?.redriveCount === 'number' ? previous.redriveCount : 0;
  const spent = previousRedrive === redriveCount && typeof previous?.attempts === 'number' ? previous.attempts : 0;
  const attempts = spent + 1;
  const spec: PollSpec | undefined = 'poll' in Steps[step] ? (Steps[step] as { poll: PollSpec }).poll : undefined;
  const maxAttempts = input.poll?.maxAttempts ?? spec?.maxAttempts ?? Number.POSITIVE_INFINITY;
  const delaySeconds = input.poll?.delaySeconds ?? spec?.delaySeconds ?? 0;
  // Before any redrive the count is as it always was: { attempts }.
  const count = redriveCount > 0 ? { attempts, redriveCount } : { attempts };
  const countedAfter = (elapsedSeconds: number | undefined, typical = spec?.typical): PollCounted => ({
    ...count,
    waitSeconds: nextPollWaitSeconds(delaySeconds, typical, elapsedSeconds),
  });
  return {
    counted: countedAfter(undefined),
    countedAfter,
    maxAttempts,
    giveUpIfNotDone(waitingFor: string) {
      if (attempts >= maxAttempts) {
        throw new OnboardingError(ErrorNames.PollTimedOut, `${step} gave up after ${attempts} checks waiting for ${waitingFor}`);
      }
    },
  };
}

/** Seconds since `startedAt` on `deps.now`'s clock (the clock FSx's CreationTime is on), or undefined when the time is unknown. */
export function secondsSince(startedAt: Date | string | number | undefined, deps: { now?: () => number }): number | undefined {
  const at = startedAt instanceof Date ? startedAt.getTime() : typeof startedAt === 'string' ? Date.parse(startedAt) : startedAt;
  if (at === undefined || !Number.isFinite(at)) return undefined;
  return Math.max(0, ((deps.now ?? Date.now)() - at) / 1000);
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
