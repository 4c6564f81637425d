// The virtual clock as a discrete-event scheduler. Each execution, and each branch of a
// Parallel, is a process; exactly one process runs at a time, and it runs until its next yield:
// an AWS call (which also spends the call's simulated latency), the start of a task, or a Wait.
// A yield suspends only that process until its virtual wake-up time. When no process runs, the
// scheduler resumes one whose time has come, picked by a seeded PRNG among those due at once;
// when none is due, the clock jumps to the earliest wake-up. So Parallel branches overlap as on
// AWS (the Parallel takes as long as its longest branch), executions interleave at every call,
// and a given seed replays the same interleaving.
//
// A process that awaits something real between yields (the SDK's retry pause is a real
// setTimeout) simply keeps running; the others wait for it. A watchdog un-sticks the rare process
// that awaits another process's work without yielding (a shared pending promise), so the clock
// can never stall for good.
import { AsyncLocalStorage } from 'node:async_hooks';

type ProcessState = 'running' | 'waiting' | 'blocked' | 'done';

export interface SchedulerProcess {
  readonly id: number;
  readonly label: string;
  readonly parent: SchedulerProcess | undefined;
  readonly scheduler: Scheduler;
  /** Virtual ms when it was started and, once done, when it ended. */
  readonly startedAt: number;
  endedAt: number | undefined;
  /** AWS calls made by this process and the processes it started (kept on the root). */
  awsCalls: number;
}

interface Process extends SchedulerProcess {
  state: ProcessState;
  /**
   * What waits to be resumed. Usually one; a handler that awaits several calls at once
   * (Promise.all) has one per call, and they are resumed together when the last is due: the
   * calls of one process overlap, as concurrent requests do.
   */
  waiters: { wakeAt: number; resume: () => void }[];
  /** A Wait's wake-up, taken at the process's next yield (a Wait cannot suspend by itself: see virtual-waits). */
  pendingWakeAt: number | undefined;
  children: number;
}

const wakeAtOf = (p: Process) => Math.max(...p.waiters.map((w) => w.wakeAt));

export interface SchedulerClock {
  now(): number;
  /** Moves virtual time forward by `ms` (and runs whatever became due). */
  advanceMs(ms: number): void;
}

// One store for every scheduler: code deep in a task (an SDK middleware, an interpreter hook)
// finds its process, and through it its scheduler, without being handed either.
const processOf = new AsyncLocalStorage<Process>();

/** The process the calling code runs in, if any. */
export function currentProcess(): SchedulerProcess | undefined {
  return processOf.getStore();
}

const WATCHDOG_MS = 5_000;

/** mulberry32: small, fast and seedable; the same seed gives the same picks. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Scheduler {
  private readonly processes = new Set<Process>();
  private nextId = 1;
  private random: () => number;
  private dispatchQueued = false;
  private progress = 0;
  private watchdog: NodeJS.Timeout | undefined;

  constructor(
    private readonly clock: SchedulerClock,
    seed = 1,
    /** Real ms without a turn ending, while others wait, before the watchdog lets the next one run. */
    private readonly watchdogMs = WATCHDOG_MS,
  ) {
    this.random = prng(seed);
  }

  /** Restarts the pick sequence from `seed` (`run --schedule-seed`). */
  reseed(seed: number): void {
    this.random = prng(seed);
  }

  /**
   * Starts `start` as a new process: a child of the calling process, which then waits (blocked)
   * until its children are done, as a Parallel waits for its branches. `done` wraps the
   * process's result: it settles when the process has ended, at its last wake-up.
   */
  fork<T>(label: string, start: () => T): { value: T; process: SchedulerProcess; done: <R>(result: Promise<R>) => Promise<R> } {
    const parent = processOf.getStore() as Process | undefined;
    const process: Process = {
      id: this.nextId++,
      label,
      parent,
      scheduler: this,
      startedAt: this.clock.now(),
      endedAt: undefined,
      awsCalls: 0,
      state: 'running',
      waiters: [],
      pendingWakeAt: undefined,
      children: 0,
    };
    if (parent && parent.state !== 'done') {
      parent.children += 1;
      parent.state = 'blocked';
    }
    this.processes.add(process);
    this.armWatchdog();
    const value = processOf.run(process, start);
    const done = <R>(result: Promise<R>): Promise<R> =>
      result.then(
        async (v) => {
          await this.exit(process);
          return v;
        },
        async (error) => {
          await this.exit(process, true);
          throw error;
        },
      );
    return { value, process, done };
  }

  /**
   * Suspends the calling process for `ms` of virtual time (0: a yield, letting every other
   * process due now run first). Outside any process the clock simply moves on.
   */
  sleep(ms: number): Promise<void> {
    const process = processOf.getStore() as Process | undefined;
    if (!process) {
      if (ms > 0) this.clock.advanceMs(ms);
      return Promise.resolve();
    }
    return this.suspend(process, ms);
  }

  /** A Wait in the calling process: it takes effect at the process's next yield (or its end). */
  sleepLater(ms: number): void {
    const process = processOf.getStore() as Process | undefined;
    if (!process) {
      this.clock.advanceMs(ms);
      return;
    }
    const at = this.clock.now() + ms;
    process.pendingWakeAt = Math.max(process.pendingWakeAt ?? at, at);
  }

  /** Whether any process is live (an execution that starts now runs alongside others). */
  busy(): boolean {
    return this.processes.size > 0;
  }

  /** Counts an AWS call against the calling process's execution (its root process). */
  noteCall(): void {
    let process: SchedulerProcess | undefined = processOf.getStore();
    while (process?.parent) process = process.parent;
    if (process) process.awsCalls += 1;
  }

  private suspend(process: Process, ms: number): Promise<void> {
    // Code that goes on after its process ended (a branch aborted mid-task) no longer takes turns.
    if (process.state === 'done') return Promise.resolve();
    const wakeAt = Math.max(this.clock.now() + ms, process.pendingWakeAt ?? 0);
    process.pendingWakeAt = undefined;
    process.state = 'waiting';
    const resumed = new Promise<void>((resolve) => {
      process.waiters.push({ wakeAt, resume: resolve });
    });
    this.progress += 1;
    this.queueDispatch();
    return resumed;
  }

  /** `failed`: a branch that failed fails its Parallel at once (the others are aborted), so the parent goes on. */
  private async exit(process: Process, failed = false): Promise<void> {
    if (process.state === 'done') return;
    if (process.pendingWakeAt !== undefined) await this.suspend(process, 0);
    process.state = 'done';
    process.endedAt = this.clock.now();
    this.processes.delete(process);
    const parent = process.parent as Process | undefined;
    if (parent && parent.state !== 'done') {
      parent.children -= 1;
      // The last branch done: the Parallel's own process goes on right away, in this turn.
      if ((parent.children === 0 || failed) && parent.state === 'blocked') parent.state = 'running';
    }
    this.progress += 1;
    this.queueDispatch(true);
  }

  // After a yield, the pick waits for the microtasks already queued (the other flows of a
  // Promise.all register their calls first). After a process ends, it waits for the next
  // macrotask: whatever the end set off in microtasks (the execution's report, the next
  // execution of a queue) registers first, so the next execution starts at the moment the last
  // one ended, however many microtasks that path takes. (A macrotask per yield would cost a
  // fifth of an onboarding's wall time.)
  private queueDispatch(afterMacrotask = false): void {
    if (afterMacrotask) {
      setImmediate(() => this.dispatch());
      return;
    }
    if (this.dispatchQueued) return;
    this.dispatchQueued = true;
    queueMicrotask(() => {
      this.dispatchQueued = false;
      this.dispatch();
    });
  }

  private dispatch(force = false): void {
    const all = [...this.processes];
    if (!force && all.some((p) => p.state === 'running')) return;
    const waiting = all.filter((p) => p.state === 'waiting');
    if (waiting.length === 0) {
      this.disarmWatchdog();
      return;
    }
    let due = waiting.filter((p) => wakeAtOf(p) <= this.clock.now());
    if (due.length === 0) {
      const next = Math.min(...waiting.map(wakeAtOf));
      this.clock.advanceMs(next - this.clock.now());
      due = waiting.filter((p) => wakeAtOf(p) <= next);
    }
    // Ordered by start, so that the seed alone decides; the PRNG is drawn only for a real choice.
    due.sort((a, b) => a.id - b.id);
    const picked = due.length === 1 ? due[0] : due[Math.floor(this.random() * due.length)];
    if (!picked) return;
    picked.state = 'running';
    const waiters = picked.waiters.sort((a, b) => a.wakeAt - b.wakeAt);
    picked.waiters = [];
    this.progress += 1;
    for (const waiter of waiters) waiter.resume();
  }

  private armWatchdog(): void {
    if (this.watchdog) return;
    let seen = this.progress;
    this.watchdog = setInterval(() => {
      if (this.progress !== seen) {
        seen = this.progress;
        return;
      }
      // No turn ended for WATCHDOG_MS of real time while others wait: the running process awaits
      // something that only a waiting one can produce. Let the next one run; it rejoins at its next yield.
      if ([...this.processes].some((p) => p.state === 'waiting')) this.dispatch(true);
    }, this.watchdogMs);
    this.watchdog.unref();
  }

  private disarmWatchdog(): void {
    if (this.processes.size > 0 || !this.watchdog) return;
    clearInterval(this.watchdog);
    this.watchdog = undefined;
  }
}
