// Poll. lustre-client: first the start command must finish, then `lfs hsm_action` is asked
// until it prints NOOP (ARCHIVE while in flight), then the S3-side canary is read with `cat`
// through the mount; the cat result is kept for VerifyExport. Each phase's command is sent
// once and read on later polls, so no poll waits for the instance. FSx imports the S3-side
// canary asynchronously (auto-import processes the bucket's event a little later), so a cat
// answering "No such file or directory" means "not imported yet": it is asked again, at most
// CANARY_IMPORT_CHECKS times, and then reported as not imported (VerifyExport's
// CanaryNotImported), which is a different failure from "No data available" (decrypt denied).
// data-repository-task: the task is polled until it ends, and the result says how many files
// it exported (an export of 0 files exercised nothing).
import { DescribeDataRepositoryTasksCommand } from '@aws-sdk/client-fsx';
import { catCommand, hsmActionCommand, readInvocation, sendShellCommand, type Invocation } from '../shared/client-commands.js';
import { ErrorNames, OnboardingError } from '../../core/errors.js';
import { clientsFor, pollCount, secondsSince } from '../shared/step-support.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from '../shared/step-deps.js';
import { requireOutput, stepOutput, type CatResult, type TestExportPhase, type WaitForTestExportOutput } from '../../core/step-outputs.js';

/** cat checks of a not-yet-imported canary before giving up on the import (× 15 s poll = 5 min). */
export const CANARY_IMPORT_CHECKS = 20;

const terminalTaskStates = new Set(['SUCCEEDED', 'FAILED', 'CANCELED']);

export async function waitForTestExport(input: StepInput, deps: StepDeps<'fsx' | 'ssm'>): Promise<WaitForTestExportOutput> {
  const poll = pollCount(input, 'WaitForTestExport');
  const start = stepOutput(input, 'StartTestExport');
  // The next check waits out the export's typical time, counted from its start.
  const notDone = () => poll.countedAfter(secondsSince(start?.startedAt, deps));
  const { fsx, ssm } = clientsFor(input, deps, 'fileSystem');

  if (input.request.testExport.mode === 'data-repository-task') {
    const taskId = requireOutput(input, 'StartTestExport', 'taskId', 'WaitForTestExport');
    const { DataRepositoryTasks } = await fsx.send(new DescribeDataRepositoryTasksCommand({ TaskIds: [taskId] }));
    const task = DataRepositoryTasks?.[0];
    const lifecycle = task?.Lifecycle ?? 'UNKNOWN';
    const done = terminalTaskStates.has(lifecycle);
    if (!done) {
      poll.giveUpIfNotDone(`export task ${taskId} to end (last seen ${lifecycle})`);
      return { done, ...notDone(), lifecycle };
    }
    // An export task exports only files new or changed in the file system: 0 files proves nothing.
    const total = task?.Status?.TotalCount ?? 0;
    const exported = {
      total,
      succeeded: task?.Status?.SucceededCount ?? 0,
      failed: task?.Status?.FailedCount ?? 0,
      ...(total === 0 ? { note: 'the task exported no file (nothing new or changed): it exercised no S3 write or KMS encryption' } : {}),
    };
    return { done, ...poll.counted, lifecycle, exported };
  }

  const canary = requireOutput(input, 'StartTestExport', 'canary', 'WaitForTestExport');
  const instanceId = input.request.testExport.clientInstanceId!;
  const previous = stepOutput(input, 'WaitForTestExport');
  let phase: TestExportPhase = previous?.phase ?? 'start';
  let commandId = previous?.commandId ?? (phase === 'start' ? start?.commandId : undefined);
  if (phase === 'start' && !commandId) phase = 'hsm_action';
  let hsmAction: string | undefined;
  let catNotFound = previous?.catNotFound ?? 0;

  const send = async (command: string) =>
    (await sendShellCommand(ssm, { instanceId, commands: [command], comment: `fsx-onboard ${input.request.requestId} WaitForTestExport ${phase}` })).commandId;
  const failed = (what: string, inv: Invocation) =>
    new OnboardingError(
      ErrorNames.ClientCommandFailed,
      `${what} failed on ${instanceId} (${inv.status}, exit ${inv.responseCode ?? '?'}): ${inv.stderr.trim() || inv.stdout.trim() || 'no output'}`,
    );

  // Advance through as many phases as have already finished on the instance.
  for (;;) {
    if (!commandId) commandId = await send(phase === 'cat' ? catCommand(canary) : hsmActionCommand(canary));
    const inv = await readInvocation(ssm, commandId, instanceId);
    if (inv.state === 'pending') break;
    if (phase === 'start') {
      if (inv.state === 'failed') throw failed('Writing and archiving the canary', inv);
      phase = 'hsm_action';
      commandId = undefined;
      continue;
    }
    if (phase === 'hsm_action') {
      if (inv.state === 'failed') throw failed(`lfs hsm_action ${canary.toS3.clientPath}`, inv);
      hsmAction = inv.stdout.trim();
      if (/:\s*NOOP\b/.test(hsmAction)) {
        phase = 'cat';
        commandId = undefined;
        continue;
      }
      // Still ARCHIVE: ask again on the next poll.
      commandId = undefined;
      break;
    }
    // Not in the file system yet: FSx has not imported the S3 object. Ask again on a later poll.
    const missing = inv.state === 'failed' && /No such file or directory/.test(inv.stderr);
    if (missing && ++catNotFound < CANARY_IMPORT_CHECKS) {
      commandId = undefined;
      break;
    }
    // A failed cat is an answer too ("No data available" = FSx could not decrypt): VerifyExport explains it.
    const cat: CatResult = {
      path: canary.fromS3.clientPath,
      ok: inv.state === 'success',
      ...(missing ? { notImported: true as const } : {}),
      stdout: inv.stdout,
      stderr: inv.stderr,
      ...(inv.responseCode !== undefined ? { responseCode: inv.responseCode } : {}),
    };
    return { done: true, ...poll.counted, phase, commandId, cat };
  }
  const waitingFor =
    phase === 'start'
      ? 'the canary to be written and archived'
      : phase === 'hsm_action'
        ? `lfs hsm_action ${canary.toS3.clientPath} to print NOOP`
        : `cat ${canary.fromS3.clientPath} to finish`;
  poll.giveUpIfNotDone(waitingFor);
  return {
    done: false,
    ...notDone(),
    phase,
    ...(commandId ? { commandId } : {}),
    ...(hsmAction ? { hsmAction } : {}),
    ...(catNotFound ? { catNotFound } : {}),
  };
}
