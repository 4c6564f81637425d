// Which deployed state machine, and which execution: from the orchestrator stack's outputs,
// or derived from any ARN in the deployment (the machine names are fixed by infra/names.ts).
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeExecutionCommand, type DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { stateMachineNames, type MachineKey } from '../../infra/names.js';
import { AwsCommandError, DEFAULT_STACK_NAME, awsErrorName, explainAwsError, type AwsClients, type AwsOptions } from './clients.js';

export type MachineArns = Record<MachineKey, string>;

/** Stack output that holds each machine's ARN (infra/orchestrator-stack.ts). */
const machineOutputs: Record<MachineKey, string> = {
  rollbackOnFailure: 'RollbackOnFailureStateMachineArn',
  stopOnFailure: 'StopOnFailureStateMachineArn',
  rollback: 'RollbackStateMachineArn',
};

const STATES_ARN = /^(arn:[a-z-]+:states:[a-z0-9-]+:\d{12}:)(stateMachine|execution):([A-Za-z0-9_-]{1,80})(:[A-Za-z0-9_-]{1,80})?$/;
// Execution names: 1-80 characters; these are the ones Step Functions accepts in an ARN without escaping.
const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;

const parseStatesArn = (arn: string) => {
  const m = STATES_ARN.exec(arn);
  return m ? { prefix: m[1]!, kind: m[2]!, machine: m[3]!, execution: m[4]?.slice(1) } : undefined;
};

export const machineNameOf = (arn: string): string => parseStatesArn(arn)?.machine ?? arn;
export const machineKeyOf = (arn: string): MachineKey | undefined =>
  (Object.keys(stateMachineNames) as MachineKey[]).find((k) => stateMachineNames[k] === machineNameOf(arn));

const executionArnOf = (machineArn: string, name: string): string => `${machineArn.replace(':stateMachine:', ':execution:')}:${name}`;

function siblingsOf(arn: string, flag: string): MachineArns {
  const parsed = parseStatesArn(arn);
  if (!parsed) throw new AwsCommandError(`${flag} must be a Step Functions ARN (arn:aws:states:<region>:<account>:stateMachine:<name>), got "${arn}"`);
  const of = (k: MachineKey) => `${parsed.prefix}stateMachine:${stateMachineNames[k]}`;
  return { rollbackOnFailure: of('rollbackOnFailure'), stopOnFailure: of('stopOnFailure'), rollback: of('rollback') };
}

/**
 * The three machines. `--state-machine-arn` or an execution ARN (`hint`) locates the
 * deployment without CloudFormation; otherwise the orchestrator stack's outputs do.
 */
export async function resolveMachines(clients: AwsClients, opts: AwsOptions, hint?: string): Promise<MachineArns> {
  if (opts.stateMachineArn) return siblingsOf(opts.stateMachineArn, '--state-machine-arn');
  if (hint) return siblingsOf(hint, 'the execution ARN');
  const stackName = opts.stackName ?? DEFAULT_STACK_NAME;
  let outputs: Map<string, string>;
  try {
    const { Stacks } = await clients.cloudformation.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = new Map((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  } catch (e) {
    // CloudFormation reports a missing stack as a ValidationError "Stack with id X does not exist".
    if (awsErrorName(e) === 'ValidationError' && /does not exist/.test((e as Error).message)) {
      throw new AwsCommandError(
        `stack ${stackName} not found in ${clients.region}: deploy it (docs/deploy.md), or pass --stack-name, --region or --state-machine-arn`,
      );
    }
    throw explainAwsError(e, 'cloudformation:DescribeStacks', opts);
  }
  const arns = {} as MachineArns;
  for (const key of Object.keys(machineOutputs) as MachineKey[]) {
    const value = outputs.get(machineOutputs[key]);
    if (!value) throw new AwsCommandError(`stack ${stackName} has no output ${machineOutputs[key]}: is it the fsx-onboard orchestrator stack, fully deployed?`);
    arns[key] = value;
  }
  return arns;
}

export type Execution = DescribeExecutionCommandOutput & { executionArn: string; stateMachineArn: string; name: string };

async function describe(clients: AwsClients, opts: AwsOptions, executionArn: string): Promise<Execution | undefined> {
  try {
    const out = await clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
    return {
      ...out,
      executionArn: out.executionArn ?? executionArn,
      stateMachineArn: out.stateMachineArn ?? '',
      name: out.name ?? executionArn.split(':').pop()!,
    };
  } catch (e) {
    if (awsErrorName(e) === 'ExecutionDoesNotExist') return undefined;
    throw explainAwsError(e, 'states:DescribeExecution', opts);
  }
}

/**
 * An execution by ARN, or by name (the request id) on the given machines, first match wins:
 * the same name can exist on both onboarding machines only if a request was submitted twice
 * with different `onFailure`, and then the first (rollback) is the usual one.
 */
export async function findExecution(
  clients: AwsClients,
  opts: AwsOptions,
  ref: string,
  keys: MachineKey[] = ['rollbackOnFailure', 'stopOnFailure', 'rollback'],
): Promise<Execution> {
  if (ref.startsWith('arn:')) {
    if (parseStatesArn(ref)?.kind !== 'execution')
      throw new AwsCommandError(`"${ref}" is not an execution ARN (arn:aws:states:<region>:<account>:execution:<machine>:<name>)`);
    const found = await describe(clients, opts, ref);
    if (!found) throw new AwsCommandError(`no execution ${ref}`);
    return found;
  }
  if (!EXECUTION_NAME.test(ref)) throw new AwsCommandError(`"${ref}" is neither an execution ARN nor an execution name (1-80 of letters, digits, "-" and "_")`);
  const machines = await resolveMachines(clients, opts);
  // An explicit machine is searched first, unless it is one of ours outside `keys` (rollback's).
  const explicit = opts.stateMachineArn;
  const explicitKey = explicit ? machineKeyOf(explicit) : undefined;
  const first = explicit && (!explicitKey || keys.includes(explicitKey)) ? [explicit] : [];
  const candidates = [...new Set([...first, ...keys.map((k) => machines[k])])];
  for (const machine of candidates) {
    const found = await describe(clients, opts, executionArnOf(machine, ref));
    if (found) return found;
  }
  throw new AwsCommandError(`no execution named "${ref}" on ${candidates.map(machineNameOf).join(', ')} in ${clients.region}`);
}
