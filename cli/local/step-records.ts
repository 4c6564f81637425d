// One record per state of a local run: attempts, time spent (wall and simulated), last error.
import type { LocalStepRecord } from '../run-report.js';

export class StepRecords {
  private readonly records = new Map<string, LocalStepRecord>();

  of(name: string): LocalStepRecord {
    let record = this.records.get(name);
    if (!record) this.records.set(name, (record = { name, status: 'running', attempts: 0, durationMs: 0, simulatedSeconds: 0 }));
    return record;
  }

  all(): LocalStepRecord[] {
    return [...this.records.values()];
  }
}
