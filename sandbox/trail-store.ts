// CloudTrail events live beside the world, not in it: they were 92 % of a state file that every
// command reads and rewrites whole, so a world of many onboardings took ~300 ms per command. The
// events go to their own append-only file (JSON lines) next to the state file: a save appends
// only the events of this process, and the file is read only when something asks for events
// (LookupEvents, `sandbox show`), which a successful run never does.
import { appendFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { noteStateFile } from './state-dir.js';
import type { WorldState } from './state.js';

export interface TrailEvent {
  recipientAccountId: string;
  /** Virtual ms (the record's eventTime has whole seconds, as on AWS). */
  time: number;
  managementEvent: boolean;
  record: Record<string, unknown>;
}

/** `sandbox.json` → `sandbox-cloudtrail.jsonl`, in the same folder. */
export function cloudTrailFileOf(stateFile: string): string {
  return join(dirname(stateFile), `${basename(stateFile, '.json')}-cloudtrail.jsonl`);
}

/** The events saved in `file`, oldest first; a last line cut short by a crash is skipped. */
export function readTrailFile(file: string): TrailEvent[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const events: TrailEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      events.push(JSON.parse(line) as TrailEvent);
    } catch {
      // Only an interrupted append leaves a partial line, and only at the end.
    }
  }
  return events;
}

export class TrailStore {
  /** Events already in the file, once read (undefined: not read yet). */
  private saved: TrailEvent[] | undefined;
  /** Events recorded since the last save. */
  private fresh: TrailEvent[] = [];

  /** `file` absent: in memory only. `carried`: events of an older state file that held them inline. */
  constructor(
    private readonly file: string | undefined,
    carried: TrailEvent[] = [],
  ) {
    if (!file) this.saved = [];
    this.fresh = carried;
  }

  add(event: TrailEvent): void {
    if (this.file) this.fresh.push(event);
    else this.saved!.push(event);
  }

  /** Every event, oldest first. */
  all(): TrailEvent[] {
    this.saved ??= readTrailFile(this.file!);
    return this.fresh.length ? this.saved.concat(this.fresh) : this.saved;
  }

  /** Appends the events recorded since the last save to the file. */
  async save(): Promise<void> {
    if (!this.file || !this.fresh.length) return;
    await noteStateFile(dirname(this.file), basename(this.file));
    await appendFile(this.file, this.fresh.map((e) => `${JSON.stringify(e)}\n`).join(''));
    this.saved?.push(...this.fresh);
    this.fresh = [];
  }
}

// The store travels with the world object rather than inside it, so the world stays plain JSON
// and every model that records or looks up events (given only the state) reaches the same store.
const stores = new WeakMap<WorldState, TrailStore>();

export function attachTrail(state: WorldState, store: TrailStore): void {
  stores.set(state, store);
}

/** The world's trail; a world opened without one (tests, in-memory) gets an in-memory trail. */
export function trailOf(state: WorldState): TrailStore {
  let store = stores.get(state);
  if (!store) stores.set(state, (store = new TrailStore(undefined)));
  return store;
}
