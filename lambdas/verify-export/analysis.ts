// data-repository-task mode: no client can read a file back, so the proof is the task's own
// result plus an access analysis of what FSx does as the SLR when it exports: s3:PutObject on
// the bucket, kms:GenerateDataKey (encrypt on write) and kms:Decrypt (read on import), under
// the bucket policy, key policy and grants as they are now.
import { requireOutput, stepOutput, type VerifyExportOutput } from '../../core/step-outputs.js';
import { reportFolder, reportObject } from '../shared/export-report.js';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { DescribeDataRepositoryTasksCommand } from '@aws-sdk/client-fsx';
import type { GrantListEntry } from '@aws-sdk/client-kms';
import { SERVICE_LINKED_ROLE_POLICY } from '../../policy/documents.js';
import { evaluateAccess } from '../../policy/evaluate.js';
import type { AccessDecision, AccessRequest, KmsGrant } from '../../policy/types.js';
import { readBucketPolicy } from '../shared/bucket-policy.js';
import { ErrorNames, OnboardingError } from '../../core/errors.js';
import { listGrants } from '../shared/grants.js';
import { readKeyPolicy } from '../shared/key-policy.js';
import { bucketArn, GRANT_OPERATIONS, serviceLinkedRoleArn, serviceLinkedRoleName } from '../../core/naming.js';
import { clientsFor, isErrorNamed } from '../shared/step-support.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from '../shared/step-deps.js';

type AnalysisOutput = Omit<VerifyExportOutput, 'done' | 'attempts'>;

function toKmsGrant(g: GrantListEntry, keyArn: string, tokens: Record<string, string> = {}): KmsGrant {
  const constraints = {
    ...(g.Constraints?.EncryptionContextSubset ? { encryptionContextSubset: g.Constraints.EncryptionContextSubset } : {}),
    ...(g.Constraints?.EncryptionContextEquals ? { encryptionContextEquals: g.Constraints.EncryptionContextEquals } : {}),
  };
  return {
    grantId: g.GrantId ?? '',
    ...(g.Name ? { name: g.Name } : {}),
    keyArn: g.KeyId ?? keyArn,
    granteePrincipal: g.GranteePrincipal ?? '',
    ...(g.RetiringPrincipal ? { retiringPrincipal: g.RetiringPrincipal } : {}),
    operations: g.Operations ?? [],
    ...(Object.keys(constraints).length ? { constraints } : {}),
    effectiveAt: g.CreationDate?.getTime() ?? 0,
    // ListGrants never returns tokens: only the one CreateGrant returned is known.
    grantToken: (g.GrantId && tokens[g.GrantId]) || '',
  };
}

async function readReport(input: StepInput, deps: StepDeps, reportPath: string | undefined, taskId: string): Promise<string | undefined> {
  const report = reportObject(reportPath, taskId);
  if (!report) return undefined;
  try {
    const { Body } = await clientsFor(input, deps, 'bucket').s3.send(new GetObjectCommand({ Bucket: report.bucket, Key: report.key }));
    return (await Body?.transformToString())?.split('\n').slice(0, 6).join('\n');
  } catch (e) {
    if (isErrorNamed(e, 'NoSuchKey', 'NotFound')) return undefined;
    throw e;
  }
}

export async function verifyByAnalysis(input: StepInput, deps: StepDeps): Promise<AnalysisOutput> {
  const { request, context } = input;
  const start = stepOutput(input, 'StartTestExport');
  const taskId = requireOutput(input, 'StartTestExport', 'taskId', 'VerifyExport');
  const { fsx } = clientsFor(input, deps, 'fileSystem');
  const task = (await fsx.send(new DescribeDataRepositoryTasksCommand({ TaskIds: [taskId] }))).DataRepositoryTasks?.[0];
  const status = { total: task?.Status?.TotalCount ?? 0, succeeded: task?.Status?.SucceededCount ?? 0, failed: task?.Status?.FailedCount ?? 0 };
  const reportPath = task?.Report?.Path;
  if (task?.Lifecycle !== 'SUCCEEDED' || status.failed > 0) {
    const report = status.failed > 0 ? await readReport(input, deps, reportPath, taskId) : undefined;
    throw new OnboardingError(
      ErrorNames.ExportTaskFailed,
      `Export task ${taskId} ended ${task?.Lifecycle ?? 'UNKNOWN'} (${status.succeeded}/${status.total} files exported, ${status.failed} failed)${task?.FailureDetails?.Message ? `: ${task.FailureDetails.Message}` : ''}${reportPath ? `; report under ${reportPath}/${reportFolder(taskId)}/` : ''}${report ? `:\n${report}` : ''}`,
    );
  }

  const fileSystemId = requireOutput(input, 'CreateFileSystem', 'fileSystemId', 'VerifyExport');
  const slrArn = stepOutput(input, 'WaitForServiceLinkedRole')?.roleArn ?? serviceLinkedRoleArn(context.accounts.fileSystem, fileSystemId);
  const principal = {
    arn: slrArn,
    sessionArn: `arn:aws:sts::${context.accounts.fileSystem}:assumed-role/${serviceLinkedRoleName(fileSystemId)}/FSx`,
    account: context.accounts.fileSystem,
    type: 'AWS' as const,
  };
  const canary = start?.canary;
  const objectArn = `${bucketArn(request)}/${canary?.toS3.s3Key ?? `${request.bucket.prefix}object`}`;

  const bucketPolicy = await readBucketPolicy(clientsFor(input, deps, 'bucket').s3, request.bucket.name);
  const { kms } = clientsFor(input, deps, 'key');
  const keyPolicy = await readKeyPolicy(kms, request.key.arn);
  const grantId = stepOutput(input, 'CreateGrant')?.grantId;
  const grantToken = stepOutput(input, 'CreateGrant')?.grantToken;
  const tokens: Record<string, string> = grantId && grantToken ? { [grantId]: grantToken } : {};
  // Grants are listed from account A, where CreateGrant made them (the key role has no grant permissions).
  const grants = (await listGrants(clientsFor(input, deps, 'fileSystem').kms, request.key.arn)).map((g) => toKmsGrant(g, request.key.arn, tokens));
  const kmsContext = {
    'kms:ViaService': `s3.${request.region}.amazonaws.com`,
    'kms:CallerAccount': context.accounts.fileSystem,
    // With S3 Bucket Keys, KMS sees the bucket ARN as encryption context, not the object's.
    'kms:EncryptionContext:aws:s3:arn': request.bucket.bucketKeyEnabled ? bucketArn(request) : objectArn,
  };
  const checks: AccessRequest[] = [
    { action: 's3:PutObject', resource: objectArn, resourceAccount: context.accounts.bucket, principal },
    { action: 'kms:GenerateDataKey', resource: request.key.arn, resourceAccount: context.accounts.key, principal, context: kmsContext },
    { action: 'kms:Decrypt', resource: request.key.arn, resourceAccount: context.accounts.key, principal, context: kmsContext },
  ];
  // Grants are judged at the export's end on FSx's clock, the clock their CreationDate is on;
  // this function's own clock may differ (and a re-run's reused task ended long ago).
  const now = task.EndTime?.getTime() ?? Date.now();
  const decisions: { request: AccessRequest; decision: AccessDecision }[] = checks.map((check) => ({
    request: check,
    decision: evaluateAccess({
      request: check,
      identityPolicies: [SERVICE_LINKED_ROLE_POLICY],
      ...(check.action.startsWith('s3:')
        ? bucketPolicy
          ? { resourcePolicy: bucketPolicy }
          : {}
        : { resourcePolicy: keyPolicy, kms: { grants, ...(grantToken ? { grantTokens: [grantToken] } : {}), now } }),
    }),
  }));
  const denied = decisions.find((d) => !d.decision.allowed);
  if (denied) {
    const { action, resource } = denied.request;
    const why =
      denied.decision.message ??
      `${principal.sessionArn} is not authorized to perform: ${action} on resource: ${resource} (${denied.decision.deniedBecause ?? 'denied'})`;
    const fix = action.startsWith('s3:')
      ? `Fix: the bucket policy of ${request.bucket.name} must allow ${slrArn} (statements ${context.names.bucketAccessSid}, ${context.names.bucketObjectAccessSid}); redrive from NarrowBucketPolicy.`
      : `Fix: the SLR ${slrArn} needs a grant on ${request.key.arn} (operations ${GRANT_OPERATIONS.join(', ')}, name ${context.names.grantName}) and the key-policy statement ${context.names.keyUseSid}; redrive from CreateGrant.`;
    throw new OnboardingError(
      action === 'kms:Decrypt' ? ErrorNames.DecryptFailed : ErrorNames.ExportNotLanded,
      `Access analysis denies ${action} to ${slrArn}: ${why}. ${fix}`,
    );
  }
  return {
    changed: false,
    proof: 'analysis',
    evidence: {
      task: { taskId, lifecycle: task.Lifecycle, ...status, ...(reportPath ? { reportPath } : {}) },
      // An export task exports only new or changed files: say exactly what this one exercised.
      exercised:
        status.succeeded > 0
          ? `${status.succeeded} file(s) written to S3 by FSx as the SLR under the bucket's default encryption`
          : 'no file: the task found nothing new or changed to export, so no S3 write or KMS encryption was exercised; only the access analysis below stands as evidence',
      principal: slrArn,
      access: decisions.map((d) => ({
        action: d.request.action,
        resource: d.request.resource,
        allowed: d.decision.allowed,
        allowedBy: d.decision.allowedBy ?? [],
      })),
    },
  };
}
