// A re-run of a succeeded request changes nothing, and a failed re-run's rollback undoes only
// what its own execution changed: the first run's pieces stay, and keep working.
import { describe, expect, it } from 'vitest';
import type { StepHandler } from '../../lambdas/shared/step-deps.js';
import type { Sandbox } from '../../sandbox/index.js';
import { freshSandbox, p2Example, parsed, run, touchable } from '../e2e/helpers.js';

const MUTATING = ['PutBucketPolicy', 'PutKeyPolicy', 'PutBucketEncryption', 'CreateGrant', 'CreateFileSystem', 'CreateDataRepositoryAssociation'];

/** Successful mutating calls CloudTrail recorded since `from` (an index into the trail). */
function mutatingCallsSince(sandbox: Sandbox, from: number): string[] {
  return sandbox
    .snapshot()
    .cloudTrail.slice(from)
    .filter((r) => MUTATING.includes(String(r['eventName'])) && !r['errorCode'])
    .map((r) => String(r['eventName']));
}

const failingHandler =
  (name: string): StepHandler<any> =>
  async () => {
    throw Object.assign(new Error(`injected failure in ${name}`), { name: 'AccessDenied' });
  };

describe('re-running a succeeded request', () => {
  it('makes none of the mutating calls, and the export check passes again', async () => {
    const sandbox = await freshSandbox();
    const first = await run(p2Example, sandbox);
    expect(first.status, `${first.error}: ${first.cause}`).toBe('SUCCEEDED');
    const before = touchable(sandbox, parsed(p2Example));
    const trail = sandbox.snapshot().cloudTrail.length;
    const second = await run(p2Example, sandbox);
    expect(second.status, `${second.error}: ${second.cause}`).toBe('SUCCEEDED');
    expect(mutatingCallsSince(sandbox, trail)).toEqual([]);
    const after = touchable(sandbox, parsed(p2Example));
    expect({ ...after, objects: null, parameters: null }).toEqual({ ...before, objects: null, parameters: null });
  });

  it.each(['VerifyExport', 'CreateGrant', 'NarrowBucketPolicy', 'SetDefaultEncryption'] as const)(
    'rolls back nothing of the earlier run when the re-run fails at %s',
    async (step) => {
      const sandbox = await freshSandbox();
      const first = await run(p2Example, sandbox);
      expect(first.status).toBe('SUCCEEDED');
      const before = touchable(sandbox, parsed(p2Example));
      const failed = await run(p2Example, sandbox, { handlers: { [step]: failingHandler(step) } });
      expect(failed.status).toBe('FAILED');
      expect(failed.cause).toMatch(/left behind: \{\}$/);
      const after = touchable(sandbox, parsed(p2Example));
      expect({ ...after, objects: null }).toEqual({ ...before, objects: null });
      // Still working: a third run's export check passes on the first run's pieces, changing nothing.
      const trail = sandbox.snapshot().cloudTrail.length;
      const third = await run(p2Example, sandbox);
      expect(third.status, `${third.error}: ${third.cause}`).toBe('SUCCEEDED');
      expect(mutatingCallsSince(sandbox, trail)).toEqual([]);
    },
  );

  it('still undoes what the re-run itself made when its Lambda crashed after the work', async () => {
    const sandbox = await freshSandbox();
    const request = parsed(p2Example);
    await sandbox.ensureWorldFor(request);
    const pristine = touchable(sandbox, request);
    // The first run stops before the grant: the re-run creates it, crashes, retries, then fails later.
    const first = await run(p2Example, sandbox, { handlers: { CreateGrant: failingHandler('CreateGrant') } });
    expect(first.status).toBe('FAILED');
    const failed = await run(p2Example, sandbox, {
      crashAfter: ['CreateFileSystem', 'CreateGrant'],
      handlers: { VerifyExport: failingHandler('VerifyExport') },
    });
    expect(failed.status).toBe('FAILED');
    expect(failed.steps.find((s) => s.name === 'CreateGrant')?.attempts).toBe(2);
    expect(failed.cause).toMatch(/left behind: \{\}$/);
    sandbox.clock.advance(3600);
    const after = touchable(sandbox, request);
    expect(after.grants).toEqual([]);
    expect(after.fileSystems).toEqual([]);
    expect(after.bucketPolicy).toEqual(pristine.bucketPolicy);
    expect(after.keyPolicy).toEqual(pristine.keyPolicy);
    expect(after.encryption).toEqual(pristine.encryption);
  });
});
