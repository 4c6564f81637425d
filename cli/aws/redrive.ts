// `redrive`: RedriveExecution restarts a failed execution at the state that failed, without
// re-running the ones that succeeded. It is refused in cases the operator cannot see from the
// error alone; each one is explained here together with what to do instead.
import { RedriveExecutionCommand } from '@aws-sdk/client-sfn';
import { AwsCommandError, awsErrorName, explainAwsError, type AwsClients, type AwsOptions } from './clients.js';
import { parseHistory, readHistory, type ParsedHistory } from './history.js';
import { findExecution, type Execution } from './machines.js';

/** Step Functions redrives an execution only within 14 days of its stop. */
const REDRIVE_WINDOW_DAYS = 14;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface Redriven {
  executionArn: string;
  name: string;
  redriveDate: string;
  /** The state it restarts at, as the history shows it. */
  restartsAt?: string;
}

type ExecutionFacts = Pick<Execution, 'name' | 'status' | 'stopDate' | 'redriveStatus' | 'redriveStatusReason'>;

const failedAt = (history: ParsedHistory) =>
  history.failedStep ? ` at ${history.failedStep.name}${history.failedStep.error ? ` (${history.failedStep.error})` : ''}` : '';
const originalOf = (name: string) => name.replace(/-rollback-\d+$/, '');
const startAgain = 'start the request again with a new requestId (an execution name stays taken for 90 days)';

/** Why a redrive would be refused or pointless, or undefined when it can go ahead. */
export function redriveRefusal(execution: ExecutionFacts, history: ParsedHistory, now: Date = new Date()): string | undefined {
  const { name, status } = execution;
  if (status === 'SUCCEEDED') return `${name} succeeded: there is nothing to redrive.`;
  if (status === 'RUNNING' || status === 'PENDING_REDRIVE') return `${name} is still running (status ${status}): follow it with fsx-onboard status ${name}.`;
  // A Catch that ends in a Fail state makes the Fail state the one that failed: a redrive
  // restarts there and fails again at once, running none of the steps.
  if (history.failState === 'RolledBack') {
    return (
      `${name} failed${failedAt(history)} and was rolled back: it ended in the RolledBack Fail state, so a redrive would only ` +
      `re-enter that Fail state and fail again without running any step. Find the cause with fsx-onboard diagnose ${name}, fix it, then ${startAgain}.`
    );
  }
  if (history.failState === 'RollbackFailed') {
    return (
      `${name} is a rollback that ended in its RollbackFailed Fail state (something was left behind: see its cause), so a redrive would only re-enter ` +
      `that Fail state. Fix what blocked the compensation, then roll back again: fsx-onboard rollback ${originalOf(name)} --aws.`
    );
  }
  if (execution.stopDate && now.getTime() - execution.stopDate.getTime() > REDRIVE_WINDOW_DAYS * DAY_MS) {
    return (
      `${name} stopped on ${execution.stopDate.toISOString()}, more than ${REDRIVE_WINDOW_DAYS} days ago; Step Functions redrives an execution only ` +
      `within ${REDRIVE_WINDOW_DAYS} days of its stop. Undo its changes with fsx-onboard rollback ${name} --aws, then ${startAgain}.`
    );
  }
  if (execution.redriveStatus === 'NOT_REDRIVABLE') {
    return `${name} cannot be redriven: Step Functions says "${execution.redriveStatusReason ?? 'not redrivable'}". Undo its changes with fsx-onboard rollback ${name} --aws, then ${startAgain}.`;
  }
  return undefined;
}

export async function redrive(clients: AwsClients, opts: AwsOptions, ref: string): Promise<Redriven> {
  const execution = await findExecution(clients, opts, ref);
  const history = parseHistory(await readHistory(clients, opts, execution.executionArn));
  const refusal = redriveRefusal(execution, history);
  if (refusal) throw new AwsCommandError(refusal);
  try {
    const out = await clients.sfn.send(new RedriveExecutionCommand({ executionArn: execution.executionArn }));
    return {
      executionArn: execution.executionArn,
      name: execution.name,
      redriveDate: (out.redriveDate ?? new Date()).toISOString(),
      ...(history.failedStep ? { restartsAt: history.failedStep.name } : {}),
    };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (awsErrorName(e) === 'ExecutionNotRedrivable') {
      throw new AwsCommandError(
        `Step Functions refused to redrive ${execution.name}: ${message}. Redrive needs a FAILED, ABORTED or TIMED_OUT execution that stopped less than ` +
          `${REDRIVE_WINDOW_DAYS} days ago, within its redrive and history-event limits. Otherwise undo its changes with fsx-onboard rollback ${execution.name} --aws, then ${startAgain}.`,
      );
    }
    if (awsErrorName(e) === 'ExecutionLimitExceeded') {
      throw new AwsCommandError(
        `Step Functions refused to redrive ${execution.name}: the account has reached its quota of open executions in ${clients.region} (${message}). ` +
          `Wait for running executions to end (or stop some), or raise the quota in Service Quotas, then run fsx-onboard redrive ${execution.name} again.`,
      );
    }
    throw explainAwsError(e, 'states:RedriveExecution', opts);
  }
}
