// Starting executions on the deployed machines: an onboarding (`start`) and the on-demand
// rollback of an earlier one (`rollback --aws`).
import { DescribeExecutionCommand, paginateListExecutions, StartExecutionCommand, type StartExecutionCommandOutput } from '@aws-sdk/client-sfn';
import type { OnboardingRequest } from '../../core/request.js';
import { stateMachineNames, type MachineKey } from '../../infra/names.js';
import { formatDifferences, requestDifferences } from '../request-diff.js';
import { AwsCommandError, awsErrorName, explainAwsError, type AwsClients, type AwsOptions } from './clients.js';
import { OFFBOARD_INPUT } from '../../workflow/render.js';
import { findExecution, machineKeyOf, machineNameOf, resolveMachines, type Execution } from './machines.js';

export interface Started {
  executionArn: string;
  name: string;
  stateMachineArn: string;
  startDate: string;
  /** StartExecution returned an execution that was already running (same name and input). */
  alreadyRunning: boolean;
}

// StartExecution with the name and input of a RUNNING execution succeeds and returns that
// execution, so an old start date is the only sign the request had been submitted before.
const ALREADY_RUNNING_AFTER_MS = 60_000;

async function startExecution(
  clients: AwsClients,
  opts: AwsOptions,
  stateMachineArn: string,
  name: string,
  input: string,
  duplicate: () => Promise<AwsCommandError>,
): Promise<Started> {
  let out: StartExecutionCommandOutput;
  try {
    out = await clients.sfn.send(new StartExecutionCommand({ stateMachineArn, name, input }));
  } catch (e) {
    // Names stay taken for 90 days after an execution closes; a running one with another input also refuses.
    if (awsErrorName(e) === 'ExecutionAlreadyExists') throw await duplicate();
    if (awsErrorName(e) === 'StateMachineDoesNotExist') {
      throw new AwsCommandError(`state machine ${stateMachineArn} does not exist in ${clients.region}: check --region and the stack (docs/deploy.md)`);
    }
    throw explainAwsError(e, 'states:StartExecution', opts);
  }
  const startDate = out.startDate ?? new Date();
  return {
    executionArn: out.executionArn ?? '',
    name,
    stateMachineArn,
    startDate: startDate.toISOString(),
    alreadyRunning: Date.now() - startDate.getTime() > ALREADY_RUNNING_AFTER_MS,
  };
}

/** The machine the request's `onFailure` asks for; an explicit ARN of the other one is refused. */
async function machineFor(clients: AwsClients, opts: AwsOptions, request: OnboardingRequest): Promise<string> {
  const wanted: MachineKey = request.onFailure === 'stop' ? 'stopOnFailure' : 'rollbackOnFailure';
  if (opts.stateMachineArn) {
    const key = machineKeyOf(opts.stateMachineArn);
    if (key && key !== wanted) {
      throw new AwsCommandError(
        `the request says "onFailure": "${request.onFailure}", which runs on ${stateMachineNames[wanted]}, but --state-machine-arn names ${stateMachineNames[key]}: change one of them`,
      );
    }
    return opts.stateMachineArn;
  }
  return (await resolveMachines(clients, opts))[wanted];
}

/** The input of the execution `name` on `machineArn`; undefined when there is no such execution. */
async function existingInput(clients: AwsClients, opts: AwsOptions, machineArn: string, name: string): Promise<{ input?: string } | undefined> {
  try {
    const out = await clients.sfn.send(new DescribeExecutionCommand({ executionArn: `${machineArn.replace(':stateMachine:', ':execution:')}:${name}` }));
    return out.input === undefined ? {} : { input: out.input };
  } catch (e) {
    if (awsErrorName(e) === 'ExecutionDoesNotExist') return undefined;
    throw explainAwsError(e, 'states:DescribeExecution', opts);
  }
}

/** "Submitted before" when the inputs match; otherwise the fields that differ, before anything starts. */
function duplicateError(name: string, machineArn: string, existing: { input?: string } | undefined, document: unknown): AwsCommandError {
  const where = `an execution named "${name}" already exists on ${machineNameOf(machineArn)}`;
  let earlier: unknown;
  try {
    earlier = existing?.input === undefined ? undefined : JSON.parse(existing.input);
  } catch {
    earlier = existing?.input;
  }
  const differences = earlier === undefined ? [] : requestDifferences(earlier, document);
  if (differences.length) {
    return new AwsCommandError(
      [
        `${where} with a different request (Step Functions refuses a used name with another input: ExecutionAlreadyExists); nothing was started.`,
        `  The fields that differ (earlier → now):`,
        ...formatDifferences(differences),
        `  A changed onboarding needs a new requestId; see the earlier one with: fsx-onboard status ${name}`,
      ].join('\n'),
    );
  }
  return new AwsCommandError(
    `${where}: this request was submitted before ` +
      `(Step Functions keeps an execution name for 90 days after it ends, so a duplicate cannot onboard twice). ` +
      `See it with: fsx-onboard status ${name}. To onboard again, give the request a new requestId.`,
  );
}

/** The other onboarding machine: a request whose `onFailure` changed would start there under the same name. */
function otherOnboardingMachine(machineArn: string): string | undefined {
  const key = machineKeyOf(machineArn);
  if (key !== 'rollbackOnFailure' && key !== 'stopOnFailure') return undefined;
  const other = stateMachineNames[key === 'rollbackOnFailure' ? 'stopOnFailure' : 'rollbackOnFailure'];
  return machineArn.replace(/:stateMachine:[^:]+$/, `:stateMachine:${other}`);
}

/** `document` is sent as written (as the API does); ValidateRequest applies the defaults. */
export async function startOnboarding(clients: AwsClients, opts: AwsOptions, request: OnboardingRequest, document: unknown): Promise<Started> {
  const machine = await machineFor(clients, opts, request);
  const name = request.requestId;
  // Names are unique per machine only: the same request id on the other machine is the same onboarding.
  const other = otherOnboardingMachine(machine);
  const onOther = other ? await existingInput(clients, opts, other, name) : undefined;
  if (other && onOther) throw duplicateError(name, other, onOther, document);
  return startExecution(clients, opts, machine, name, JSON.stringify(document), async () =>
    duplicateError(name, machine, await existingInput(clients, opts, machine, name), document),
  );
}

export type RollbackKind = 'rollback' | 'offboard';
const rollbackName = (name: string, n: number, kind: RollbackKind) => `${name}-${kind}-${n}`;

/** The next free `<name>-<rollback|offboard>-<n>` on the rollback machine. */
async function nextRollbackNumber(clients: AwsClients, opts: AwsOptions, rollbackMachine: string, name: string, kind: RollbackKind): Promise<number> {
  const pattern = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-${kind}-(\\d+)$`);
  let highest = 0;
  try {
    for await (const page of paginateListExecutions({ client: clients.sfn, pageSize: 1000 }, { stateMachineArn: rollbackMachine })) {
      for (const e of page.executions ?? []) highest = Math.max(highest, Number(pattern.exec(e.name ?? '')?.[1] ?? 0));
    }
  } catch (e) {
    throw explainAwsError(e, 'states:ListExecutions', opts);
  }
  return highest + 1;
}

export interface RollbackStarted extends Started {
  original: Execution;
}

/**
 * Starts the rollback machine with the original execution's input (the request): its
 * compensations find this request's changes by Sid, grant name and tag, so it undoes a
 * stopped run, a finished one, or what an earlier rollback left behind.
 */
export interface RollbackChoices {
  /** Offboard: the rollback machine gets the request wrapped with deleteFileSystem false, and keeps the file system. */
  keepFileSystem?: boolean;
  /** Offboard one repository of the request: its fileSystemPath (the others stay linked). */
  repository?: string;
  /** Names the execution `<name>-<kind>-<n>` (default rollback). */
  kind?: RollbackKind;
  /** Asked once the original execution is known, before anything starts; false stops here. */
  confirm?: (original: Execution) => Promise<boolean>;
}

export async function startRollback(
  clients: AwsClients,
  opts: AwsOptions,
  execution: string,
  choices: RollbackChoices = {},
): Promise<RollbackStarted | undefined> {
  // --state-machine-arn names the rollback machine here: the one this command starts.
  const original = await findExecution(clients, opts, execution, ['rollbackOnFailure', 'stopOnFailure']);
  if (original.status === 'RUNNING') {
    throw new AwsCommandError(
      `${original.name} is still running; rolling back now would race its steps. Wait for it to end, or stop it first: ` +
        `aws stepfunctions stop-execution --execution-arn ${original.executionArn}`,
    );
  }
  if (original.input === undefined)
    throw new AwsCommandError(
      `DescribeExecution returned no input for ${original.executionArn}; start the rollback machine with the request document yourself`,
    );
  if (choices.confirm && !(await choices.confirm(original))) return undefined;
  const kind: RollbackKind = choices.kind ?? 'rollback';
  const rollbackMachine = opts.stateMachineArn ?? (await resolveMachines(clients, opts, original.executionArn)).rollback;
  const n = await nextRollbackNumber(clients, opts, rollbackMachine, original.name, kind);
  const name = rollbackName(original.name, n, kind);
  const input = choices.keepFileSystem
    ? JSON.stringify({
        [OFFBOARD_INPUT.request]: safeParse(original.input),
        [OFFBOARD_INPUT.deleteFileSystem]: false,
        ...(choices.repository !== undefined ? { [OFFBOARD_INPUT.repository]: choices.repository } : {}),
      })
    : original.input;
  if (name.length > 80) throw new AwsCommandError(`the rollback execution name "${name}" would exceed Step Functions' 80 characters`);
  const started = await startExecution(
    clients,
    opts,
    rollbackMachine,
    name,
    input,
    async () => new AwsCommandError(`a rollback named "${name}" was started at the same moment by someone else: see it with fsx-onboard status ${name}`),
  );
  return { ...started, original };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new AwsCommandError("the original execution's input is not JSON: start the rollback machine with the request document yourself");
  }
}
