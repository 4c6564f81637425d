import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../../cli/context.js';
import { parseHistory } from '../../cli/aws/history.js';
import { HistoryBuilder, REGION, REQUEST_ID, awsError, cli, executionArn, stackOutputs } from './aws-fixtures.js';

const sfn = mockClient(SFNClient);
const cfn = mockClient(CloudFormationClient);

beforeEach(() => {
  sfn.reset();
  cfn.reset();
  cfn.on(DescribeStacksCommand).resolves(stackOutputs);
});

/** A stop-mode run: both Parallel branches interleaved, a retried step, a poll loop, then CreateGrant fails for good. */
function stopModeFailure(): HistoryBuilder {
  const h = new HistoryBuilder();
  let id = h.task('ValidateRequest', h.started());
  id = h.task('PutBucketAccessPolicy', id);
  const parallel = h.push('ParallelStateStarted', h.enter('PrepareKeyAndFileSystem', id, 'ParallelStateEntered'));
  // Branch events interleave; only previousEventId tells them apart.
  const keyEntered = h.enter('ShareKey', parallel);
  const fsEntered = h.enter('CreateFileSystem', parallel);
  const keyFailed = h.attempt(keyEntered, { error: 'ThrottlingException', cause: 'Rate exceeded' });
  const fsDone = h.exit('CreateFileSystem', h.attempt(fsEntered));
  const keyDone = h.exit('ShareKey', h.attempt(keyFailed));
  h.task('SetDefaultEncryption', keyDone);
  const polled = h.poll('WaitForFileSystem', fsDone, 3);
  id = h.exit('PrepareKeyAndFileSystem', h.push('ParallelStateSucceeded', polled), 'ParallelStateExited');
  id = h.task('CreateDataRepositoryAssociation', id);
  id = h.poll('WaitForDataRepositoryAssociation', id, 2);
  id = h.poll('WaitForServiceLinkedRole', id, 1);
  id = h.task('NarrowBucketPolicy', id);
  const denied = {
    error: 'AccessDeniedException',
    cause: 'User: arn:aws:sts::333333333333:assumed-role/fsx-onboard-key/fsx-onboard is not authorized to perform: kms:CreateGrant',
  };
  id = h.task('CreateGrant', id, denied);
  h.failed(id, denied.error, denied.cause);
  return h;
}

describe('parseHistory', () => {
  it('reads each Task state once, with poll loops collapsed into checks and retries into attempts', () => {
    const { steps, failedStep, error, ended } = parseHistory(stopModeFailure().events);
    const byName = Object.fromEntries(steps.map((s) => [s.name, s]));
    expect(steps.map((s) => s.name)).toEqual([
      'ValidateRequest',
      'PutBucketAccessPolicy',
      'ShareKey',
      'CreateFileSystem',
      'SetDefaultEncryption',
      'WaitForFileSystem',
      'CreateDataRepositoryAssociation',
      'WaitForDataRepositoryAssociation',
      'WaitForServiceLinkedRole',
      'NarrowBucketPolicy',
      'CreateGrant',
    ]);
    expect(byName['ShareKey']).toMatchObject({ status: 'succeeded', attempts: 2, checks: 1, retriedErrors: ['ThrottlingException'] });
    expect(byName['CreateFileSystem']).toMatchObject({ status: 'succeeded', attempts: 1, retriedErrors: [] });
    expect(byName['WaitForFileSystem']).toMatchObject({ status: 'succeeded', attempts: 3, checks: 3 });
    expect(byName['CreateGrant']).toMatchObject({ status: 'failed', attempts: 1, error: 'AccessDeniedException' });
    expect(failedStep?.name).toBe('CreateGrant');
    expect({ error, ended }).toEqual({ error: 'AccessDeniedException', ended: 'FAILED' });
  });

  it('names the forward step that failed, not the compensations, after a rollback; and the RolledBack Fail state', () => {
    const h = new HistoryBuilder();
    let id = h.task('ValidateRequest', h.started());
    id = h.task('PutBucketAccessPolicy', id, { error: 'AccessDenied', cause: 'PutBucketPolicy denied' });
    id = h.exit('RollbackStarted', h.enter('RollbackStarted', id, 'PassStateEntered'), 'PassStateExited');
    id = h.task('CleanUpTestExport', id);
    id = h.task('RemoveBucketAccess', id, { error: 'AccessDenied', cause: 'GetBucketPolicy denied' });
    const parsed = parseHistory(h.events.concat());
    h.failed(id, 'AccessDenied', 'PutBucketPolicy denied | rolled back; left behind: {...}', 'RolledBack');
    const done = parseHistory(h.events);
    expect(parsed.ended).toBeUndefined();
    expect(done.failedStep?.name).toBe('PutBucketAccessPolicy');
    expect(done.failState).toBe('RolledBack');
    expect(done.steps.find((s) => s.name === 'RemoveBucketAccess')).toMatchObject({ status: 'failed', compensation: true });
  });

  it('marks a step cut off by the end of the execution as stopped, and as running again after a redrive', () => {
    const h = new HistoryBuilder();
    const entered = h.enter('WaitForFileSystem', h.started());
    const scheduled = h.push('LambdaFunctionScheduled', entered);
    h.push('ExecutionAborted', scheduled, { executionAbortedEventDetails: { error: 'Aborted' } });
    expect(parseHistory(h.events)).toMatchObject({ ended: 'ABORTED', steps: [{ name: 'WaitForFileSystem', status: 'stopped' }] });
    h.push('ExecutionRedriven', h.events.length, { executionRedrivenEventDetails: { redriveCount: 1 } });
    expect(parseHistory(h.events)).toMatchObject({ redrives: 1, steps: [{ status: 'running' }] });
    expect(parseHistory(h.events).ended).toBeUndefined();
  });
});

describe('fsx-onboard status', () => {
  const arn = executionArn('stopOnFailure', REQUEST_ID);

  function failedExecution() {
    const h = stopModeFailure();
    sfn.on(DescribeExecutionCommand, { executionArn: executionArn('rollbackOnFailure', REQUEST_ID) }).rejects(awsError('ExecutionDoesNotExist'));
    sfn.on(DescribeExecutionCommand, { executionArn: arn }).resolves({
      executionArn: arn,
      stateMachineArn: arn.replace(':execution:', ':stateMachine:').replace(`:${REQUEST_ID}`, ''),
      name: REQUEST_ID,
      status: 'FAILED',
      startDate: new Date('2026-11-27T08:00:00Z'),
      stopDate: h.at(),
      error: 'AccessDeniedException',
      cause: 'not authorized to perform: kms:CreateGrant',
    });
    // Two pages: the second asked for with the first's token.
    const half = Math.floor(h.events.length / 2);
    sfn.on(GetExecutionHistoryCommand, { executionArn: arn }).resolves({ events: h.events.slice(0, half), nextToken: 'page-2' });
    sfn.on(GetExecutionHistoryCommand, { executionArn: arn, nextToken: 'page-2' }).resolves({ events: h.events.slice(half) });
  }

  it('finds an execution by name on the machine that ran it, reads every page of its history, exit code 2 when it failed', async () => {
    failedExecution();
    const result = await cli('status', REQUEST_ID, '--region', REGION);
    expect(result.err).toBe('');
    expect(result.code).toBe(ExitCode.ExecutionFailed);
    expect(cfn).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'FsxOnboardOrchestrator' });
    expect(sfn).toHaveReceivedCommandTimes(GetExecutionHistoryCommand, 2);
    expect(sfn).toHaveReceivedNthCommandWith(GetExecutionHistoryCommand, 2, { executionArn: arn, nextToken: 'page-2', includeExecutionData: false });
    expect(result.out).toMatch(/Execution genomics-scratch-2026-11 on fsx-onboard-stop-on-failure: FAILED/);
    expect(result.out).toMatch(/✓ WaitForFileSystem +succeeded +3 checks/);
    expect(result.out).toMatch(/✓ ShareKey +succeeded +2 attempts, retried after ThrottlingException/);
    expect(result.out).toMatch(/✗ CreateGrant +failed +AccessDeniedException: User: .*kms:CreateGrant/);
    expect(result.out).toMatch(/fsx-onboard diagnose genomics-scratch-2026-11/);
    expect(result.out).toMatch(/fsx-onboard redrive genomics-scratch-2026-11/);
  });

  it('prints the steps as JSON with --json, and takes an execution ARN without a stack lookup', async () => {
    failedExecution();
    const result = await cli('status', arn, '--region', REGION, '--json');
    const report = JSON.parse(result.out);
    expect(cfn).toHaveReceivedCommandTimes(DescribeStacksCommand, 0);
    expect(report).toMatchObject({
      name: REQUEST_ID,
      status: 'FAILED',
      failedStep: 'CreateGrant',
      error: 'AccessDeniedException',
      stateMachine: 'fsx-onboard-stop-on-failure',
    });
    expect(report.steps).toHaveLength(11);
    expect(report.steps.at(-1)).toMatchObject({ name: 'CreateGrant', status: 'failed', attempts: 1, checks: 1, compensation: false });
  });

  it('says which machines it searched when no execution has the name', async () => {
    sfn.on(DescribeExecutionCommand).rejects(awsError('ExecutionDoesNotExist'));
    const result = await cli('status', 'no-such-request', '--region', REGION);
    expect(result.code).toBe(ExitCode.BadInput);
    expect(result.err).toMatch(
      /no execution named "no-such-request" on fsx-onboard-rollback-on-failure, fsx-onboard-stop-on-failure, fsx-onboard-rollback in us-east-1/,
    );
  });
});
