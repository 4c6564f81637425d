// `status`: an execution step by step. The facts come from where the execution lives — on AWS
// DescribeExecution and its history, locally the execution record (cli/local/status-source.ts) —
// and are read the same way, so both print the same report.
import { changeRecordParameter } from '../../core/naming.js';
import type { MachineKey } from '../../infra/names.js';
import { Steps, type StepName, type TaskStep } from '../../workflow/steps.js';
import type { AwsClients, AwsOptions } from './clients.js';
import { nextMove, type Runtime } from './fixes.js';
import { parseHistory, readHistory, type HistoryStep, type ParsedHistory } from './history.js';
import { findExecution, machineKeyOf, machineNameOf } from './machines.js';
import { redriveRefusal } from './redrive.js';

/** One execution as `status` and `diagnose` read it, wherever it ran. */
export interface ExecutionView {
  executionArn: string;
  name: string;
  stateMachine: string;
  machine?: MachineKey;
  status: string;
  startDate?: Date;
  stopDate?: Date;
  redriveCount: number;
  error?: string;
  cause?: string;
  /** The request document it ran with, when known. */
  input?: unknown;
  history: ParsedHistory;
  runtime: Runtime;
  region: string;
  /** AWS: why a redrive would be refused, if it would. */
  redriveRefusal?: string;
}

/** A change a forward step made that no compensation of this execution undid. */
interface LeftInPlace {
  step: StepName;
  /** The compensation that undoes it (`rollback` runs it). */
  undoneBy: string;
}

export interface StatusReport {
  executionArn: string;
  name: string;
  stateMachine: string;
  status: string;
  startDate?: string;
  stopDate?: string;
  redriveCount: number;
  error?: string;
  cause?: string;
  /** The Fail state it ended in (RolledBack: failed and rolled back). */
  failState?: string;
  failedStep?: string;
  steps: (Omit<HistoryStep, 'failedAt' | 'compensation'> & { compensation: boolean })[];
  /**
   * Aborted or timed out: Step Functions runs no Catch then, so no rollback happened, whatever
   * onFailure says. What the run changed is still there, with the encryption change record.
   */
  interrupted?: { how: 'aborted' | 'timed out'; leftInPlace: LeftInPlace[]; changeRecord?: string };
  next?: string;
}

/** Forward steps that succeeded and changed something, minus those whose compensation succeeded. */
function leftInPlace(steps: HistoryStep[]): LeftInPlace[] {
  const succeeded = new Set(steps.filter((s) => s.status === 'succeeded').map((s) => s.name as string));
  return steps
    .filter((s) => !s.compensation && s.status === 'succeeded')
    .flatMap((s) => {
      const compensation = (Steps[s.name] as TaskStep).compensation;
      return compensation && !succeeded.has(compensation) ? [{ step: s.name, undoneBy: compensation }] : [];
    });
}

const INTERRUPTED: Record<string, 'aborted' | 'timed out'> = { ABORTED: 'aborted', TIMED_OUT: 'timed out' };

export function statusOf(view: ExecutionView): StatusReport {
  const { history, status } = view;
  const how = INTERRUPTED[status];
  let interrupted: StatusReport['interrupted'];
  if (how) {
    const left = leftInPlace(history.steps);
    const input = view.input as { requestId?: unknown; bucket?: { name?: unknown } } | undefined;
    const [requestId, bucket] = [input?.requestId, input?.bucket?.name];
    const record =
      left.some((l) => l.step === 'SetDefaultEncryption') && typeof requestId === 'string' && typeof bucket === 'string'
        ? changeRecordParameter(requestId, bucket)
        : undefined;
    interrupted = { how, leftInPlace: left, ...(record ? { changeRecord: record } : {}) };
  }
  let next: string | undefined;
  if (status !== 'SUCCEEDED' && status !== 'RUNNING' && status !== 'PENDING_REDRIVE') {
    const situation = { name: view.name, region: view.region, runtime: view.runtime, status, ...(view.machine ? { machine: view.machine } : {}) };
    const then = view.redriveRefusal ?? nextMove(situation);
    next = then.includes('fsx-onboard diagnose') ? then : `Find the cause: fsx-onboard diagnose ${view.name}. ${then}`;
  }
  return {
    executionArn: view.executionArn,
    name: view.name,
    stateMachine: view.stateMachine,
    status,
    ...(view.startDate ? { startDate: view.startDate.toISOString() } : {}),
    ...(view.stopDate ? { stopDate: view.stopDate.toISOString() } : {}),
    redriveCount: view.redriveCount,
    ...(view.error ? { error: view.error } : {}),
    ...(view.cause ? { cause: view.cause } : {}),
    ...(history.failState ? { failState: history.failState } : {}),
    ...(history.failedStep ? { failedStep: history.failedStep.name } : {}),
    steps: history.steps.map(({ failedAt: _failedAt, ...step }) => step),
    ...(interrupted ? { interrupted } : {}),
    ...(next ? { next } : {}),
  };
}

/** An execution on AWS, by name or ARN: DescribeExecution and every page of its history. */
export async function awsExecutionView(clients: AwsClients, opts: AwsOptions, ref: string): Promise<ExecutionView> {
  const execution = await findExecution(clients, opts, ref);
  const history = parseHistory(await readHistory(clients, opts, execution.executionArn));
  const machine = machineKeyOf(execution.stateMachineArn);
  const error = execution.error ?? history.error;
  const cause = execution.cause ?? history.cause;
  const refusal = redriveRefusal(execution, history);
  return {
    executionArn: execution.executionArn,
    name: execution.name,
    stateMachine: machineNameOf(execution.stateMachineArn),
    ...(machine ? { machine } : {}),
    status: execution.status ?? history.ended ?? 'UNKNOWN',
    ...(execution.startDate ? { startDate: execution.startDate } : {}),
    ...(execution.stopDate ? { stopDate: execution.stopDate } : {}),
    redriveCount: execution.redriveCount ?? history.redrives,
    ...(error ? { error } : {}),
    ...(cause ? { cause } : {}),
    ...(execution.input !== undefined ? { input: jsonOrUndefined(execution.input) } : {}),
    history,
    runtime: 'aws',
    region: clients.region,
    ...(refusal ? { redriveRefusal: refusal } : {}),
  };
}

function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export async function executionStatus(clients: AwsClients, opts: AwsOptions, ref: string): Promise<StatusReport> {
  return statusOf(await awsExecutionView(clients, opts, ref));
}

const MARK: Record<HistoryStep['status'], string> = { succeeded: '✓', failed: '✗', running: '▸', stopped: '·' };
const pad = (text: string, width: number) => text.padEnd(width);

function counts(step: StatusReport['steps'][number]): string {
  const parts: string[] = [];
  if (step.checks > 1) parts.push(`${step.checks} checks`);
  if (step.attempts > step.checks) parts.push(`${step.attempts} attempts`);
  if (step.retriedErrors.length) parts.push(`retried after ${step.retriedErrors.join(', ')}`);
  return parts.join(', ');
}

export function formatStatus(r: StatusReport): string {
  const lines = [`Execution ${r.name} on ${r.stateMachine}: ${r.status}`, `  ${r.executionArn}`];
  const times = [
    r.startDate ? `started ${r.startDate}` : '',
    r.stopDate ? `stopped ${r.stopDate}` : '',
    r.redriveCount ? `redriven ${r.redriveCount} time(s)` : '',
  ].filter(Boolean);
  if (times.length) lines.push(`  ${times.join(', ')}`);
  let inRollback = false;
  for (const step of r.steps) {
    if (step.compensation && !inRollback) {
      inRollback = true;
      lines.push('  rollback:');
    }
    const detail = [counts(step), step.error ? `${step.error}: ${(step.cause ?? '').split('\n')[0]}` : ''].filter(Boolean).join(' — ');
    lines.push(`  ${MARK[step.status]} ${pad(step.name, 42)} ${pad(step.status, 9)}${detail ? ` ${detail}` : ''}`);
  }
  if (r.error) lines.push(`  error: ${r.error}`, `  cause: ${r.cause ?? ''}`);
  if (r.interrupted) {
    const { how, leftInPlace: left, changeRecord } = r.interrupted;
    lines.push(
      '',
      `This run was ${how}: Step Functions runs no Catch on an ${how === 'aborted' ? 'abort' : 'execution timeout'}, so nothing was rolled back, whatever onFailure says.`,
    );
    if (left.length) {
      lines.push('Still in place (each undone by rollback with the compensation named):');
      for (const l of left) lines.push(`  ${pad(l.step, 42)} undone by ${l.undoneBy}`);
    } else lines.push('No step had finished a change: nothing of it is in place.');
    if (changeRecord) lines.push(`The default-encryption change record ${changeRecord} (SSM, orchestrator account) keeps what to restore.`);
  }
  if (r.next) lines.push('', r.next);
  return lines.join('\n');
}
