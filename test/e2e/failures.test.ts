import { describe, expect, it } from 'vitest';
import type { StepHandler } from '../../lambdas/shared/step-deps.js';
import { freshSandbox, p2Example, parsed, run, touchable } from './helpers.js';

/** The blog's mistake: everything but the KMS grant for the service-linked role. */
const forgetTheGrant: StepHandler = async () => ({ changed: false, grantId: 'never-created' });

describe('the failures fsx-onboard exists to catch', () => {
  it("fails the blog's scenario (no grant) at the export check, naming CloudTrail's denial", async () => {
    const sandbox = await freshSandbox();
    const stop = { ...structuredClone(p2Example), onFailure: 'stop' };
    const report = await run(stop, sandbox, { handlers: { CreateGrant: forgetTheGrant } });
    expect(report.status).toBe('FAILED');
    expect(report.error).toMatch(/ExportNotLanded|DecryptFailed/);
    expect(report.cause).toMatch(/AWSServiceRoleForFSxS3Access_fs-[0-9a-f]{17}\/FSx/);
    expect(report.cause).toMatch(/kms:(GenerateDataKey|Decrypt)/);
    expect(report.cause).toContain(parsed(p2Example).key.arn);
    const failed = report.steps.filter((s) => s.status === 'failed').map((s) => s.name);
    expect(failed).toEqual(['VerifyExport']);
    // The export really did not land: the sandbox holds no exported canary.
    const bucket = sandbox.snapshot().buckets.find((b) => b.name === 'genomics-reference-data')!;
    expect(bucket.objects.map((o) => o.key).filter((k) => k.endsWith('to-s3.txt'))).toEqual([]);
  });

  it('rolls back exactly what it changed when the export check fails', async () => {
    const sandbox = await freshSandbox();
    const request = parsed(p2Example);
    await sandbox.ensureWorldFor(request);
    const before = touchable(sandbox, request);
    const report = await run(p2Example, sandbox, { handlers: { CreateGrant: forgetTheGrant } });
    expect(report.status).toBe('FAILED');
    expect(report.error).toMatch(/ExportNotLanded|DecryptFailed/);
    expect(report.cause).toMatch(/rolled back; left behind: \{\}/);
    // Deletions finish on the virtual clock; let them complete before comparing.
    sandbox.clock.advance(3600);
    expect(touchable(sandbox, request)).toEqual(before);
  });

  it('refuses an asymmetric key before any change', async () => {
    const sandbox = await freshSandbox();
    const request = parsed(p2Example);
    await sandbox.ensureWorldFor(request);
    sandbox.sim.state.keys[request.key.arn]!.keySpec = 'RSA_2048';
    const before = touchable(sandbox, request);
    const report = await run(p2Example, sandbox);
    expect(report.status).toBe('FAILED');
    expect(report.error).toBe('KeyNotUsable');
    expect(report.cause).toMatch(/RSA_2048/);
    expect(report.steps.map((s) => s.name)).toEqual(['ValidateRequest']);
    expect(touchable(sandbox, request)).toEqual(before);
  });

  it('fails at the broken step and keeps earlier changes with onFailure "stop"', async () => {
    const sandbox = await freshSandbox();
    const request = parsed({ ...structuredClone(p2Example), onFailure: 'stop' });
    const broken: StepHandler = async () => {
      throw Object.assign(new Error('injected permanent failure'), { name: 'AccessDenied' });
    };
    const report = await run({ ...structuredClone(p2Example), onFailure: 'stop' }, sandbox, { handlers: { NarrowBucketPolicy: broken } });
    expect(report.status).toBe('FAILED');
    expect(report.error).toBe('AccessDenied');
    expect(report.steps.find((s) => s.status === 'failed')?.name).toBe('NarrowBucketPolicy');
    const world = touchable(sandbox, request);
    expect(world.fileSystems).toHaveLength(1);
    expect(world.associations).toHaveLength(1);
    expect(world.grants).toEqual([]);
  });
});

describe('grant propagation', () => {
  // A first run links the file system; then the grant is lost (revoked by hand). The re-run finds
  // the file system and the association AVAILABLE, so nothing long lies between its new grant and
  // the export but the pause: only it lets KMS propagate the grant before FSx uses it.
  async function rerunAfterLostGrant(options: Parameters<typeof run>[2] = {}) {
    const sandbox = await freshSandbox();
    const request = { ...structuredClone(p2Example), onFailure: 'stop' };
    expect((await run(request, sandbox)).status).toBe('SUCCEEDED');
    const key = Object.values(sandbox.sim.state.keys).find((k) => k.arn === p2Example['key'].arn)!;
    expect(key.grants).toHaveLength(1);
    key.grants = [];
    return run(request, sandbox, options);
  }

  it('would fail the export check without the wait after CreateGrant: FSx cannot use the grant token', async () => {
    const report = await rerunAfterLostGrant({ skipWaits: ['WaitForGrantPropagation'] });
    expect(report.status).toBe('FAILED');
    expect(report.error).toMatch(/ExportNotLanded|DecryptFailed/);
    expect((await rerunAfterLostGrant()).status).toBe('SUCCEEDED');
  });
});
