// The shortest an onboarding could take in this world: what FSx itself spends creating this
// run's file system and associations and landing the test export, as the sandbox models them.
// No orchestration can beat it; `run --json` reports it so the critical path can be judged.
import type { Sim } from './sim.js';
import { HSM_ARCHIVE_SECONDS } from './lustre-client.js';
import { draCreateSeconds } from './services/fsx-dra.js';
import { AUTO_IMPORT_SECONDS } from './services/fsx-links.js';
import { TASK_RUN_SECONDS, TASK_START_SECONDS } from './services/fsx-tasks.js';

export interface FloorQuery {
  fileSystemId?: string;
  /** The run's associations (one per repository); FSx creates them one after another. */
  associationIds: readonly string[];
  /** Virtual ms the run started at: a file system or association created earlier is not this run's. */
  since: number;
  exportMode: 'lustre-client' | 'data-repository-task';
}

/**
 * lustre-client: the canary written through the mount is archived to S3 while the one written to
 * S3 is imported into the file system, so the longer of the two; data-repository-task: the
 * export task's start and run.
 */
function exportSeconds(mode: FloorQuery['exportMode']): number {
  return mode === 'lustre-client' ? Math.max(HSM_ARCHIVE_SECONDS, AUTO_IMPORT_SECONDS) : TASK_START_SECONDS + TASK_RUN_SECONDS;
}

export function floorSeconds(sim: Sim, query: FloorQuery): number {
  const fs = query.fileSystemId ? sim.state.fileSystems[query.fileSystemId] : undefined;
  const creation = fs && fs.createdAt >= query.since ? (fs.availableAt - fs.createdAt) / 1000 : 0;
  const associations = query.associationIds
    .flatMap((id) => (sim.state.dras[id] && sim.state.dras[id].createdAt >= query.since ? [draCreateSeconds(id)] : []))
    .reduce((sum, seconds) => sum + seconds, 0);
  return Math.round(creation + associations + exportSeconds(query.exportMode));
}
