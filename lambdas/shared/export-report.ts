// Everything about the test export task and its completion report in one place: where
// StartTestExport asks FSx to write the report, how FSx names it, how VerifyExport reads it and
// CleanUpTestExport deletes it, and how a later run finds the task again.
import { paginateDescribeDataRepositoryTasks, type DataRepositoryTask, type FSxClient } from '@aws-sdk/client-fsx';
import type { OnboardingRequest } from '../../core/request.js';
import { hasRequestTag } from './step-support.js';

/** Prefix (inside the linked one, as FSx requires) under which export reports are written. */
const REPORTS_FOLDER = '.fsx-onboard-reports';

/** The report path StartTestExport gives the task: `s3://<bucket>/<prefix>.fsx-onboard-reports`. */
export const reportPath = (request: OnboardingRequest): string => `s3://${request.bucket.name}/${request.bucket.prefix}${REPORTS_FOLDER}`;

/**
 * FSx writes a task's report to `{path}/task-{id}/failures.csv`, where `task-{id}` is the
 * TaskId itself (`task-` and 17 hex digits).
 */
export function reportFolder(taskId: string): string {
  return taskId.startsWith('task-') ? taskId : `task-${taskId}`;
}

/** The object FSx writes the report of `taskId` to, under the report path the task carries. */
export function reportObject(taskReportPath: string | undefined, taskId: string): { bucket: string; key: string } | undefined {
  const match = taskReportPath?.match(/^s3:\/\/([^/]+)\/?(.*)$/);
  if (!match) return undefined;
  return { bucket: match[1]!, key: `${match[2] ? `${match[2].replace(/\/$/, '')}/` : ''}${reportFolder(taskId)}/failures.csv` };
}

/** The key of this request's report of `taskId` in its bucket. */
export function reportKey(request: OnboardingRequest, taskId: string): string {
  return reportObject(reportPath(request), taskId)!.key;
}

/** This request's export task: tagged with the request id, or exporting exactly `path`. */
export async function findExportTask(fsx: FSxClient, fileSystemId: string, requestId: string, path: string): Promise<DataRepositoryTask | undefined> {
  const pages = paginateDescribeDataRepositoryTasks({ client: fsx }, { Filters: [{ Name: 'file-system-id', Values: [fileSystemId] }] });
  for await (const page of pages) {
    const ours = (page.DataRepositoryTasks ?? []).find(
      (t) => t.Type === 'EXPORT_TO_REPOSITORY' && (hasRequestTag(t.Tags, requestId) || (t.Paths?.length === 1 && t.Paths[0] === path)),
    );
    if (ours) return ours;
  }
  return undefined;
}
