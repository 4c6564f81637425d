// Data repository tasks (EXPORT_TO_REPOSITORY): PENDING → EXECUTING → SUCCEEDED/FAILED on the
// virtual clock; one at a time per file system (DataRepositoryTaskExecuting). FSx exports the
// files and writes the completion report as the S3-access SLR. Sandbox assumption: the report
// is written like any object (SSE-KMS default encryption → KMS GenerateDataKey as the SLR),
// so without a KMS grant the task FAILS with FailureDetails naming S3AccessDenied.
import { SimError } from '../errors.js';
import type { Sim } from '../sim.js';
import type { FileSystemState, JobState, TaskState } from '../state.js';
import { nextHex } from '../state.js';
import { asServiceLinkedRole, fileSystemLifecycle, parseS3Url, tagList, tagMap } from './fsx-common.js';
import { repositoryLocation } from './fsx-dra.js';
import { linksOf } from './fsx-links.js';
import { putObjectAs } from './s3-objects.js';
import type { ServiceModel } from './types.js';

export const TASK_START_SECONDS = 20;
export const TASK_RUN_SECONDS = 60;

function lifecycle(sim: Sim, task: TaskState): string {
  if (task.result) return task.result.lifecycle;
  return sim.now() < task.startAt ? 'PENDING' : 'EXECUTING';
}

function describe(sim: Sim, task: TaskState) {
  const status = task.result
    ? { TotalCount: task.result.total, SucceededCount: task.result.succeeded, FailedCount: task.result.failed, LastUpdatedTime: new Date(task.endAt) }
    : { TotalCount: 0, SucceededCount: 0, FailedCount: 0 };
  return {
    TaskId: task.id,
    Lifecycle: lifecycle(sim, task),
    Type: task.type,
    CreationTime: new Date(task.createdAt),
    ...(sim.now() >= task.startAt ? { StartTime: new Date(task.startAt) } : {}),
    ...(task.result ? { EndTime: new Date(task.endAt) } : {}),
    ResourceARN: task.arn,
    Tags: tagList(task.tags),
    FileSystemId: task.fileSystemId,
    Paths: task.paths,
    ...(task.result?.failureMessage ? { FailureDetails: { Message: task.result.failureMessage } } : {}),
    Status: status,
    Report: task.report,
  };
}

/** A path exists when it is a file, a directory holding files, or a linked directory (FSx creates those). */
function pathExists(sim: Sim, fs: FileSystemState, path: string): boolean {
  if (path === '/') return true;
  if (Object.keys(fs.files).some((f) => f === path || f.startsWith(`${path}/`))) return true;
  return linksOf(sim, fs).some((l) => !l.deleting && (l.fileSystemPath === path || l.fileSystemPath.startsWith(`${path}/`)));
}

/** The task's end: export every new or changed file under its paths, then write the report, as the SLR. */
export function runTask(sim: Sim, job: JobState): void {
  const task = sim.state.tasks[job.ref['taskId']!];
  const fs = task && sim.state.fileSystems[task.fileSystemId];
  if (!task || !fs) return;
  const roots = task.paths.length ? task.paths.map((p) => `/${p.replace(/^\/+/, '')}`.replace(/\/$/, '') || '/') : ['/'];
  // "If a path that you provide isn't valid, the task fails" (CreateDataRepositoryTask, Paths).
  const invalid = roots.find((r) => !pathExists(sim, fs, r));
  if (invalid) {
    task.result = {
      lifecycle: 'FAILED',
      total: 0,
      succeeded: 0,
      failed: 0,
      failureMessage: `The path ${invalid.slice(1) || '/'} is not valid: it does not exist in the file system.`,
    };
    return;
  }
  // Only files new or changed in the file system since they were last exported or imported.
  const files = Object.keys(fs.files).filter((f) => !fs.files[f]!.archived && roots.some((r) => r === '/' || f === r || f.startsWith(`${r}/`)));
  const failures: string[] = [];
  for (const path of files) {
    const target = repositoryLocation(sim, fs, path, true);
    if (!target) continue;
    try {
      asServiceLinkedRole(sim, fs, 'PutObject', target.bucket, target.key, (caller) =>
        putObjectAs(sim, caller, fs.region, { bucket: target.bucket, key: target.key, body: Buffer.from(fs.files[path]!.content) }),
      );
      fs.files[path]!.archived = true;
    } catch (error) {
      if (!(error instanceof SimError)) throw error;
      failures.push(`${path.slice(1)},S3AccessDenied,${error.message.replace(/,/g, ';')}`);
    }
  }
  let failureMessage = failures.length
    ? `${failures.length} of ${files.length} files failed to export (S3AccessDenied). See the completion report.`
    : undefined;
  if (task.report.Enabled && task.report.Path) {
    const parsed = parseS3Url(task.report.Path)!;
    const key = `${parsed.prefix.replace(/\/?$/, '/')}${task.id}/failures.csv`.replace(/^\//, '');
    try {
      asServiceLinkedRole(sim, fs, 'PutObject', parsed.bucket, key, (caller) =>
        putObjectAs(sim, caller, fs.region, {
          bucket: parsed.bucket,
          key,
          body: Buffer.from(`${['FilePath,ErrorCode,ErrorMessage', ...failures].join('\n')}\n`),
        }),
      );
    } catch (error) {
      if (!(error instanceof SimError)) throw error;
      failureMessage = `Cannot write the task completion report to ${task.report.Path}: S3AccessDenied (${error.message})`;
    }
  }
  task.result = {
    lifecycle: failureMessage ? 'FAILED' : 'SUCCEEDED',
    total: files.length,
    succeeded: files.length - failures.length,
    failed: failures.length,
    ...(failureMessage ? { failureMessage } : {}),
  };
}

export const fsxTasks: ServiceModel = {
  CreateDataRepositoryTask(call) {
    const input = call.input;
    const fs = call.sim.state.fileSystems[String(input.FileSystemId ?? '')];
    if (!fs || fs.account !== call.caller.account || fs.region !== call.region)
      throw new SimError('FileSystemNotFound', `File system '${input.FileSystemId}' does not exist.`);
    call.resources.push({ ARN: fs.arn, accountId: fs.account, type: 'AWS::FSx::FileSystem' });
    call.sim.authorize('fsx', call.caller, { action: 'fsx:CreateDataRepositoryTask', resource: fs.arn, resourceAccount: fs.account });
    const fingerprint = JSON.stringify({ ...input, ClientRequestToken: undefined });
    const token: string | undefined = input.ClientRequestToken;
    const same = token ? Object.values(call.sim.state.tasks).find((t) => t.fileSystemId === fs.id && t.clientRequestToken === token) : undefined;
    if (same) {
      if (same.fingerprint !== fingerprint)
        throw new SimError('IncompatibleParameterError', 'A task with this ClientRequestToken already exists with different parameters.');
      return { DataRepositoryTask: describe(call.sim, same) };
    }
    if (input.Type !== 'EXPORT_TO_REPOSITORY') throw new SimError('BadRequest', `The sandbox models EXPORT_TO_REPOSITORY tasks only, not ${input.Type}.`);
    if (fileSystemLifecycle(fs, call.sim.now()) !== 'AVAILABLE') throw new SimError('BadRequest', `File system ${fs.id} is not AVAILABLE.`);
    if (Object.values(call.sim.state.tasks).some((t) => t.fileSystemId === fs.id && !t.result)) {
      throw new SimError('DataRepositoryTaskExecuting', `A data repository task is already running on ${fs.id}.`);
    }
    const report = input.Report ?? { Enabled: false };
    if (report.Enabled) {
      const linked = fs.importPath
        ? [fs.exportPath ?? fs.importPath]
        : Object.values(call.sim.state.dras)
            .filter((d) => d.fileSystemId === fs.id && d.deletingAt === undefined)
            .map((d) => d.dataRepositoryPath);
      const reportPath = String(report.Path ?? '');
      if (!linked.some((l: string) => reportPath.startsWith(l.replace(/\/$/, '')))) {
        throw new SimError('BadRequest', `The report path ${reportPath} must be inside a linked data repository path.`);
      }
    }
    const id = `task-${nextHex(call.sim.state, 17)}`;
    const now = call.sim.now();
    const task: TaskState = {
      id,
      arn: `arn:aws:fsx:${fs.region}:${fs.account}:task/${id}`,
      fileSystemId: fs.id,
      account: fs.account,
      region: fs.region,
      type: input.Type,
      paths: input.Paths ?? [],
      report,
      ...(token ? { clientRequestToken: token } : {}),
      fingerprint,
      tags: tagMap(input.Tags),
      createdAt: now,
      startAt: now + TASK_START_SECONDS * 1000,
      endAt: now + (TASK_START_SECONDS + TASK_RUN_SECONDS) * 1000,
    };
    call.sim.state.tasks[id] = task;
    call.sim.schedule(task.endAt, 'task-run', { taskId: id });
    return { DataRepositoryTask: describe(call.sim, task) };
  },

  DescribeDataRepositoryTasks(call) {
    call.sim.authorize('fsx', call.caller, {
      action: 'fsx:DescribeDataRepositoryTasks',
      resource: `arn:aws:fsx:${call.region}:${call.caller.account}:task/*`,
      resourceAccount: call.caller.account,
    });
    const ids: string[] | undefined = call.input.TaskIds;
    const mine = Object.values(call.sim.state.tasks).filter((t) => t.account === call.caller.account && t.region === call.region);
    const missing = ids?.find((id) => !mine.some((t) => t.id === id));
    if (missing) throw new SimError('DataRepositoryTaskNotFound', `Data repository task '${missing}' does not exist.`);
    const filters: { Name?: string; Values?: string[] }[] = call.input.Filters ?? [];
    const list = mine
      .filter((t) => !ids || ids.includes(t.id))
      .filter((t) =>
        filters.every((f) =>
          f.Name === 'file-system-id'
            ? (f.Values ?? []).includes(t.fileSystemId)
            : f.Name === 'task-lifecycle'
              ? (f.Values ?? []).includes(lifecycle(call.sim, t))
              : true,
        ),
      );
    return { DataRepositoryTasks: list.map((t) => describe(call.sim, t)) };
  },
};
