import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../../cli/context.js';
import { diagnose } from '../../cli/aws/diagnose.js';
import { HistoryBuilder, KEY_ARN, REGION, REQUEST_ID, awsError, cli, executionArn, machines, stackOutputs } from './aws-fixtures.js';

const sfn = mockClient(SFNClient);
const cfn = mockClient(CloudFormationClient);
const trail = mockClient(CloudTrailClient);
const example = readFileSync('examples/request.json', 'utf8');
const arn = executionArn('stopOnFailure', REQUEST_ID);
const SLR_SESSION = 'arn:aws:sts::111111111111:assumed-role/AWSServiceRoleForFSxS3Access_fs-0123456789abcdef0/FSx';
const SLR_ROLE = 'arn:aws:iam::111111111111:role/aws-service-role/s3.data-source.lustre.fsx.amazonaws.com/AWSServiceRoleForFSxS3Access_fs-0123456789abcdef0';
const started = new Date('2026-11-27T08:00:00Z');

/** A CloudTrail event as LookupEvents returns it: the record is a JSON string. */
function trailEvent(source: string, eventName: string, record: Record<string, unknown>) {
  return {
    EventName: eventName,
    EventSource: source,
    CloudTrailEvent: JSON.stringify({ eventSource: source, eventName, eventTime: '2026-11-27T08:20:00Z', recipientAccountId: '111111111111', ...record }),
  };
}
const slrDenied = (eventName: string) =>
  trailEvent('kms.amazonaws.com', eventName, {
    userIdentity: { type: 'AssumedRole', arn: SLR_SESSION, accountId: '111111111111', invokedBy: 'fsx.amazonaws.com' },
    errorCode: 'AccessDenied',
    errorMessage: `User: ${SLR_SESSION} is not authorized to perform: kms:${eventName}`,
    resources: [{ type: 'AWS::KMS::Key', ARN: KEY_ARN }],
  });

function failedAt(step: string, error: string, cause: string): Date {
  const h = new HistoryBuilder(started);
  const id = h.task(step, h.task('ValidateRequest', h.started()), { error, cause });
  const at = h.at();
  h.failed(id, error, cause);
  sfn.on(DescribeExecutionCommand, { executionArn: arn }).resolves({
    executionArn: arn,
    stateMachineArn: machines.stopOnFailure,
    name: REQUEST_ID,
    status: 'FAILED',
    input: example,
    startDate: started,
    stopDate: h.at(),
    error,
    cause,
  });
  sfn.on(GetExecutionHistoryCommand).resolves({ events: h.events });
  return at;
}

beforeEach(() => {
  sfn.reset();
  cfn.reset();
  trail.reset();
  cfn.on(DescribeStacksCommand).resolves(stackOutputs);
  sfn.on(DescribeExecutionCommand).rejects(awsError('ExecutionDoesNotExist'));
  trail.on(LookupEventsCommand).resolves({ Events: [] });
});

describe('fsx-onboard diagnose', () => {
  it('names the denied KMS action, the SLR session and the key, and gives the grant as the fix', async () => {
    const at = failedAt('VerifyExport', 'DecryptFailed', 'cat: /fsx/genomics/.fsx-onboard-canary/from-s3.txt: No data available');
    trail.on(LookupEventsCommand, { LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 'kms.amazonaws.com' }] }).resolves({
      Events: [
        slrDenied('Decrypt'),
        slrDenied('Decrypt'),
        // Not a denial, and a denial on somebody else's key: neither explains this run.
        trailEvent('kms.amazonaws.com', 'DescribeKey', {
          userIdentity: { arn: 'arn:aws:sts::111111111111:assumed-role/ops/me' },
          resources: [{ ARN: KEY_ARN }],
        }),
        trailEvent('kms.amazonaws.com', 'Decrypt', {
          userIdentity: { arn: 'arn:aws:sts::111111111111:assumed-role/app/x' },
          errorCode: 'AccessDenied',
          resources: [{ ARN: 'arn:aws:kms:us-east-1:333333333333:key/other' }],
        }),
      ],
    });
    const result = await cli('diagnose', REQUEST_ID, '--region', REGION);
    expect(result.err).toBe('');
    expect(result.code).toBe(ExitCode.ExecutionFailed);
    for (const source of ['kms.amazonaws.com', 's3.amazonaws.com']) {
      expect(trail).toHaveReceivedCommandWith(LookupEventsCommand, {
        LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: source }],
        StartTime: started,
        EndTime: new Date(at.getTime() + 5 * 60 * 1000),
      });
    }
    expect(result.out).toMatch(/failed step: VerifyExport\n {2}error: DecryptFailed/);
    expect(result.out).toMatch(
      /denied action: kms:Decrypt\n {2}principal: +arn:aws:sts::111111111111:assumed-role\/AWSServiceRoleForFSxS3Access_fs-0123456789abcdef0\/FSx\n {2}resource: +arn:aws:kms:us-east-1:333333333333:key\/2a1bae3d/,
    );
    expect(result.out).toMatch(/✗ CloudTrail \(account 111111111111, 2 times, last at 2026-11-27T08:20:00Z\): kms:Decrypt AccessDenied/);
    expect(result.out).toContain(
      `aws kms create-grant --region us-east-1 --key-id ${KEY_ARN} --grantee-principal ${SLR_ROLE} --operations Decrypt Encrypt GenerateDataKey`,
    );
    // The grant is made from the file system's account, as the FSx Lustre User Guide requires.
    expect(result.out).toMatch(/from the file system's account \(111111111111\); by hand, with credentials of that account/);
    expect(result.out).toContain(`--name fsx-onboard-${REQUEST_ID}`);
    expect(result.out).not.toMatch(/assumed-role\/app\/x|kms:DescribeKey/);
    expect(result.out).toMatch(/After the fix: fsx-onboard redrive genomics-scratch-2026-11/);
  });

  it('gives the bucket statements as the fix for an S3 denial, in JSON with --json', async () => {
    failedAt('NarrowBucketPolicy', 'AccessDenied', 'PutBucketPolicy denied');
    trail.on(LookupEventsCommand, { LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 's3.amazonaws.com' }] }).resolves({
      Events: [
        trailEvent('s3.amazonaws.com', 'GetBucketLocation', {
          userIdentity: { arn: SLR_SESSION },
          errorCode: 'AccessDenied',
          requestParameters: { bucketName: 'genomics-reference-data' },
        }),
      ],
    });
    const result = await cli('diagnose', arn, '--region', REGION, '--json');
    const diagnosis = JSON.parse(result.out);
    expect(diagnosis).toMatchObject({ name: REQUEST_ID, status: 'FAILED', failedStep: { name: 'NarrowBucketPolicy', error: 'AccessDenied' } });
    expect(diagnosis.findings).toHaveLength(1);
    expect(diagnosis.findings[0]).toMatchObject({ action: 's3:GetBucketLocation', principal: SLR_SESSION, resource: 'arn:aws:s3:::genomics-reference-data' });
    expect(diagnosis.findings[0].fix).toMatch(
      /bucket policy of genomics-reference-data must allow this principal: this request's statements FsxOnboard\w+Bucket and FsxOnboard\w+Objects/,
    );
  });

  it('points a denied fsx-onboard target role at the deployment context', async () => {
    failedAt('ShareKey', 'AccessDeniedException', 'kms:GetKeyPolicy denied');
    trail.on(LookupEventsCommand, { LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 'kms.amazonaws.com' }] }).resolves({
      Events: [
        trailEvent('kms.amazonaws.com', 'GetKeyPolicy', {
          userIdentity: { arn: 'arn:aws:sts::333333333333:assumed-role/fsx-onboard-key/fsx-onboard' },
          errorCode: 'AccessDenied',
          resources: [{ ARN: KEY_ARN }],
        }),
      ],
    });
    const result = await cli('diagnose', arn, '--region', REGION);
    expect(result.out).toMatch(/fix: the fsx-onboard-key role's policy \(target-roles stack\) allows kms:GetKeyPolicy only on .*keyArns context/);
  });

  it('advises waiting and redriving for a propagation error with no denial in CloudTrail', async () => {
    failedAt('NarrowBucketPolicy', 'PrincipalNotYetPropagated', 'MalformedPolicy: Invalid principal in policy');
    const result = await cli('diagnose', arn, '--region', REGION);
    expect(result.out).toMatch(/PrincipalNotYetPropagated: IAM had not yet propagated a new principal .* wait a minute or two/);
    expect(result.out).toMatch(/fsx-onboard redrive genomics-scratch-2026-11/);
  });

  it('reports a failed CloudTrail lookup beside the step error instead of failing', async () => {
    failedAt('VerifyExport', 'ExportNotLanded', 'no object');
    trail.on(LookupEventsCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform cloudtrail:LookupEvents'));
    const result = await cli('diagnose', arn, '--region', REGION);
    expect(result.code).toBe(ExitCode.ExecutionFailed);
    expect(result.out).toMatch(/! CloudTrail lookup in the caller's account failed \(AccessDeniedException: not authorized/);
    expect(result.out).toMatch(/--trail-profile/);
  });

  it("searches another account's trail with --trail-profile", async () => {
    failedAt('VerifyExport', 'DecryptFailed', 'No data available');
    const result = await cli('diagnose', arn, '--region', REGION, '--trail-profile', 'account-c');
    expect(result.code).toBe(ExitCode.ExecutionFailed);
    // Two sources (KMS, S3) in each of two trails.
    expect(trail).toHaveReceivedCommandTimes(LookupEventsCommand, 4);
    expect(result.out).toMatch(/No AccessDenied from KMS or S3 in CloudTrail between 2026-11-27T08:00:00.000Z and/);
  });

  it('says where a denied cross-account KMS request is logged, and when the evidence may still be on its way', async () => {
    const at = failedAt('VerifyExport', 'ExportNotLanded', 'no object');
    const clients = {
      sfn: new SFNClient({ region: REGION }),
      cloudformation: new CloudFormationClient({ region: REGION }),
      cloudtrail: new CloudTrailClient({ region: REGION }),
      region: REGION,
    };
    const recent = await diagnose(clients, { region: REGION }, arn, [], new Date(at.getTime() + 2 * 60_000));
    expect(recent.advice.join('\n')).toMatch(
      /denied cross-account request only in the caller's account: for FSx's service-linked role that is the file system's account \(A\)/,
    );
    expect(recent.advice.join('\n')).toMatch(
      new RegExp(
        `The failure was 2 minutes ago: .* may not have arrived yet\\. Run diagnose again after ${new Date(at.getTime() + 15 * 60_000).toISOString()}`,
      ),
    );
    const later = await diagnose(clients, { region: REGION }, arn, [], new Date(at.getTime() + 20 * 60_000));
    expect(later.advice.join('\n')).not.toMatch(/may not have arrived yet/);
  });

  it('has nothing to diagnose in a succeeded execution', async () => {
    sfn
      .on(DescribeExecutionCommand, { executionArn: arn })
      .resolves({ executionArn: arn, stateMachineArn: machines.stopOnFailure, name: REQUEST_ID, status: 'SUCCEEDED', startDate: started });
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
    const result = await cli('diagnose', arn, '--region', REGION);
    expect(result.code).toBe(ExitCode.Ok);
    expect(result.out).toMatch(/is SUCCEEDED: there is no failure to diagnose/);
    expect(trail).toHaveReceivedCommandTimes(LookupEventsCommand, 0);
  });
});
