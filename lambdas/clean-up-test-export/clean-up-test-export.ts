// Compensation: deletes this request's canary objects (both directions) and the export
// task's completion report from the bucket. Objects that are not there are skipped, so a
// second run sends no delete.
import { stepOutput } from '../../core/step-outputs.js';
import { canaryFor } from '../../core/canary.js';
import { findTaggedFileSystems } from '../shared/file-systems.js';
import { findExportTask } from '../shared/export-report.js';
import { deleteCanary, deleteEveryCanary } from '../shared/test-export-objects.js';
import { clientsFor } from '../shared/step-support.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from '../shared/step-deps.js';
import type { CleanUpTestExportOutput } from '../../core/step-outputs.js';

/**
 * The export task's id when this execution has no StartTestExport result (a Parallel branch
 * failed, or the on-demand rollback machine): found by its tag on this request's file system.
 */
async function findOwnExportTaskId(input: StepInput, deps: StepDeps<'s3' | 'fsx'>): Promise<string | undefined> {
  if (input.request.testExport.mode !== 'data-repository-task') return undefined;
  const { fsx } = clientsFor(input, deps, 'fileSystem');
  const fileSystemIds = input.request.fileSystem.existingFileSystemId
    ? [input.request.fileSystem.existingFileSystemId]
    : (await findTaggedFileSystems(fsx, input.request.requestId)).map((fs) => fs.FileSystemId!);
  const canaryPath = canaryFor(input.request, input.context.names).directory.fileSystemRelativePath;
  for (const fileSystemId of fileSystemIds) {
    const task = await findExportTask(fsx, fileSystemId, input.request.requestId, canaryPath);
    if (task?.TaskId) return task.TaskId;
  }
  return undefined;
}

export async function cleanUpTestExport(input: StepInput, deps: StepDeps<'s3' | 'fsx'>): Promise<CleanUpTestExportOutput> {
  const { request, context } = input;
  const { s3 } = clientsFor(input, deps, 'bucket');
  const start = stepOutput(input, 'StartTestExport');
  const taskId = start?.taskId ?? (await findOwnExportTaskId(input, deps));
  // This execution's own canary when its StartTestExport ran; otherwise every execution's.
  const deletedKeys = start?.canary ? await deleteCanary(s3, request, start.canary, taskId) : await deleteEveryCanary(s3, request, context.names, taskId);
  return { changed: deletedKeys.length > 0, deletedKeys };
}
