// Blog steps 4 and 7, automated. The bucket role puts an S3-side canary (encrypted by the
// bucket default) for the mount to read; then either a Lustre client writes and archives a
// canary (hsm_archive returns at once and never reports a denied export, hence the polls and
// the verification after), or an EXPORT_TO_REPOSITORY task runs.
import { CreateDataRepositoryTaskCommand } from '@aws-sdk/client-fsx';
import { findExportTask, reportPath } from '../shared/export-report.js';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { canaryFor } from '../../core/canary.js';
import { exportCommands, sendShellCommand } from '../shared/client-commands.js';
import { ErrorNames, OnboardingError } from '../../core/errors.js';
import { headObject } from '../shared/objects.js';
import { baselineOf } from '../shared/run-baseline.js';
import { clientsFor, resourceTags } from '../shared/step-support.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from '../shared/step-deps.js';
import { requireOutput, stepOutput, type StartTestExportOutput } from '../../core/step-outputs.js';

export async function startTestExport(input: StepInput, deps: StepDeps<'s3' | 'fsx' | 'ssm'>): Promise<StartTestExportOutput> {
  const { request, context } = input;
  const canary = canaryFor(request, context.names, baselineOf(input)?.runId);
  const bucket = request.bucket.name;
  const { s3 } = clientsFor(input, deps, 'bucket');
  let changed = false;
  if (!(await headObject(s3, bucket, canary.fromS3.s3Key))) {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: canary.fromS3.s3Key, Body: `${canary.fromS3.text}\n`, ContentType: 'text/plain' }));
    changed = true;
  }
  const fileSystemId = requireOutput(input, 'CreateFileSystem', 'fileSystemId', 'StartTestExport');
  const { fsx, ssm } = clientsFor(input, deps, 'fileSystem');

  if (request.testExport.mode === 'data-repository-task') {
    // The linked directory, which FSx creates with the link: a task path that does not exist (the
    // canary directory before FSx imported the canary) fails the task. Root: no Paths (everything).
    const linkedPath = request.fileSystem.fileSystemPath.slice(1);
    const existing = await findExportTask(fsx, fileSystemId, request.requestId, linkedPath || canary.directory.fileSystemRelativePath);
    const task =
      existing ??
      (
        await fsx.send(
          new CreateDataRepositoryTaskCommand({
            Type: 'EXPORT_TO_REPOSITORY',
            FileSystemId: fileSystemId,
            ...(linkedPath ? { Paths: [linkedPath] } : {}),
            // The report path must lie inside a linked repository path.
            Report: { Enabled: true, Path: reportPath(request), Format: 'REPORT_CSV_20191124', Scope: 'FAILED_FILES_ONLY' },
            ClientRequestToken: context.names.exportTaskToken,
            Tags: resourceTags(input),
          }),
        )
      ).DataRepositoryTask;
    if (!task?.TaskId) throw new OnboardingError(ErrorNames.ExportTaskFailed, 'CreateDataRepositoryTask returned no task id');
    return {
      changed: changed || !existing,
      mode: 'data-repository-task',
      taskId: task.TaskId,
      startedAt: (task.CreationTime ?? new Date()).toISOString(),
      canary,
    };
  }

  // An exported canary already in S3 means an earlier run got this far: nothing to send. Its
  // time is S3's, the services' clock that CloudTrail's is on too (not this function's).
  const landed = await headObject(s3, bucket, canary.toS3.s3Key);
  if (landed) {
    const startedAt = stepOutput(input, 'StartTestExport')?.startedAt ?? (landed.LastModified ?? new Date()).toISOString();
    return { changed, mode: 'lustre-client', startedAt, canary };
  }
  const dnsName = requireOutput(input, 'WaitForFileSystem', 'dnsName', 'StartTestExport');
  const mountName = requireOutput(input, 'WaitForFileSystem', 'mountName', 'StartTestExport');
  const instanceId = request.testExport.clientInstanceId!;
  const sent = await sendShellCommand(ssm, {
    instanceId,
    commands: exportCommands(canary, { mountPath: request.testExport.mountPath, dnsName, mountName }),
    comment: `fsx-onboard ${request.requestId} StartTestExport`,
  });
  return { changed: true, mode: 'lustre-client', commandId: sent.commandId, startedAt: (sent.requestedAt ?? new Date()).toISOString(), canary };
}
