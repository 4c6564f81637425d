// The critical path against its floor: what FSx itself spends creating the file system and the
// association and landing the test export, as the sandbox models them.
import { describe, expect, it } from 'vitest';
import { FILE_SYSTEM_CREATE_SECONDS } from '../../sandbox/services/fsx.js';
import { freshSandbox, legacyExample, p2Example, run } from './helpers.js';

// The shortest association the sandbox models, and the lustre-client export (the S3 canary's import).
const SHORTEST_ASSOCIATION_SECONDS = 300;
const LUSTRE_CLIENT_EXPORT_SECONDS = 60;

describe('the critical path', () => {
  it('ends within a minute of its floor for examples/request.json, in at most 60 state transitions', async () => {
    const report = await run(p2Example, await freshSandbox());
    expect(report.status, `${report.error}: ${report.cause}`).toBe('SUCCEEDED');
    const { floorSeconds, simulatedSeconds, stateTransitions } = report.metrics;
    expect(floorSeconds).toBeGreaterThanOrEqual(FILE_SYSTEM_CREATE_SECONDS['PERSISTENT_2']! + SHORTEST_ASSOCIATION_SECONDS + LUSTRE_CLIENT_EXPORT_SECONDS);
    // No orchestration beats FSx: a floor above the run's own time would be a wrong floor.
    expect(simulatedSeconds).toBeGreaterThanOrEqual(floorSeconds!);
    expect(simulatedSeconds).toBeLessThanOrEqual(floorSeconds! + 60);
    expect(stateTransitions).toBeLessThanOrEqual(60);
  });

  it("counts only what this run created: a re-run's floor is its test export", async () => {
    const sandbox = await freshSandbox();
    await run(p2Example, sandbox);
    const again = await run(p2Example, sandbox);
    expect(again.status).toBe('SUCCEEDED');
    expect(again.metrics.floorSeconds).toBe(LUSTRE_CLIENT_EXPORT_SECONDS);
  });

  it('counts a legacy linked file system (no association) and an export task', async () => {
    const report = await run(legacyExample, await freshSandbox());
    expect(report.status, `${report.error}: ${report.cause}`).toBe('SUCCEEDED');
    // The export task's 20 s to start and 60 s to run.
    expect(report.metrics.floorSeconds).toBe(FILE_SYSTEM_CREATE_SECONDS['SCRATCH_2']! + 80);
    expect(report.metrics.simulatedSeconds).toBeGreaterThanOrEqual(report.metrics.floorSeconds!);
  });

  it('reports no floor for a failed run', async () => {
    const sandbox = await freshSandbox();
    sandbox.faults = { permanent: { 'fsx:CreateDataRepositoryAssociation': { code: 'InternalServerError', message: 'injected', httpStatusCode: 500 } } };
    const report = await run(p2Example, sandbox);
    expect(report.status).toBe('FAILED');
    expect(report.metrics.floorSeconds).toBeUndefined();
  });
});
