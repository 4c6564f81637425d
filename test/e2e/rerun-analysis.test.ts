// A re-run of a succeeded data-repository-task onboarding reuses the export task of the first
// run; its access analysis must judge the grant on FSx's clock (the task's end), the clock the
// grant's CreationDate is on, not the function's own.
import { describe, expect, it } from 'vitest';
import { Sandbox } from '../../sandbox/index.js';
import { legacyExample, run } from './helpers.js';

describe('re-running a succeeded data-repository-task onboarding', () => {
  it('succeeds again, judging the grant when the reused export task ended', async () => {
    // As the CLI does: the virtual clock starts at the real time and runs ahead of it.
    const sandbox = await Sandbox.open({ inMemory: true, startTime: Date.now() });
    expect((await run(legacyExample, sandbox)).status).toBe('SUCCEEDED');
    const again = await run(legacyExample, sandbox);
    expect(again.status, again.cause).toBe('SUCCEEDED');
    expect(again.outputs.exportCheck).toMatchObject({ proof: 'analysis' });
  });
});
