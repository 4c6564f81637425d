// One record per state of a local run: attempts, time spent (wall and simulated), last error.
import type { LocalStepRecord } from '../run-report.js';

export class StepRecords {
  private readonly records = new Map<string, LocalStepRecord>();
  private readonly startWatchers = new Map<string, (() => void)[]>();

  of(name: string): LocalStepRecord {
    let record = this.records.get(name);
    if (!record) this.records.set(name, (record = { name, status: 'running', attempts: 0, durationMs: 0, simulatedSeconds: 0 }));
    return record;
  }

  /** Calls `fn` when the step's first invocation starts (its turn on the scheduler may come after the state was entered). */
  whenStarted(name: string, fn: () => void): void {
    if (this.of(name).startedAt) {
      fn();
      return;
    }
    this.startWatchers.set(name, [...(this.startWatchers.get(name) ?? []), fn]);
  }

  /** The task binding's word that a step's invocation started. */
  started(name: string): void {
    const watchers = this.startWatchers.get(name) ?? [];
    this.startWatchers.delete(name);
    for (const fn of watchers) fn();
  }

  all(): LocalStepRecord[] {
    return [...this.records.values()];
  }
}
