// `status`: an execution on AWS, step by step, from DescribeExecution and its history.
import type { AwsClients, AwsOptions } from './clients.js';
import { nextMove } from './fixes.js';
import { parseHistory, readHistory, type HistoryStep } from './history.js';
import { findExecution, machineKeyOf, machineNameOf } from './machines.js';
import { redriveRefusal } from './redrive.js';

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
  next?: string;
}

export async function executionStatus(clients: AwsClients, opts: AwsOptions, ref: string): Promise<StatusReport> {
  const execution = await findExecution(clients, opts, ref);
  const history = parseHistory(await readHistory(clients, opts, execution.executionArn));
  const status = execution.status ?? history.ended ?? 'UNKNOWN';
  const machine = machineKeyOf(execution.stateMachineArn);
  const error = execution.error ?? history.error;
  const cause = execution.cause ?? history.cause;
  let next: string | undefined;
  if (status !== 'SUCCEEDED' && status !== 'RUNNING' && status !== 'PENDING_REDRIVE') {
    const refusal = redriveRefusal(execution, history);
    const then = refusal ?? nextMove({ name: execution.name, region: clients.region, ...(machine ? { machine } : {}) });
    next = then.includes('fsx-onboard diagnose') ? then : `Find the cause: fsx-onboard diagnose ${execution.name}. ${then}`;
  }
  return {
    executionArn: execution.executionArn,
    name: execution.name,
    stateMachine: machineNameOf(execution.stateMachineArn),
    status,
    ...(execution.startDate ? { startDate: execution.startDate.toISOString() } : {}),
    ...(execution.stopDate ? { stopDate: execution.stopDate.toISOString() } : {}),
    redriveCount: execution.redriveCount ?? history.redrives,
    ...(error ? { error } : {}),
    ...(cause ? { cause } : {}),
    ...(history.failState ? { failState: history.failState } : {}),
    ...(history.failedStep ? { failedStep: history.failedStep.name } : {}),
    steps: history.steps.map(({ failedAt: _failedAt, ...step }) => step),
    ...(next ? { next } : {}),
  };
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
  if (r.next) lines.push('', r.next);
  return lines.join('\n');
}
