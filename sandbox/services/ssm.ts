// SSM: Parameter Store (the write-ahead change records) and Run Command with
// AWS-RunShellScript on one managed instance, whose Lustre client is simulated. A command is
// Pending, then InProgress, then Success/Failed on the virtual clock.
import { SimError } from '../errors.js';
import { runScript } from '../lustre-client.js';
import type { Call, Sim } from '../sim.js';
import type { CommandState, JobState, ParameterState } from '../state.js';
import { nextUuid } from '../state.js';
import type { ServiceModel } from './types.js';

const COMMAND_START_SECONDS = 1;
/**
 * GetCommandInvocation answers InvocationDoesNotExist until the invocation is registered
 * (SSM API reference: the call right after SendCommand can fail so). Sandbox assumption: 0.5 s.
 */
const INVOCATION_VISIBLE_AFTER_MS = 500;
const COMMAND_RUN_SECONDS = 2;
const PARAMETER_MAX_CHARS = 4096;

function parameterKey(call: Call, name: string): string {
  return `${call.caller.account}:${call.region}:${name}`;
}

function parameterArn(call: Call, name: string): string {
  return `arn:aws:ssm:${call.region}:${call.caller.account}:parameter/${name.replace(/^\//, '')}`;
}

function authorizeParameter(call: Call, action: string): string {
  const name = String(call.input.Name ?? '');
  const arn = parameterArn(call, name);
  call.resources.push({ ARN: arn, accountId: call.caller.account, type: 'AWS::SSM::Parameter' });
  call.sim.authorize('ssm', call.caller, { action, resource: arn, resourceAccount: call.caller.account });
  return name;
}

function commandStatus(sim: Sim, command: CommandState): string {
  if (sim.now() < command.startAt) return 'Pending';
  if (!command.result || sim.now() < command.endAt) return 'InProgress';
  return command.result.status;
}

/** The command's run: the script executes at its start time (side effects happen then). */
export function runCommand(sim: Sim, job: JobState): void {
  const command = sim.state.commands[job.ref['commandId']!];
  const instance = command && sim.state.instances[command.instanceId];
  if (!command || !instance) return;
  command.result = runScript(sim, instance, command.commands);
}

/** A parameter as GetParameter and GetParametersByPath return it. */
function parameterShape(call: Call, name: string, parameter: ParameterState) {
  return {
    Name: name,
    Type: parameter.type,
    Value: parameter.value,
    Version: parameter.version,
    LastModifiedDate: new Date(parameter.lastModified),
    ARN: parameterArn(call, name),
    DataType: 'text',
  };
}

export const ssm: ServiceModel = {
  GetParameter(call) {
    const name = authorizeParameter(call, 'ssm:GetParameter');
    const parameter = call.sim.state.parameters[parameterKey(call, name)];
    if (!parameter) throw new SimError('ParameterNotFound', `Parameter ${name} not found.`);
    return { Parameter: parameterShape(call, name, parameter) };
  },

  PutParameter(call) {
    const name = authorizeParameter(call, 'ssm:PutParameter');
    const key = parameterKey(call, name);
    const existing = call.sim.state.parameters[key];
    if (existing && !call.input.Overwrite)
      throw new SimError('ParameterAlreadyExists', 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.');
    const value = String(call.input.Value ?? '');
    if (value.length > PARAMETER_MAX_CHARS)
      throw new SimError('ValidationException', `Standard tier parameters support a maximum parameter value of ${PARAMETER_MAX_CHARS} characters.`);
    const version = (existing?.version ?? 0) + 1;
    call.sim.state.parameters[key] = { name, value, type: String(call.input.Type ?? existing?.type ?? 'String'), version, lastModified: call.sim.now() };
    return { Version: version, Tier: 'Standard' };
  },

  /**
   * One level of a hierarchy (Recursive: every level below), in pages of at most MaxResults
   * (1-10, default 10) with a NextToken while more remain. Authorized on the path itself: access
   * to a path is access to every parameter under it (SSM API Reference, GetParametersByPath).
   */
  GetParametersByPath(call) {
    const path = String(call.input.Path ?? '');
    if (!path.startsWith('/')) throw new SimError('ValidationException', `Path ${path} must start with "/".`);
    const maxResults = Number(call.input.MaxResults ?? 10);
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 10)
      throw new SimError(
        'ValidationException',
        `1 validation error detected: Value '${maxResults}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 10`,
      );
    const arn = parameterArn(call, path.replace(/\/$/, ''));
    call.resources.push({ ARN: arn, accountId: call.caller.account, type: 'AWS::SSM::Parameter' });
    call.sim.authorize('ssm', call.caller, { action: 'ssm:GetParametersByPath', resource: arn, resourceAccount: call.caller.account });
    const base = path.endsWith('/') ? path : `${path}/`;
    const scope = `${call.caller.account}:${call.region}:`;
    const names = Object.entries(call.sim.state.parameters)
      .filter(([key, p]) => key.startsWith(scope) && p.name.startsWith(base) && (call.input.Recursive === true || !p.name.slice(base.length).includes('/')))
      .map(([, p]) => p.name)
      .sort();
    const start = call.input.NextToken === undefined ? 0 : Number(call.input.NextToken);
    if (!Number.isInteger(start) || start < 0) throw new SimError('ValidationException', 'The specified token is not valid.');
    const page = names.slice(start, start + maxResults).map((name) => parameterShape(call, name, call.sim.state.parameters[parameterKey(call, name)]!));
    return { Parameters: page, ...(start + maxResults < names.length ? { NextToken: String(start + maxResults) } : {}) };
  },

  DeleteParameter(call) {
    const name = authorizeParameter(call, 'ssm:DeleteParameter');
    const key = parameterKey(call, name);
    if (!call.sim.state.parameters[key]) throw new SimError('ParameterNotFound', `Parameter ${name} not found.`);
    delete call.sim.state.parameters[key];
    return {};
  },

  SendCommand(call) {
    const input = call.input as { InstanceIds?: string[]; DocumentName?: string; Parameters?: Record<string, string[]> };
    if (input.DocumentName !== 'AWS-RunShellScript')
      throw new SimError('InvalidDocument', `The sandbox runs AWS-RunShellScript only, not ${input.DocumentName}.`);
    const ids = input.InstanceIds ?? [];
    if (ids.length !== 1) throw new SimError('InvalidInstanceId', 'The sandbox runs commands on exactly one instance.');
    const instance = call.sim.state.instances[ids[0]!];
    const instanceArn = `arn:aws:ec2:${call.region}:${call.caller.account}:instance/${ids[0]}`;
    call.resources.push({ ARN: instanceArn, accountId: call.caller.account, type: 'AWS::EC2::Instance' });
    call.sim.authorize('ssm', call.caller, {
      action: 'ssm:SendCommand',
      resource: `arn:aws:ssm:${call.region}::document/AWS-RunShellScript`,
      resourceAccount: call.caller.account,
    });
    // The instance's tags are in the request context as ssm:resourceTag/<key> (SSM User Guide,
    // "Restricting Run Command access based on tags"); a missing instance has none.
    const tagContext = Object.fromEntries(Object.entries(instance?.tags ?? {}).map(([key, value]) => [`ssm:resourceTag/${key}`, value]));
    call.sim.authorize('ssm', call.caller, { action: 'ssm:SendCommand', resource: instanceArn, resourceAccount: call.caller.account, context: tagContext });
    // An instance whose agent is not Online is "not in a valid state" for Run Command too.
    if (!instance || instance.account !== call.caller.account || instance.region !== call.region || (instance.pingStatus ?? 'Online') !== 'Online') {
      throw new SimError('InvalidInstanceId', `Instances [[${ids[0]}]] not in a valid state for account ${call.caller.account}`);
    }
    const now = call.sim.now();
    const command: CommandState = {
      commandId: nextUuid(call.sim.state),
      instanceId: instance.id,
      account: call.caller.account,
      region: call.region,
      commands: input.Parameters?.['commands'] ?? [],
      requestedAt: now,
      startAt: now + COMMAND_START_SECONDS * 1000,
      endAt: now + (COMMAND_START_SECONDS + COMMAND_RUN_SECONDS) * 1000,
    };
    call.sim.state.commands[command.commandId] = command;
    call.sim.schedule(command.startAt, 'command-run', { commandId: command.commandId });
    call.responseElements = { commandId: command.commandId };
    return {
      Command: {
        CommandId: command.commandId,
        DocumentName: 'AWS-RunShellScript',
        InstanceIds: ids,
        Parameters: input.Parameters,
        Status: 'Pending',
        RequestedDateTime: new Date(now),
        TargetCount: 1,
      },
    };
  },

  /** Managed instances and their agent's status, filtered by InstanceIds ("not managed": absent from the list). */
  DescribeInstanceInformation(call) {
    call.sim.authorize('ssm', call.caller, { action: 'ssm:DescribeInstanceInformation', resource: '*', resourceAccount: call.caller.account });
    const filters = (call.input.Filters ?? []) as { Key?: string; Values?: string[] }[];
    const wanted = filters.find((f) => f.Key === 'InstanceIds')?.Values;
    const list = Object.values(call.sim.state.instances)
      .filter((i) => i.account === call.caller.account && i.region === call.region && (!wanted || wanted.includes(i.id)))
      .map((i) => ({
        InstanceId: i.id,
        PingStatus: i.pingStatus ?? 'Online',
        PlatformType: 'Linux',
        ResourceType: i.id.startsWith('mi-') ? 'ManagedInstance' : 'EC2Instance',
      }));
    return { InstanceInformationList: list };
  },

  GetCommandInvocation(call) {
    const command = call.sim.state.commands[String(call.input.CommandId ?? '')];
    call.sim.authorize('ssm', call.caller, {
      action: 'ssm:GetCommandInvocation',
      resource: `arn:aws:ssm:${call.region}:${call.caller.account}:*`,
      resourceAccount: call.caller.account,
    });
    if (
      !command ||
      command.instanceId !== call.input.InstanceId ||
      command.account !== call.caller.account ||
      call.sim.now() < command.requestedAt + INVOCATION_VISIBLE_AFTER_MS
    )
      throw new SimError('InvocationDoesNotExist', 'The command invocation does not exist.');
    const status = commandStatus(call.sim, command);
    const done = status === 'Success' || status === 'Failed';
    return {
      CommandId: command.commandId,
      InstanceId: command.instanceId,
      DocumentName: 'AWS-RunShellScript',
      Status: status,
      StatusDetails: status,
      ResponseCode: done ? command.result!.responseCode : -1,
      StandardOutputContent: done ? command.result!.stdout : '',
      StandardErrorContent: done ? command.result!.stderr : '',
      ...(call.sim.now() >= command.startAt ? { ExecutionStartDateTime: new Date(command.startAt).toISOString() } : {}),
      ...(done ? { ExecutionEndDateTime: new Date(command.endAt).toISOString() } : {}),
    };
  },
};
