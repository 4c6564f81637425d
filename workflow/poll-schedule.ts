// When a poll checks again. A poll whose work has a typical duration waits that out before its
// second check (a check before it could only say "not yet" and costs a state transition each),
// then checks every `delaySeconds` while the work is within its typical range, and backs off
// past it, so a slow creation (a large import) costs few transitions and a bounded delay.

/** How long the awaited work typically takes, in seconds from its start. */
export interface TypicalDuration {
  min: number;
  max: number;
}

/** Past the typical maximum, the next check comes after this share of the overtime. */
const BACKOFF_SHARE_OF_OVERTIME = 0.25;
/** The longest pause between two checks: one lapse of it is the most a backoff can overshoot. */
export const MAX_POLL_WAIT_SECONDS = 300;

/**
 * Seconds until the next check, when the work started `elapsedSeconds` ago (undefined when the
 * poll cannot tell: then every `delaySeconds`). Whole seconds, as a Wait state's SecondsPath
 * requires.
 */
export function nextPollWaitSeconds(delaySeconds: number, typical: TypicalDuration | undefined, elapsedSeconds: number | undefined): number {
  if (!typical || elapsedSeconds === undefined || !Number.isFinite(elapsedSeconds)) return delaySeconds;
  if (elapsedSeconds < typical.min) return Math.max(1, Math.ceil(typical.min - elapsedSeconds));
  if (elapsedSeconds < typical.max) return delaySeconds;
  const backoff = Math.ceil((elapsedSeconds - typical.max) * BACKOFF_SHARE_OF_OVERTIME);
  return Math.min(MAX_POLL_WAIT_SECONDS, Math.max(delaySeconds, backoff));
}

/**
 * How long `maxAttempts` checks wait in all, from the start of the work to the last check,
 * when each check finds the work not done: the bound after which the poll gives up.
 */
export function pollBoundSeconds(delaySeconds: number, maxAttempts: number, typical: TypicalDuration | undefined): number {
  let elapsed = 0;
  for (let check = 1; check < maxAttempts; check++) elapsed += nextPollWaitSeconds(delaySeconds, typical, elapsed);
  return elapsed;
}
