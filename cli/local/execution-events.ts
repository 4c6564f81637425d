// Follows the interpreter's event log: counts state transitions, turns the events of each Task
// state into progress events (a poll is announced once, a caught failure shown once), and keeps
// the step results seen so far for a run that ends without a final state.
import { forwardPauses, Steps, type StepName } from '../../workflow/steps.js';
import { stepChanged, type Moment, type RunEvent } from '../run-report.js';
import type { StepRecords } from './step-records.js';

interface InterpreterEvent {
  type: string;
  state?: { name: string; type: string; output?: unknown };
  Error?: string;
  Cause?: unknown;
  retry?: { attempt: number };
}

type Timing = { wallMs: number; simulatedSeconds: number };

/** A Wait state's pause: when it began, and the seconds it spent. */
export interface WaitRecord {
  at: Moment;
  seconds: number;
}

export interface FollowedExecution {
  stateTransitions: number;
  failure?: { error: string; cause: string };
  /** Each step's latest result, read from the states' outputs. */
  lastOutputs: Record<string, Record<string, unknown>>;
  /** States whose failure a Catch handled (already reported as failed). */
  caught: Set<string>;
}

/** Wait states of the forward path worth showing (poll pauses are shown through their polls). */
const pauseNames = new Set(forwardPauses.map((s) => s.name));

export async function followEvents(
  eventLogs: AsyncIterable<unknown>,
  records: StepRecords,
  timing: { now: () => Timing; of: (moment: Moment) => Timing },
  onEvent: ((event: RunEvent) => void) | undefined,
  /** The latest pause of each Wait state: when it began and its seconds (virtual-waits.ts). */
  waits: ReadonlyMap<string, WaitRecord> = new Map(),
): Promise<FollowedExecution> {
  const followed: FollowedExecution = { stateTransitions: 0, lastOutputs: {}, caught: new Set() };
  const announced = new Set<string>();
  for await (const event of eventLogs) {
    const ev = event as InterpreterEvent;
    // Events are read after the interpreter has moved on (a Wait may have spent its minutes since):
    // each line's clock is taken from when the step really ran, and the present only when it has not yet.
    const at = timing.now();
    if (ev.type === 'StateEntered') followed.stateTransitions += 1;
    if (ev.state && pauseNames.has(ev.state.name)) {
      const wait = waits.get(ev.state.name);
      if (ev.type === 'StateEntered') onEvent?.({ kind: 'entered', step: ev.state.name, ...(wait ? timing.of(wait.at) : at) });
      // A pause of its own (the grant propagation) gets a line of its own: minutes of the run are spent there.
      if (ev.type === 'StateExited') {
        const ended = wait ? timing.of({ wallMs: wait.at.wallMs, simMs: wait.at.simMs + wait.seconds * 1000 }) : at;
        onEvent?.({ kind: 'waited', step: ev.state.name, ...ended, seconds: wait?.seconds ?? 0 });
      }
    }
    if (!ev.state || !(ev.state.name in Steps)) {
      if (ev.type === 'ExecutionFailed') followed.failure = { error: String(ev.Error), cause: String(ev.Cause ?? '') };
      continue;
    }
    const name = ev.state.name;
    const record = records.of(name);
    const ended = record.endedAt ? timing.of(record.endedAt) : at;
    if (ev.type === 'StateEntered' && !announced.has(name)) {
      announced.add(name);
      // A task starts at its turn on the scheduler (after a Wait before it has ended): announced then, with that time.
      records.whenStarted(name, () => onEvent?.({ kind: 'entered', step: name, ...(record.startedAt ? timing.of(record.startedAt) : timing.now()) }));
    }
    if (ev.type === 'StateRetried')
      onEvent?.({ kind: 'retried', step: name, ...ended, error: record.lastError ?? 'Error', cause: record.lastCause ?? '', attempt: ev.retry?.attempt ?? 0 });
    if (ev.type === 'StateFailed') {
      record.status = 'failed';
      record.error = String(ev.Error);
      record.cause = String(ev.Cause ?? '');
    }
    if (ev.type === 'StateEntered') followed.caught.delete(name);
    if (ev.type === 'StateCaught') {
      // A caught failure exits the state too: it stays failed, with the error the Catch saw.
      followed.caught.add(name);
      record.status = 'failed';
      record.error = record.error ?? record.lastError ?? 'Error';
      record.cause = record.cause ?? record.lastCause ?? '';
      onEvent?.({ kind: 'failed', step: name, ...ended, error: record.error, cause: record.cause });
    }
    if (ev.type === 'StateExited' && !followed.caught.has(name)) {
      const out = ev.state.output as { steps?: Record<string, Record<string, unknown>> } | undefined;
      // ValidateRequest's output is the whole state; its own report sits under steps.ValidateRequest.
      const mine = name === 'ValidateRequest' ? (out?.steps?.[name] ?? {}) : out?.steps?.[name];
      if (mine) followed.lastOutputs[name] = mine;
      record.changed = stepChanged(record, mine);
      const polling = Steps[name as StepName].poll && mine && mine['done'] !== true;
      if (!polling) {
        record.status = 'succeeded';
        delete record.error;
        delete record.cause;
        onEvent?.({ kind: 'done', step: name, ...ended, record, output: mine });
      }
    }
  }
  return followed;
}
