import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../cli/run-report.js';
import { runLocally } from '../../cli/local-runner.js';
import { freshSandbox, p2Example, parsed, run } from '../e2e/helpers.js';
import { cleanEndState, crashThenRerun, mutatingSteps, preexistingFileSystem, stopThenResume, stopThenRollback, withStop } from './scenarios.js';
import { endState } from './world-state.js';

describe('re-running after a stop or a crash', () => {
  it.each(mutatingSteps)('resumes a run stopped at %s to the end state of a clean run, with no duplicate', async (step) => {
    const outcome = await stopThenResume(p2Example, step);
    expect(outcome.problem).toBeUndefined();
    expect(outcome.diff).toEqual([]);
  });

  it.each(['CreateFileSystem', 'CreateGrant', 'StartTestExport'] as const)(
    'rolls back a run stopped at %s on demand, leaving the accounts as before',
    async (step) => {
      const outcome = await stopThenRollback(p2Example, step);
      expect(outcome.problem).toBeUndefined();
      expect(outcome.diff).toEqual([]);
    },
  );

  // The bench crashes every forward step; here the ones whose lost result hides a change.
  it.each([...mutatingSteps, 'VerifyExport'] as const)(
    'converges when the Lambda of %s crashes after its work: the retry finds it done, and so does a re-run',
    async (step) => {
      const outcome = await crashThenRerun(p2Example, step);
      expect(outcome.problem).toBeUndefined();
      expect(outcome.diff).toEqual([]);
    },
  );

  it('re-runs onto an adopted file system whose DRA it already made, without refusing it as an overlap', async () => {
    const sandbox = await freshSandbox();
    const document = withStop(p2Example);
    document['fileSystem'].existingFileSystemId = await preexistingFileSystem(sandbox, p2Example);
    // The crash is retried: the second attempt finds the association it made on the adopted file system.
    const crashed = await run(document, sandbox, { crashAfter: ['CreateDataRepositoryAssociation'] });
    expect(crashed.status, `${crashed.error}: ${crashed.cause}`).toBe('SUCCEEDED');
    expect(crashed.steps.find((s) => s.name === 'CreateDataRepositoryAssociation')?.attempts).toBe(2);
    const rerun = await run(document, sandbox);
    expect(rerun.status, `${rerun.error}: ${rerun.cause}`).toBe('SUCCEEDED');
    const state = endState(sandbox, parsed(document));
    expect(state.fileSystems).toEqual(['fs-<id>']);
    expect(state.associations).toHaveLength(1);
  });

  it('does not double any effect when the same request runs twice at once', async () => {
    const sandbox = await freshSandbox();
    const log: string[] = [];
    const started = (i: number) => (e: RunEvent) => void (e.kind === 'entered' && log.push(`${i}:${e.step}`));
    const results = await Promise.all([runLocally(p2Example, { sandbox, onEvent: started(0) }), runLocally(p2Example, { sandbox, onEvent: started(1) })]);
    // The two really overlapped: the second entered a step before the first had finished.
    expect(log.indexOf('1:CreateFileSystem')).toBeLessThan(log.indexOf('0:VerifyExport'));
    for (const result of results) expect(result.kind === 'ran' && result.report.status).toBe('SUCCEEDED');
    const state = endState(sandbox, parsed(p2Example));
    expect(state.fileSystems).toHaveLength(1);
    expect(state.associations).toHaveLength(1);
    expect(state.grants).toHaveLength(1);
    expect(state).toEqual(await cleanEndState(p2Example));
  });
});
