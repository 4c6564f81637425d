// The simulated AWS the local runner and the tests plug into real SDK v3 clients. See
// docs/architecture.md; the API below is what cli/local-runner.ts relies on.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { AwsCredentialIdentity, Pluggable } from '@smithy/types';
import type { OnboardingRequest } from '../core/request.js';
import { sweepSessions } from './identity.js';
import { sweepExpiredItems } from './services/dynamodb.js';
import { runHsmArchive } from './lustre-client.js';
import { createPlugin } from './plugin.js';
import { sweepFsx } from './services/fsx.js';
import { runAutoImports, runDeletedImport, runLinkRecheck, runLinkSetUp } from './services/fsx-links.js';
import { runTask } from './services/fsx-tasks.js';
import { runCommand } from './services/ssm.js';
import { Sim, type Faults } from './sim.js';
import { applySeed, type SeedOutcome } from './seed-apply.js';
import { replaceFromSeed, type ReplaceResult } from './seed-replace.js';
import type { Seed, SeedInput } from './seed.js';
import { snapshotOf, type SandboxSnapshot } from './snapshot.js';
import { floorSeconds, type FloorQuery } from './floor.js';
import { noteStateFile } from './state-dir.js';
import { emptyWorld, type WorldState } from './state.js';
import { attachTrail, cloudTrailFileOf, TrailStore, type TrailEvent } from './trail-store.js';
import { ensureWorld, ORCHESTRATOR_ACCESS_KEY_ID, ORCHESTRATOR_SECRET, type WorldOptions } from './world.js';
import { models } from './services/index.js';

export type { Faults } from './sim.js';
export type { SandboxSnapshot } from './snapshot.js';
export type { WorldState } from './state.js';
export type { SeedOutcome } from './seed-apply.js';
export type { ReplaceResult } from './seed-replace.js';
export { readSeedFile, validateSeed, type Seed, type SeedInput } from './seed.js';
export type { WorldOptions } from './world.js';
export type { FloorQuery } from './floor.js';

/** The operations the sandbox serves for `service` (what a `--fail` fault can target). */
export function servedOperations(service: string): string[] | undefined {
  return service in models ? Object.keys(models[service as keyof typeof models]).sort() : undefined;
}

const DEFAULT_STATE_FILE = '.fsx-onboard/sandbox.json';

export interface SandboxOptions {
  /** Where the world is kept between runs (default `.fsx-onboard/sandbox.json` under cwd). */
  stateFile?: string;
  /** Never read or write a file (tests). */
  inMemory?: boolean;
  faults?: Faults;
  /** Virtual epoch ms a new world starts at (default: now, to the second). */
  startTime?: number;
}

export class Sandbox {
  // biome-ignore lint/suspicious/noExplicitAny: SDK plugins are generic over every client's input and output types
  readonly plugin: Pluggable<any, any>;
  readonly orchestratorCredentials: AwsCredentialIdentity = { accessKeyId: ORCHESTRATOR_ACCESS_KEY_ID, secretAccessKey: ORCHESTRATOR_SECRET };
  readonly clock: { now(): number; advance(seconds: number): void };
  readonly metrics: { readonly awsCalls: number };
  /** The discrete-event scheduler behind the clock: executions and Parallel branches take turns on it. */
  readonly scheduler: Sim['scheduler'];
  /** The live model (tests and `sandbox show` inspect it; handlers never see it). */
  readonly sim: Sim;

  private readonly trail: TrailStore;

  private constructor(
    state: WorldState,
    private readonly stateFile: string | undefined,
    faults: Faults,
    carriedEvents: TrailEvent[] = [],
  ) {
    this.trail = new TrailStore(stateFile && cloudTrailFileOf(stateFile), carriedEvents);
    attachTrail(state, this.trail);
    const sim = new Sim(state, faults);
    sim.onJob('hsm-archive', runHsmArchive);
    sim.onJob('task-run', runTask);
    sim.onJob('command-run', runCommand);
    sim.onJob('link-set-up', runLinkSetUp);
    sim.onJob('link-recheck', runLinkRecheck);
    sim.onJob('auto-import-deleted', runDeletedImport);
    sim.onTick(sweepFsx);
    sim.onTick(runAutoImports);
    sim.onTick((s) => sweepSessions(s.state, s.now()));
    sim.onTick(sweepExpiredItems);
    this.sim = sim;
    this.plugin = createPlugin(() => sim);
    this.scheduler = sim.scheduler;
    this.clock = {
      now: () => sim.clock.now(),
      advance: (seconds: number) => {
        sim.clock.advance(seconds);
        sim.runDueJobs();
      },
    };
    this.metrics = {
      get awsCalls() {
        return sim.state.awsCalls;
      },
    };
  }

  static async open(options: SandboxOptions = {}): Promise<Sandbox> {
    const start = options.startTime ?? Math.floor(Date.now() / 1000) * 1000;
    if (options.inMemory) return new Sandbox(emptyWorld(start), undefined, options.faults ?? {});
    const file = resolve(options.stateFile ?? DEFAULT_STATE_FILE);
    let state: WorldState;
    try {
      state = JSON.parse(await readFile(file, 'utf8')) as WorldState;
      if (state.version !== 1) throw new Error(`unsupported sandbox state version ${String(state.version)} in ${file}`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      state = emptyWorld(start);
    }
    // State files written before the trail had its own file hold the events inline: move them out.
    const legacy = state as WorldState & { events?: TrailEvent[] };
    const carried = legacy.events ?? [];
    delete legacy.events;
    return new Sandbox(state, file, options.faults ?? {}, carried);
  }

  get state(): WorldState {
    return this.sim.state;
  }

  get faults(): Faults {
    return this.sim.faults;
  }

  set faults(faults: Faults) {
    this.sim.faults = faults;
  }

  /** Creates what the request needs if absent (accounts, roles, bucket, key, client instance). */
  ensureWorldFor(request: OnboardingRequest, options: WorldOptions = {}): void {
    ensureWorld(this.sim, request, options);
  }

  /** Adds a seed's pre-existing resources; with any conflict it changes nothing (see seed-apply.ts). */
  applySeed(seed: Seed): SeedOutcome {
    return applySeed(this.sim, seed);
  }

  /** Replaces existing resources by their description (`sandbox apply`); with any problem it changes nothing (see seed-replace.ts). */
  replaceResources(seed: Seed, written: SeedInput): ReplaceResult {
    return replaceFromSeed(this.sim, seed, written);
  }

  /** What FSx alone spends on this run's file system, associations and test export (see floor.ts). */
  floorSeconds(query: FloorQuery): number {
    return floorSeconds(this.sim, query);
  }

  snapshot(): SandboxSnapshot {
    this.sim.runDueJobs();
    return snapshotOf(this.sim);
  }

  async save(): Promise<void> {
    if (!this.stateFile) return;
    await noteStateFile(dirname(this.stateFile), basename(this.stateFile));
    // Write then rename, so an interrupted save never leaves half a world behind.
    const temporary = `${this.stateFile}.tmp-${process.pid}`;
    await writeFile(temporary, JSON.stringify(this.sim.state));
    // Events first: a crash between the two leaves events of a run the world forgot (harmless
    // history), never a world whose events are missing.
    await this.trail.save();
    await rename(temporary, this.stateFile);
  }
}
