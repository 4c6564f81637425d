// Compensation: deletes this request's canary objects (both directions) and the export
// task's completion report from the bucket. Objects that are not there are skipped, so a
// second run sends no delete.
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { canaryFor } from '../shared/canary.js';
import { headObject } from '../shared/objects.js';
import { clientsFor, stringField } from '../shared/step-support.js';
import type { StepDeps, StepInput } from '../shared/step-io.js';

export interface CleanUpTestExportOutput {
  changed: boolean;
  deletedKeys: string[];
}

/** FSx writes the report of task <id> to `<report path>/task-<id>/failures.csv`. */
export function reportKey(input: StepInput, taskId: string): string {
  return `${input.request.bucket.prefix}.fsx-onboard-reports/task-${taskId}/failures.csv`;
}

export async function cleanUpTestExport(input: StepInput, deps: StepDeps): Promise<CleanUpTestExportOutput> {
  const { request, context } = input;
  const canary = canaryFor(request, context.names);
  const { s3 } = clientsFor(input, deps, 'bucket');
  const taskId = stringField(input.steps['StartTestExport'], 'taskId');
  const deletedKeys: string[] = [];
  for (const key of [canary.toS3.s3Key, canary.fromS3.s3Key, ...(taskId ? [reportKey(input, taskId)] : [])]) {
    if (!(await headObject(s3, request.bucket.name, key))) continue;
    await s3.send(new DeleteObjectCommand({ Bucket: request.bucket.name, Key: key }));
    deletedKeys.push(key);
  }
  return { changed: deletedKeys.length > 0, deletedKeys };
}
