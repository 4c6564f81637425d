// `status` of an aborted or timed-out execution: Step Functions runs no Catch then, so the
// rollback-on-failure machine did not roll back; status says so and lists what is in place.
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../../cli/context.js';
import { HistoryBuilder, REGION, REQUEST_ID, awsError, cli, executionArn, machines, stackOutputs } from './aws-fixtures.js';

const sfn = mockClient(SFNClient);
const cfn = mockClient(CloudFormationClient);
const arn = executionArn('rollbackOnFailure', REQUEST_ID);

beforeEach(() => {
  sfn.reset();
  cfn.reset();
  cfn.on(DescribeStacksCommand).resolves(stackOutputs);
});

/** The bucket statement, the key share, the encryption change and the file system done; cut off while waiting for it. */
function interrupted(end: 'ExecutionAborted' | 'ExecutionTimedOut', status: 'ABORTED' | 'TIMED_OUT'): void {
  const h = new HistoryBuilder();
  let id = h.task('ValidateRequest', h.started());
  id = h.task('PutBucketAccessPolicy', id);
  const parallel = h.push('ParallelStateStarted', h.enter('PrepareKeyAndFileSystem', id, 'ParallelStateEntered'));
  const key = h.task('ShareKey', parallel);
  h.task('SetDefaultEncryption', key);
  const fs = h.task('CreateFileSystem', parallel);
  const waiting = h.push('LambdaFunctionScheduled', h.enter('WaitForFileSystem', fs));
  const details =
    end === 'ExecutionAborted' ? { executionAbortedEventDetails: { error: 'Aborted' } } : { executionTimedOutEventDetails: { error: 'States.Timeout' } };
  h.push(end, waiting, details);
  sfn.on(DescribeExecutionCommand, { executionArn: arn }).resolves({
    executionArn: arn,
    stateMachineArn: machines.rollbackOnFailure,
    name: REQUEST_ID,
    status,
    input: JSON.stringify({ requestId: REQUEST_ID, bucket: { name: 'genomics-reference-data' } }),
    startDate: new Date('2026-11-27T08:00:00Z'),
    stopDate: h.at(),
  });
  sfn.on(DescribeExecutionCommand, { executionArn: executionArn('stopOnFailure', REQUEST_ID) }).rejects(awsError('ExecutionDoesNotExist'));
  sfn.on(GetExecutionHistoryCommand, { executionArn: arn }).resolves({ events: h.events });
}

describe('fsx-onboard status of an interrupted execution', () => {
  it('says an aborted run was not rolled back, and lists each change still in place with its compensation', async () => {
    interrupted('ExecutionAborted', 'ABORTED');
    const result = await cli('status', REQUEST_ID, '--region', REGION);
    expect(result.code).toBe(ExitCode.ExecutionFailed);
    expect(result.out).not.toMatch(/This run rolled back/);
    expect(result.out).toMatch(/This run was aborted: Step Functions runs no Catch on an abort, so nothing was rolled back/);
    expect(result.out).toMatch(/PutBucketAccessPolicy +undone by RemoveBucketAccess/);
    expect(result.out).toMatch(/CreateFileSystem +undone by DeleteFileSystem/);
    expect(result.out).toMatch(/change record \/fsx-onboard\/change-records\/genomics-reference-data\/genomics-scratch-2026-11/);
    expect(result.out).toMatch(/fsx-onboard redrive genomics-scratch-2026-11 .*fsx-onboard rollback genomics-scratch-2026-11 --aws/);
    expect(result.out).toMatch(/· WaitForFileSystem +stopped/);
  });

  it('reports a timed-out run the same way in JSON', async () => {
    interrupted('ExecutionTimedOut', 'TIMED_OUT');
    const report = JSON.parse((await cli('status', REQUEST_ID, '--region', REGION, '--json')).out);
    expect(report.interrupted).toEqual({
      how: 'timed out',
      leftInPlace: [
        { step: 'PutBucketAccessPolicy', undoneBy: 'RemoveBucketAccess' },
        { step: 'ShareKey', undoneBy: 'UnshareKey' },
        { step: 'SetDefaultEncryption', undoneBy: 'RestoreDefaultEncryption' },
        { step: 'CreateFileSystem', undoneBy: 'DeleteFileSystem' },
      ],
      changeRecord: '/fsx-onboard/change-records/genomics-reference-data/genomics-scratch-2026-11',
    });
    expect(report.next).toMatch(/does not roll back a timed-out execution/);
  });
});
