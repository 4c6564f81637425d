// Virtual time. Nothing in the sandbox sleeps: waits in the runner advance this clock, each
// served call costs a few milliseconds of simulated latency, and lifecycles (CREATING →
// AVAILABLE, exports, command runs) are evaluated lazily against it.
import type { WorldState } from './state.js';

export class VirtualClock {
  /** Set while a scheduled job runs, so what it logs carries the job's own time. */
  private override: number | undefined;

  constructor(private readonly state: () => WorldState) {}

  now(): number {
    return this.override ?? this.state().now;
  }

  advance(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError(`cannot advance the clock by ${seconds} s`);
    this.state().now += Math.round(seconds * 1000);
  }

  advanceMs(ms: number): void {
    this.state().now += ms;
  }

  /** Runs `fn` as if the clock read `at` (never later than the real virtual now). */
  at<T>(at: number, fn: () => T): T {
    const previous = this.override;
    this.override = Math.min(at, this.state().now);
    try {
      return fn();
    } finally {
      this.override = previous;
    }
  }
}

/** Simulated service latency per call, in virtual ms (writes cost more than reads). */
export function latencyMs(service: string, operation: string): number {
  if (service === 'sts') return 40;
  if (/^(Get|Describe|List|Head|Lookup)/.test(operation)) return service === 's3' ? 15 : 20;
  if (service === 'fsx' && operation.startsWith('Create')) return 150;
  return 45;
}
