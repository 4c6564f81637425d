// Poll. lustre-client: first the start command must finish, then `lfs hsm_action` is asked
// until it prints NOOP (ARCHIVE while in flight), then the S3-side canary is read with `cat`
// through the mount; the cat result is kept for VerifyExport. Each phase's command is sent
// once and read on later polls, so no poll waits for the instance. data-repository-task:
// the task is polled until it ends (VerifyExport judges how).
import { DescribeDataRepositoryTasksCommand } from '@aws-sdk/client-fsx';
import { catCommand, hsmActionCommand, readInvocation, sendShellCommand, type Invocation } from '../shared/client-commands.js';
import { ErrorNames, OnboardingError } from '../../core/errors.js';
import { clientsFor, pollCount } from '../shared/step-support.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from '../shared/step-deps.js';
import { requireOutput, stepOutput, type CatResult, type TestExportPhase, type WaitForTestExportOutput } from '../../core/step-outputs.js';

const terminalTaskStates = new Set(['SUCCEEDED', 'FAILED', 'CANCELED']);

export async function waitForTestExport(input: StepInput, deps: StepDeps): Promise<WaitForTestExportOutput> {
  const poll = pollCount(input, 'WaitForTestExport');
  const start = stepOutput(input, 'StartTestExport');
  const { fsx, ssm } = clientsFor(input, deps, 'fileSystem');

  if (input.request.testExport.mode === 'data-repository-task') {
    const taskId = requireOutput(input, 'StartTestExport', 'taskId', 'WaitForTestExport');
    const { DataRepositoryTasks } = await fsx.send(new DescribeDataRepositoryTasksCommand({ TaskIds: [taskId] }));
    const lifecycle = DataRepositoryTasks?.[0]?.Lifecycle ?? 'UNKNOWN';
    const done = terminalTaskStates.has(lifecycle);
    if (!done) poll.giveUpIfNotDone(`export task ${taskId} to end (last seen ${lifecycle})`);
    return { done, attempts: poll.attempts, lifecycle };
  }

  const canary = requireOutput(input, 'StartTestExport', 'canary', 'WaitForTestExport');
  const instanceId = input.request.testExport.clientInstanceId!;
  const previous = stepOutput(input, 'WaitForTestExport');
  let phase: TestExportPhase = previous?.phase ?? 'start';
  let commandId = previous?.commandId ?? (phase === 'start' ? start?.commandId : undefined);
  if (phase === 'start' && !commandId) phase = 'hsm_action';
  let hsmAction: string | undefined;

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
    // A failed cat is an answer too ("No data available" = FSx could not decrypt): VerifyExport explains it.
    const cat: CatResult = {
      path: canary.fromS3.clientPath,
      ok: inv.state === 'success',
      stdout: inv.stdout,
      stderr: inv.stderr,
      ...(inv.responseCode !== undefined ? { responseCode: inv.responseCode } : {}),
    };
    return { done: true, attempts: poll.attempts, phase, commandId, cat };
  }
  const waitingFor =
    phase === 'start'
      ? 'the canary to be written and archived'
      : phase === 'hsm_action'
        ? `lfs hsm_action ${canary.toS3.clientPath} to print NOOP`
        : `cat ${canary.fromS3.clientPath} to finish`;
  poll.giveUpIfNotDone(waitingFor);
  return { done: false, attempts: poll.attempts, phase, ...(commandId ? { commandId } : {}), ...(hsmAction ? { hsmAction } : {}) };
}
