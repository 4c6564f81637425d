import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { rollbackOnAws } from '../../cli/commands/aws.js';
import { ExitCode, type CliContext } from '../../cli/context.js';
import { REGION, REQUEST_ID, awsError, cli, executionArn, machines, stackOutputs } from './aws-fixtures.js';

const sfn = mockClient(SFNClient);
const cfn = mockClient(CloudFormationClient);
const example = readFileSync('examples/request.json', 'utf8');

function requestFile(change: (r: Record<string, unknown>) => void = () => {}): string {
  const request = JSON.parse(example) as Record<string, unknown>;
  change(request);
  const path = join(mkdtempSync(join(tmpdir(), 'fsx-onboard-aws-')), 'request.json');
  writeFileSync(path, JSON.stringify(request));
  return path;
}

beforeEach(() => {
  sfn.reset();
  cfn.reset();
  cfn.on(DescribeStacksCommand).resolves(stackOutputs);
  sfn.on(StartExecutionCommand).callsFake((input: { stateMachineArn: string; name: string }) => ({
    executionArn: `${input.stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.name}`,
    startDate: new Date(),
  }));
  // No earlier execution of the request on either machine, unless a test says otherwise.
  sfn.on(DescribeExecutionCommand).rejects(awsError('ExecutionDoesNotExist', 'Execution Does Not Exist'));
});
afterEach(() => vi.unstubAllEnvs());

describe('fsx-onboard start', () => {
  it('starts the rollback-on-failure machine from the stack outputs, named after the request id, with the request as input', async () => {
    const result = await cli('start', 'examples/request.json', '--region', REGION);
    expect(result.err).toBe('');
    expect(result.code).toBe(ExitCode.Ok);
    expect(cfn).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'FsxOnboardOrchestrator' });
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: machines.rollbackOnFailure,
      name: REQUEST_ID,
      input: JSON.stringify(JSON.parse(example)),
    });
    expect(result.out).toContain(executionArn('rollbackOnFailure', REQUEST_ID));
    expect(result.out).toMatch(/started on fsx-onboard-rollback-on-failure/);
  });

  it('picks the stop-on-failure machine for "onFailure": "stop", from the stack named by --stack-name', async () => {
    const path = requestFile((r) => (r['onFailure'] = 'stop'));
    const result = await cli('start', path, '--region', REGION, '--stack-name', 'OtherOrchestrator', '--json');
    expect(result.code).toBe(ExitCode.Ok);
    expect(cfn).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'OtherOrchestrator' });
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, { stateMachineArn: machines.stopOnFailure, name: REQUEST_ID });
    expect(JSON.parse(result.out)).toMatchObject({ status: 'STARTED', name: REQUEST_ID, executionArn: executionArn('stopOnFailure', REQUEST_ID) });
  });

  it('uses --state-machine-arn without looking up the stack, and refuses one that contradicts onFailure', async () => {
    const ok = await cli('start', 'examples/request.json', '--region', REGION, '--state-machine-arn', machines.rollbackOnFailure);
    expect(ok.code).toBe(ExitCode.Ok);
    expect(cfn).toHaveReceivedCommandTimes(DescribeStacksCommand, 0);
    const wrong = await cli('start', 'examples/request.json', '--region', REGION, '--state-machine-arn', machines.stopOnFailure);
    expect(wrong.code).toBe(ExitCode.BadInput);
    expect(wrong.err).toMatch(
      /"onFailure": "rollback", which runs on fsx-onboard-rollback-on-failure, but --state-machine-arn names fsx-onboard-stop-on-failure/,
    );
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
  });

  it('refuses an invalid request with every problem and sends nothing', async () => {
    const path = requestFile((r) => {
      r['requestId'] = 'x';
      delete r['fileSystem'];
    });
    const result = await cli('start', path, '--region', REGION);
    expect(result.code).toBe(ExitCode.BadInput);
    expect(result.err).toMatch(/nothing was changed/);
    expect(result.err).toMatch(/requestId: must be 3 to 64/);
    expect(result.err).toMatch(/fileSystem: is required/);
    expect(sfn.calls()).toHaveLength(0);
    expect(cfn.calls()).toHaveLength(0);
  });

  it('explains ExecutionAlreadyExists as a duplicate submission', async () => {
    sfn.on(StartExecutionCommand).rejects(awsError('ExecutionAlreadyExists', 'Execution Already Exists'));
    const result = await cli('start', 'examples/request.json', '--region', REGION);
    expect(result.code).toBe(ExitCode.BadInput);
    expect(result.err).toMatch(
      /an execution named "genomics-scratch-2026-11" already exists on fsx-onboard-rollback-on-failure: this request was submitted before/,
    );
    expect(result.err).toMatch(/new requestId/);
  });

  it('refuses the same requestId with a different request, naming each differing field, when StartExecution says ExecutionAlreadyExists', async () => {
    sfn.on(StartExecutionCommand).rejects(awsError('ExecutionAlreadyExists', 'Execution Already Exists'));
    sfn.on(DescribeExecutionCommand, { executionArn: executionArn('rollbackOnFailure', REQUEST_ID) }).resolves({ input: example, status: 'SUCCEEDED' });
    const path = requestFile((r) => {
      (r['fileSystem'] as Record<string, unknown>)['storageCapacityGiB'] = 2400;
      r['tags'] = { team: 'genomics', project: 'cohort-2026' };
    });
    const result = await cli('start', path, '--region', REGION);
    expect(result.code).toBe(ExitCode.BadInput);
    expect(result.err).toMatch(/already exists on fsx-onboard-rollback-on-failure with a different request .*ExecutionAlreadyExists.*nothing was started/);
    expect(result.err).toMatch(/fileSystem\.storageCapacityGiB: 1200 → 2400/);
    expect(result.err).toMatch(/tags\.project: \(absent\) → "cohort-2026"/);
    expect(result.err).not.toMatch(/submitted before/);
  });

  it('calls the identical request under an existing name a duplicate submission, not a conflict', async () => {
    sfn.on(StartExecutionCommand).rejects(awsError('ExecutionAlreadyExists', 'Execution Already Exists'));
    sfn.on(DescribeExecutionCommand, { executionArn: executionArn('rollbackOnFailure', REQUEST_ID) }).resolves({ input: example, status: 'SUCCEEDED' });
    const result = await cli('start', 'examples/request.json', '--region', REGION);
    expect(result.code).toBe(ExitCode.BadInput);
    expect(result.err).toMatch(/this request was submitted before/);
    expect(result.err).not.toMatch(/differ/);
  });

  it('refuses a request whose onFailure changed while its requestId runs on the other machine, before starting anything', async () => {
    sfn.on(DescribeExecutionCommand, { executionArn: executionArn('rollbackOnFailure', REQUEST_ID) }).resolves({ input: example, status: 'FAILED' });
    const path = requestFile((r) => (r['onFailure'] = 'stop'));
    const result = await cli('start', path, '--region', REGION);
    expect(result.code).toBe(ExitCode.BadInput);
    expect(result.err).toMatch(/already exists on fsx-onboard-rollback-on-failure with a different request/);
    expect(result.err).toMatch(/onFailure: "rollback" → "stop"/);
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
  });

  it('refuses an execution name that is a path before any AWS call', async () => {
    for (const command of ['status', 'diagnose', 'redrive']) {
      const result = await cli(command, '../../etc', '--region', REGION);
      expect(result.code).toBe(ExitCode.BadInput);
      expect(result.err).toMatch(/\(execution\): "\.\.\/\.\.\/etc" is not an execution name: must be 1 to 80 letters, digits, "-" or "_"/);
    }
    const rollback = await cli('rollback', '../../etc', '--aws', '--region', REGION);
    expect(rollback.code).toBe(ExitCode.BadInput);
    expect(rollback.err).toMatch(/is not an execution name/);
    expect(sfn.calls()).toHaveLength(0);
    expect(cfn.calls()).toHaveLength(0);
  });

  it('says when StartExecution returned an execution that was already running (same name and input)', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: executionArn('rollbackOnFailure', REQUEST_ID), startDate: new Date(Date.now() - 3_600_000) });
    const result = await cli('start', 'examples/request.json', '--region', REGION);
    expect(result.code).toBe(ExitCode.Ok);
    expect(result.out).toMatch(/already running since .* \(this request was submitted before\)/);
  });

  it('names the flags to use when the stack is missing', async () => {
    cfn.on(DescribeStacksCommand).rejects(awsError('ValidationError', 'Stack with id FsxOnboardOrchestrator does not exist'));
    const result = await cli('start', 'examples/request.json', '--region', 'eu-west-1');
    expect(result.code).toBe(ExitCode.BadInput);
    expect(result.err).toMatch(
      /stack FsxOnboardOrchestrator not found in eu-west-1: deploy it \(docs\/deploy.md\), or pass --stack-name, --region or --state-machine-arn/,
    );
  });

  it('explains missing credentials by the flag and variables to set, without a stack trace', async () => {
    cfn.on(DescribeStacksCommand).rejects(awsError('CredentialsProviderError', 'Could not load credentials from any providers'));
    const result = await cli('start', 'examples/request.json', '--region', REGION);
    expect(result.code).toBe(ExitCode.BadInput);
    expect(result.err).toMatch(/no AWS credentials found: pass --profile \(or set AWS_PROFILE\), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
    expect(result.err).not.toMatch(/\n\s+at /);
  });

  it('explains a missing region by the flag and variable to set', async () => {
    vi.stubEnv('AWS_REGION', '');
    vi.stubEnv('AWS_DEFAULT_REGION', '');
    vi.stubEnv('AWS_PROFILE', '');
    vi.stubEnv('AWS_CONFIG_FILE', join(tmpdir(), 'fsx-onboard-no-such-config'));
    const result = await cli('status', REQUEST_ID);
    expect(result.code).toBe(ExitCode.BadInput);
    expect(result.err).toMatch(/no AWS region: pass --region, set AWS_REGION/);
    expect(sfn.calls()).toHaveLength(0);
  });
});

describe('rollback <execution> --aws (rollbackOnAws)', () => {
  function context() {
    const io = { out: '', err: '', code: undefined as ExitCode | undefined };
    const ctx: CliContext = { io: { out: (t) => (io.out += t), err: (t) => (io.err += t) }, setExit: (c) => (io.code = c), stateDir: () => tmpdir() };
    return { ctx, io };
  }
  const original = executionArn('stopOnFailure', REQUEST_ID);

  beforeEach(() => {
    sfn.on(DescribeExecutionCommand, { executionArn: executionArn('rollbackOnFailure', REQUEST_ID) }).rejects(awsError('ExecutionDoesNotExist'));
    sfn.on(DescribeExecutionCommand, { executionArn: original }).resolves({
      executionArn: original,
      stateMachineArn: machines.stopOnFailure,
      name: REQUEST_ID,
      status: 'FAILED',
      input: example,
      startDate: new Date(),
    });
  });

  it('starts the rollback machine with the original input, named <name>-rollback-<next n>', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [{ name: `${REQUEST_ID}-rollback-1` } as never, { name: 'other-rollback-7' } as never] });
    const { ctx, io } = context();
    await rollbackOnAws(ctx, REQUEST_ID, { region: REGION });
    expect(io.err).toBe('');
    expect(io.code).toBe(ExitCode.Ok);
    expect(sfn).toHaveReceivedCommandWith(ListExecutionsCommand, { stateMachineArn: machines.rollback });
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, { stateMachineArn: machines.rollback, name: `${REQUEST_ID}-rollback-2`, input: example });
    expect(io.out).toMatch(/Rolling back genomics-scratch-2026-11 \(FAILED\): started genomics-scratch-2026-11-rollback-2/);
  });

  it('takes the rollback machine from an execution ARN, without a stack lookup', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    const { ctx, io } = context();
    await rollbackOnAws(ctx, original, { region: REGION, json: true });
    expect(cfn).toHaveReceivedCommandTimes(DescribeStacksCommand, 0);
    expect(JSON.parse(io.out)).toMatchObject({ status: 'STARTED', name: `${REQUEST_ID}-rollback-1`, stateMachineArn: machines.rollback, original });
  });

  it('refuses to roll back an execution that is still running', async () => {
    sfn
      .on(DescribeExecutionCommand, { executionArn: original })
      .resolves({ executionArn: original, stateMachineArn: machines.stopOnFailure, name: REQUEST_ID, status: 'RUNNING', input: example });
    const { ctx, io } = context();
    await rollbackOnAws(ctx, original, { region: REGION });
    expect(io.code).toBe(ExitCode.BadInput);
    expect(io.err).toMatch(/still running; rolling back now would race its steps.*aws stepfunctions stop-execution --execution-arn/);
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
  });
});
