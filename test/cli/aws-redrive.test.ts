import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, RedriveExecutionCommand, SFNClient, type DescribeExecutionOutput } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../../cli/context.js';
import { HistoryBuilder, REGION, REQUEST_ID, awsError, cli, executionArn, machines, stackOutputs } from './aws-fixtures.js';

const sfn = mockClient(SFNClient);
const cfn = mockClient(CloudFormationClient);
const stopArn = executionArn('stopOnFailure', REQUEST_ID);
const rolledBackArn = executionArn('rollbackOnFailure', REQUEST_ID);

function stopped(h: HistoryBuilder) {
  let id = h.task('ValidateRequest', h.started());
  id = h.task('CreateGrant', id, { error: 'PrincipalNotYetPropagated', cause: 'Invalid principal' });
  h.failed(id, 'PrincipalNotYetPropagated', 'Invalid principal');
}

function rolledBack(h: HistoryBuilder) {
  let id = h.task('ValidateRequest', h.started());
  id = h.task('CreateGrant', id, { error: 'AccessDeniedException', cause: 'kms:CreateGrant denied' });
  id = h.task('CleanUpTestExport', id);
  h.failed(id, 'AccessDeniedException', 'kms:CreateGrant denied | rolled back; left behind: {}', 'RolledBack');
}

function given(arn: string, facts: Partial<DescribeExecutionOutput>, history: (h: HistoryBuilder) => void = stopped) {
  const h = new HistoryBuilder();
  history(h);
  const machine = arn === stopArn ? machines.stopOnFailure : machines.rollbackOnFailure;
  sfn
    .on(DescribeExecutionCommand, { executionArn: arn })
    .resolves({ executionArn: arn, stateMachineArn: machine, name: REQUEST_ID, status: 'FAILED', stopDate: new Date(), ...facts });
  sfn.on(GetExecutionHistoryCommand, { executionArn: arn }).resolves({ events: h.events });
}

beforeEach(() => {
  sfn.reset();
  cfn.reset();
  cfn.on(DescribeStacksCommand).resolves(stackOutputs);
  sfn.on(DescribeExecutionCommand).rejects(awsError('ExecutionDoesNotExist'));
  sfn.on(RedriveExecutionCommand).resolves({ redriveDate: new Date() });
});

describe('fsx-onboard redrive', () => {
  it('redrives a failed stop-mode execution, found by name, and says where it restarts', async () => {
    given(stopArn, {});
    const result = await cli('redrive', REQUEST_ID, '--region', REGION);
    expect(result.err).toBe('');
    expect(result.code).toBe(ExitCode.Ok);
    expect(sfn).toHaveReceivedCommandWith(RedriveExecutionCommand, { executionArn: stopArn });
    expect(result.out).toMatch(/Redrove genomics-scratch-2026-11: it restarts at CreateGrant/);
  });

  const daysAgo = (n: number) => new Date(Date.now() - n * 24 * 60 * 60 * 1000);
  it.each([
    ['a SUCCEEDED execution', stopArn, { status: 'SUCCEEDED' as const }, stopped, /succeeded: there is nothing to redrive/],
    ['a RUNNING execution', stopArn, { status: 'RUNNING' as const }, stopped, /is still running \(status RUNNING\): follow it with fsx-onboard status/],
    [
      'an execution that rolled back (it ended in the RolledBack Fail state)',
      rolledBackArn,
      {},
      rolledBack,
      /failed at CreateGrant \(AccessDeniedException\) and was rolled back: it ended in the RolledBack Fail state, so a redrive would only re-enter that Fail state.*new requestId/,
    ],
    [
      'an execution stopped more than 14 days ago',
      stopArn,
      { stopDate: daysAgo(15) },
      stopped,
      /more than 14 days ago; Step Functions redrives an execution only within 14 days.*fsx-onboard rollback genomics-scratch-2026-11 --aws/,
    ],
    [
      'an execution Step Functions marks NOT_REDRIVABLE',
      stopArn,
      { redriveStatus: 'NOT_REDRIVABLE' as const, redriveStatusReason: 'Execution history event limit exceeded' },
      stopped,
      /cannot be redriven: Step Functions says "Execution history event limit exceeded"/,
    ],
  ])('refuses %s with the reason and what to do instead, sending no redrive', async (_what, arn, facts, history, message) => {
    given(arn, facts, history);
    const result = await cli('redrive', arn, '--region', REGION);
    expect(result.code).toBe(ExitCode.BadInput);
    expect(result.err).toMatch(message);
    expect(sfn).toHaveReceivedCommandTimes(RedriveExecutionCommand, 0);
  });

  it.each([
    [
      'ExecutionNotRedrivable',
      /refused to redrive genomics-scratch-2026-11: .*FAILED, ABORTED or TIMED_OUT execution that stopped less than 14 days ago.*fsx-onboard rollback/,
    ],
    ['ExecutionLimitExceeded', /quota of open executions in us-east-1.*then run fsx-onboard redrive genomics-scratch-2026-11 again/],
  ])('explains %s returned by RedriveExecution', async (name, message) => {
    given(stopArn, {});
    sfn.on(RedriveExecutionCommand).rejects(awsError(name, `${name} from Step Functions`));
    const result = await cli('redrive', stopArn, '--region', REGION, '--json');
    expect(result.code).toBe(ExitCode.BadInput);
    expect(JSON.parse(result.out)).toMatchObject({ status: 'ERROR', message: expect.stringMatching(message) });
  });

  it('explains an identity that may not redrive', async () => {
    given(stopArn, {});
    sfn.on(RedriveExecutionCommand).rejects(awsError('AccessDeniedException', 'User: arn:aws:iam::111111111111:user/ops is not authorized'));
    const result = await cli('redrive', stopArn, '--region', REGION);
    expect(result.err).toMatch(/your identity may not call states:RedriveExecution \(AccessDeniedException: User: .*\/ops is not authorized\)/);
  });
});
