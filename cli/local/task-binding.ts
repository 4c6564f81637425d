// Binds each Task state to its handler as the interpreter calls it: the retry backoff the state
// machine would have waited is spent on the virtual clock, injected faults fire, and every
// invocation is recorded. Errors cross the boundary as Lambda reports them: name and message.
import type { StepHandler } from '../../lambdas/shared/step-deps.js';
import type { AslDefinition } from '../../workflow/render.js';
import { allStepNames, functionTimeoutSeconds, type StepName } from '../../workflow/steps.js';
import { retryDelaySeconds } from '../retry-clock.js';
import type { StepRecords } from './step-records.js';

export interface TaskBindingOptions {
  definition: AslDefinition;
  clock: { now(): number };
  /** Each task start is a turn (a Wait before it takes effect there); retry pauses and injected timeouts suspend the task's process. */
  scheduler: { sleep(ms: number): Promise<void> };
  // biome-ignore lint/suspicious/noExplicitAny: each handler has its own output type
  handlers: Record<StepName, StepHandler<any>>;
  deps: Parameters<StepHandler>[1];
  records: StepRecords;
  /** These states' functions time out on their first attempt, before doing anything (Sandbox.Timedout, as Lambda reports it; retried). */
  lambdaTimeoutIn?: readonly StepName[] | undefined;
  /** These states do their work, then their Lambda crashes on the first attempt (Lambda.Unknown; the retry finds the work done). */
  crashAfter?: readonly StepName[] | undefined;
}

export interface BoundTasks {
  handlers: Record<string, (input: unknown) => Promise<never>>;
  invocations(): number;
  /** The result of the step's latest successful attempt (a poll's pause reads its waitSeconds). */
  lastOutput(name: StepName): unknown;
}

export function bindTasks(options: TaskBindingOptions): BoundTasks {
  const { clock, records, scheduler } = options;
  const lastError = new Map<string, string>();
  const timeoutsLeft = new Set(options.lambdaTimeoutIn ?? []);
  const crashesLeft = new Set(options.crashAfter ?? []);
  let invocations = 0;
  const lastOutputs = new Map<StepName, unknown>();

  const bind = (name: StepName) => async (input: unknown) => {
    const step = options.handlers[name];
    const record = records.of(name);
    const previousError = lastError.get(name);
    const executionName = (input as { request?: { requestId?: unknown } }).request?.requestId;
    const pause = previousError ? retryDelaySeconds(options.definition, name, previousError, record.failures ?? 1, String(executionName ?? '')) : 0;
    await scheduler.sleep(pause * 1000);
    lastError.delete(name);
    invocations += 1;
    record.attempts += 1;
    const wallStart = performance.now();
    const simStart = clock.now();
    if (!record.startedAt) {
      record.startedAt = { wallMs: wallStart, simMs: simStart };
      records.started(name);
    }
    try {
      if (timeoutsLeft.delete(name)) {
        // The function's own timeout fires first (it is below the state's TimeoutSeconds).
        await scheduler.sleep(functionTimeoutSeconds(name) * 1000);
        throw Object.assign(new Error(`${name}: Task timed out after ${functionTimeoutSeconds(name)}.00 seconds (injected)`), { name: 'Sandbox.Timedout' });
      }
      const output = await step(input as Parameters<StepHandler>[0], options.deps);
      if (crashesLeft.delete(name)) {
        throw Object.assign(new Error(`${name}'s Lambda crashed after doing its work (injected): its result was lost`), { name: 'Lambda.Unknown' });
      }
      lastOutputs.set(name, output);
      return output as never;
    } catch (error) {
      const errorName = error instanceof Error ? error.name : 'Error';
      lastError.set(name, errorName);
      record.failures = (record.failures ?? 0) + 1;
      record.lastError = errorName;
      record.lastCause = error instanceof Error ? error.message : String(error);
      // Lambda reports only errorType and errorMessage to Step Functions; pass on the same, so
      // that the interpreter (which prefers an Error's `cause`) shows the message as AWS would.
      throw Object.assign(new Error(record.lastCause), { name: errorName });
    } finally {
      record.durationMs += performance.now() - wallStart;
      record.simulatedSeconds += (clock.now() - simStart) / 1000;
      record.endedAt = { wallMs: performance.now(), simMs: clock.now() };
    }
  };

  return {
    handlers: Object.fromEntries(allStepNames.map((name) => [name, bind(name)])),
    invocations: () => invocations,
    lastOutput: (name) => lastOutputs.get(name),
  };
}
