// An execution's history, read back as the steps of workflow/steps.ts: each Task state once,
// with its status, attempts (retries included) and checks (poll loops collapsed), and the
// execution's final error. Events carry a state name only on enter/exit, so every other
// event is attributed through its previousEventId chain, which keeps the two branches of
// the Parallel state apart even though their events interleave.
import { paginateGetExecutionHistory, type HistoryEvent } from '@aws-sdk/client-sfn';
import { rollbackPath, Steps, type StepName } from '../../workflow/steps.js';
import { explainAwsError, type AwsClients, type AwsOptions } from './clients.js';

type StepStatus = 'succeeded' | 'failed' | 'running' | 'stopped';

export interface HistoryStep {
  name: StepName;
  status: StepStatus;
  /** Lambda invocations, retries included. */
  attempts: number;
  /** Times the state was entered: the checks of a poll step's loop. */
  checks: number;
  error?: string;
  cause?: string;
  /** Errors retried on the way (a succeeded step can have some). */
  retriedErrors: string[];
  /** When the step last failed. */
  failedAt?: Date;
  /** A compensation of the rollback chain. */
  compensation: boolean;
}

export interface ParsedHistory {
  steps: HistoryStep[];
  /** Set once the execution has ended (FAILED, TIMED_OUT, ABORTED, SUCCEEDED). */
  ended?: string;
  error?: string;
  cause?: string;
  /** The Fail state the execution ended in (RolledBack, RollbackFailed), if any. */
  failState?: string;
  /** The step whose failure ended the run, or started its rollback. */
  failedStep?: HistoryStep;
  redrives: number;
}

const isStep = (name: string | undefined): name is StepName => !!name && name in Steps;
const compensations = new Set<string>(rollbackPath);

/** Every event, oldest first (GetExecutionHistory pages hold up to 1,000). */
export async function readHistory(clients: AwsClients, opts: AwsOptions, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  try {
    for await (const page of paginateGetExecutionHistory({ client: clients.sfn, pageSize: 1000 }, { executionArn, includeExecutionData: false })) {
      events.push(...(page.events ?? []));
    }
  } catch (e) {
    throw explainAwsError(e, 'states:GetExecutionHistory', opts);
  }
  return events;
}

/** The error details of a failed, timed-out or unstartable task, whichever the event has. */
function failureOf(e: HistoryEvent): { error?: string | undefined; cause?: string | undefined } | undefined {
  return (
    e.lambdaFunctionFailedEventDetails ??
    e.lambdaFunctionTimedOutEventDetails ??
    e.lambdaFunctionScheduleFailedEventDetails ??
    e.lambdaFunctionStartFailedEventDetails ??
    e.taskFailedEventDetails ??
    e.taskTimedOutEventDetails ??
    e.taskStartFailedEventDetails ??
    e.taskSubmitFailedEventDetails
  );
}

const SCHEDULED = new Set(['LambdaFunctionScheduled', 'TaskScheduled']);
const SUCCEEDED = new Set(['LambdaFunctionSucceeded', 'TaskSucceeded']);
const ENDED: Record<string, string> = {
  ExecutionSucceeded: 'SUCCEEDED',
  ExecutionFailed: 'FAILED',
  ExecutionAborted: 'ABORTED',
  ExecutionTimedOut: 'TIMED_OUT',
};

export function parseHistory(events: HistoryEvent[]): ParsedHistory {
  const stateOf = new Map<number, string>();
  const steps = new Map<StepName, HistoryStep>();
  const result: ParsedHistory = { steps: [], redrives: 0 };
  for (const e of events) {
    const type = e.type ?? '';
    const named = e.stateEnteredEventDetails?.name ?? e.stateExitedEventDetails?.name;
    const state = named ?? (e.previousEventId !== undefined ? stateOf.get(e.previousEventId) : undefined);
    if (state !== undefined && e.id !== undefined) stateOf.set(e.id, state);

    if (type === 'ExecutionRedriven') {
      result.redrives += 1;
      delete result.ended;
      delete result.error;
      delete result.cause;
      delete result.failState;
      continue;
    }
    if (type in ENDED) {
      result.ended = ENDED[type]!;
      const details = e.executionFailedEventDetails ?? e.executionAbortedEventDetails ?? e.executionTimedOutEventDetails;
      if (details?.error) result.error = details.error;
      if (details?.cause) result.cause = details.cause;
      continue;
    }
    if (type === 'FailStateEntered' && named) {
      result.failState = named;
      continue;
    }
    if (!isStep(state)) continue;
    let step = steps.get(state);
    if (!step) {
      step = { name: state, status: 'running', attempts: 0, checks: 0, retriedErrors: [], compensation: compensations.has(state) };
      steps.set(state, step);
    }
    if (type === 'TaskStateEntered') step.checks += 1;
    else if (SCHEDULED.has(type)) {
      // A new attempt after a failure: the failure was retried.
      if (step.status === 'failed' && step.error && !step.retriedErrors.includes(step.error)) step.retriedErrors.push(step.error);
      step.attempts += 1;
      step.status = 'running';
      delete step.error;
      delete step.cause;
    } else if (SUCCEEDED.has(type)) step.status = 'succeeded';
    else {
      const failure = failureOf(e);
      if (!failure) continue;
      step.status = 'failed';
      if (failure.error) step.error = failure.error;
      if (failure.cause) step.cause = failure.cause;
      if (e.timestamp) step.failedAt = e.timestamp;
    }
  }
  result.steps = [...steps.values()];
  // A step still running when the execution ended was cut off (the other Parallel branch failed, or an abort).
  if (result.ended) for (const s of result.steps) if (s.status === 'running') s.status = 'stopped';
  const failedStep = firstFailure(result.steps);
  if (failedStep) result.failedStep = failedStep;
  return result;
}

/** In a rollback, compensations run after the failure: the forward step that failed first is the cause. */
function firstFailure(steps: HistoryStep[]): HistoryStep | undefined {
  const failed = steps.filter((s) => s.status === 'failed');
  const byTime = (a: HistoryStep, b: HistoryStep) => (a.failedAt?.getTime() ?? 0) - (b.failedAt?.getTime() ?? 0);
  return [...failed.filter((s) => !s.compensation)].sort(byTime)[0] ?? [...failed].sort(byTime)[0];
}
