// `status` and `diagnose` of a local execution: its record in the state folder, read as the
// same ExecutionView an AWS execution gives, so both print the same report. A local record
// keeps each state's attempts, failures and last error, not every event: a poll's checks are
// its successful invocations, and only the last retried error is known.
import { join } from 'node:path';
import { stateMachineNames, type MachineKey } from '../../infra/names.js';
import { rollbackPath, Steps, type StepName } from '../../workflow/steps.js';
import type { HistoryStep, ParsedHistory } from '../aws/history.js';
import type { ExecutionView } from '../aws/status.js';
import { loadExecutionRecord, type ExecutionRecord } from '../executions.js';

/** The deployed machine each local machine stands for. */
const MACHINE_OF: Record<string, MachineKey> = { rollback: 'rollbackOnFailure', stop: 'stopOnFailure', 'rollback-only': 'rollback' };

type RecordedStep = ExecutionRecord['report']['steps'][number] & { failures?: number; lastError?: string };

function historyStep(step: RecordedStep): HistoryStep | undefined {
  if (!(step.name in Steps)) return undefined;
  const name = step.name as StepName;
  const failures = step.failures ?? (step.status === 'failed' ? 1 : 0);
  const successes = Math.max(0, step.attempts - failures);
  // A failure followed by another attempt was retried; the last failure of a failed step was not.
  const retried = step.status === 'failed' ? failures - 1 : failures;
  const retriedError = step.lastError ?? step.error;
  return {
    name,
    // The record is written once the execution ended: a step still "running" was cut off.
    status: step.status === 'running' ? 'stopped' : step.status,
    attempts: step.attempts,
    checks: Steps[name].poll ? Math.max(1, successes + (step.status === 'failed' ? 1 : 0)) : 1,
    ...(step.error ? { error: step.error } : {}),
    ...(step.cause ? { cause: step.cause } : {}),
    retriedErrors: retried > 0 && retriedError ? [retriedError] : [],
    compensation: (rollbackPath as string[]).includes(name),
  };
}

function historyOf(record: ExecutionRecord): ParsedHistory {
  const steps = (record.report.steps as RecordedStep[]).flatMap((s) => historyStep(s) ?? []);
  const report = record.report;
  const history: ParsedHistory = { steps, ended: report.status, redrives: 0 };
  if (report.error) history.error = report.error;
  if (report.cause) history.cause = report.cause;
  // The rollback-on-failure machine ends a rolled-back run in its RolledBack Fail state, whose cause says so.
  if (report.status === 'FAILED' && report.machine === 'rollback' && /\| rolled back; left behind: /.test(report.cause ?? '')) history.failState = 'RolledBack';
  const failed = steps.filter((s) => s.status === 'failed');
  const failedStep = failed.find((s) => !s.compensation) ?? failed[0];
  if (failedStep) history.failedStep = failedStep;
  return history;
}

/** The local execution named `name` in `stateDir`, or undefined when the folder has no record of it. */
export async function localExecutionView(stateDir: string, name: string): Promise<ExecutionView | undefined> {
  const record = await loadExecutionRecord(stateDir, name);
  if (!record) return undefined;
  const machine = MACHINE_OF[record.report.machine];
  const history = historyOf(record);
  const region = (record.request as { region?: unknown } | null)?.region;
  return {
    executionArn: `sandbox:${join(stateDir, 'executions', `${name}.json`)}`,
    name: record.executionName,
    stateMachine: `${machine ? stateMachineNames[machine] : record.report.machine} (sandbox)`,
    ...(machine ? { machine } : {}),
    status: record.report.status,
    redriveCount: 0,
    ...(history.error ? { error: history.error } : {}),
    ...(history.cause ? { cause: history.cause } : {}),
    input: record.request,
    history,
    runtime: 'local',
    region: typeof region === 'string' ? region : 'us-east-1',
  };
}
