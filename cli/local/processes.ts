// Executions and Parallel branches as processes of the sandbox's scheduler (sandbox/scheduler.ts).
// aws-local-stepfunctions runs each branch of a Parallel as a nested StateMachine.run (with the
// root's abort signal in its options): wrapping `run` makes each branch a process of its own,
// so a Wait in one branch suspends that branch only, and the Parallel ends with its last branch.
import { StateMachine } from 'aws-local-stepfunctions';
import { currentProcess, type Scheduler, type SchedulerProcess } from '../../sandbox/scheduler.js';

type Run = StateMachine['run'];
type Execution = ReturnType<Run>;

const originalRun: Run = StateMachine.prototype.run;
let wrapped = false;

function wrapBranchRuns(): void {
  if (wrapped) return;
  wrapped = true;
  StateMachine.prototype.run = function run(this: StateMachine, input, options) {
    const parent = currentProcess();
    // Only a nested run (a branch) carries the root's abort signal; the root run is forked by runAsProcess.
    const nested = (options as { _rootAbortSignal?: unknown } | undefined)?._rootAbortSignal !== undefined;
    if (!parent || !nested) return originalRun.call(this, input, options);
    const startAt = (this as unknown as { definition: { StartAt?: string } }).definition.StartAt ?? '?';
    return asProcess(parent.scheduler, `${parent.label}/${startAt}`, () => originalRun.call(this, input, options)).execution;
  };
}

function asProcess(scheduler: Scheduler, label: string, start: () => Execution): { execution: Execution; process: SchedulerProcess } {
  const { value, process, done } = scheduler.fork(label, start);
  return { execution: { abort: value.abort, eventLogs: value.eventLogs, result: done(value.result) }, process };
}

/** Runs `machine` as a process of `scheduler` (its branches become processes too); the process tells its AWS calls and end time. */
export function runAsProcess(
  scheduler: Scheduler,
  label: string,
  machine: StateMachine,
  ...args: Parameters<Run>
): { execution: Execution; process: SchedulerProcess } {
  wrapBranchRuns();
  return asProcess(scheduler, label, () => machine.run(...args));
}
