// `offboard --aws` and `rollback --aws` of a succeeded onboarding: the deployed rollback machine,
// started with the request wrapped so that it keeps the file system, only after confirmation.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { rollbackOnAws, startRollbackOnAws } from '../../cli/commands/aws.js';
import { ExitCode, type CliContext } from '../../cli/context.js';
import { REGION, REQUEST_ID, awsError, executionArn, machines, stackOutputs } from './aws-fixtures.js';

const sfn = mockClient(SFNClient);
const cfn = mockClient(CloudFormationClient);
const example = readFileSync('examples/request.json', 'utf8');
const original = executionArn('rollbackOnFailure', REQUEST_ID);

function context() {
  const io = { out: '', err: '', code: undefined as ExitCode | undefined };
  const ctx: CliContext = { io: { out: (t) => (io.out += t), err: (t) => (io.err += t) }, setExit: (c) => (io.code = c), stateDir: () => tmpdir() };
  return { ctx, io };
}

beforeEach(() => {
  sfn.reset();
  cfn.reset();
  cfn.on(DescribeStacksCommand).resolves(stackOutputs);
  sfn.on(ListExecutionsCommand).resolves({ executions: [{ name: `${REQUEST_ID}-offboard-1` } as never] });
  sfn.on(StartExecutionCommand).callsFake((input: { stateMachineArn: string; name: string }) => ({
    executionArn: `${input.stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.name}`,
    startDate: new Date(),
  }));
  sfn.on(DescribeExecutionCommand, { executionArn: original }).resolves({
    executionArn: original,
    stateMachineArn: machines.rollbackOnFailure,
    name: REQUEST_ID,
    status: 'SUCCEEDED',
    input: example,
    startDate: new Date(),
  });
  sfn.on(DescribeExecutionCommand, { executionArn: executionArn('stopOnFailure', REQUEST_ID) }).rejects(awsError('ExecutionDoesNotExist'));
});

describe('offboard --aws', () => {
  it('starts the rollback machine with {"request", "deleteFileSystem": false}, named <name>-offboard-<next n>', async () => {
    const { ctx, io } = context();
    await startRollbackOnAws(ctx, REQUEST_ID, { region: REGION, yes: true }, 'offboard');
    expect(io.err).toBe('');
    expect(io.code).toBe(ExitCode.Ok);
    const start = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(start).toMatchObject({ stateMachineArn: machines.rollback, name: `${REQUEST_ID}-offboard-2` });
    expect(JSON.parse(start.input ?? '')).toEqual({ request: JSON.parse(example), deleteFileSystem: false });
    expect(io.out).toMatch(/Offboarding genomics-scratch-2026-11 on AWS will:[\s\S]*= keep file system/);
  });

  it("with --repository sends that repository's fileSystemPath too, so that only its link is removed", async () => {
    const { ctx, io } = context();
    await startRollbackOnAws(ctx, REQUEST_ID, { region: REGION, yes: true, repository: '/genomics' }, 'offboard');
    expect(io.code).toBe(ExitCode.Ok);
    const start = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(JSON.parse(start.input ?? '')).toEqual({ request: JSON.parse(example), deleteFileSystem: false, repository: '/genomics' });
  });

  it("refuses a --repository that is none of the request's, starting nothing", async () => {
    const { ctx, io } = context();
    await startRollbackOnAws(ctx, REQUEST_ID, { region: REGION, yes: true, repository: '/nowhere' }, 'offboard');
    expect(io.code).toBe(ExitCode.BadInput);
    expect(io.err).toMatch(/--repository: "\/nowhere" is not the fileSystemPath of a repository of genomics-scratch-2026-11/);
    expect(sfn.commandCalls(StartExecutionCommand)).toEqual([]);
  });

  it('with --delete-file-system sends the bare request (a full rollback)', async () => {
    const { ctx } = context();
    await startRollbackOnAws(ctx, REQUEST_ID, { region: REGION, yes: true, deleteFileSystem: true }, 'offboard');
    expect(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input.input).toBe(example);
  });

  it('starts nothing without --yes when nobody can be asked', async () => {
    const { ctx, io } = context();
    await startRollbackOnAws(ctx, REQUEST_ID, { region: REGION }, 'offboard');
    expect(io.code).toBe(ExitCode.BadInput);
    expect(io.err).toMatch(/offboard genomics-scratch-2026-11 needs confirmation: pass --yes/);
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
  });
});

describe('rollback --aws of a succeeded onboarding', () => {
  it('asks first, and starts the full rollback once confirmed', async () => {
    const refused = context();
    await rollbackOnAws(refused.ctx, REQUEST_ID, { region: REGION, json: true });
    expect(refused.io.code).toBe(ExitCode.BadInput);
    expect(JSON.parse(refused.io.out)).toEqual({ status: 'REFUSED', problems: [{ field: '--yes', message: 'is required with --json' }] });
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 0);

    const confirmed = context();
    await rollbackOnAws(confirmed.ctx, REQUEST_ID, { region: REGION, yes: true });
    expect(confirmed.io.code).toBe(ExitCode.Ok);
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, { name: `${REQUEST_ID}-rollback-1`, input: example });
  });
});
