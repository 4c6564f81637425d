// bucket.access "file-systems-of-account": every onboarding of account A on the same bucket
// prefix and key writes the same statements, so they are shared and the policies do not grow;
// each onboarding still gets its own grant. The statements go with the last onboarding that
// relies on them, and a failed onboarding never takes them from the others.
import { describe, expect, it } from 'vitest';
import type { StepHandler } from '../../lambdas/shared/step-deps.js';
import { p2Example, run } from './helpers.js';
import { BUCKET, KEY_ARN, seededSandbox, shippedSeed } from './seeding.js';

function onboarding(requestId: string, fileSystemPath: string, mountPath: string): Record<string, any> {
  const r = structuredClone(p2Example);
  r['requestId'] = requestId;
  r['bucket'] = { ...r['bucket'], access: 'file-systems-of-account' };
  r['fileSystem'] = { ...r['fileSystem'], fileSystemPath };
  r['testExport'] = { ...r['testExport'], mountPath };
  return r;
}

const first = onboarding('genomics-team-1', '/genomics', '/fsx');
const second = onboarding('genomics-team-2', '/genomics', '/fsx-2');

type Box = Awaited<ReturnType<typeof seededSandbox>>;
const bucketOf = (box: Box) => box.snapshot().buckets.find((b) => b.name === BUCKET)!;
const keyOf = (box: Box) => box.snapshot().keys.find((k) => k.arn === KEY_ARN)!;
const ours = (policy: { Statement: { Sid?: string }[] } | null) => (policy?.Statement ?? []).filter((s) => s.Sid?.startsWith('FsxOnboard'));
const finalSteps = (report: { finalState: unknown }) => (report.finalState as { steps: Record<string, Record<string, unknown>> }).steps;

describe('shared statements (bucket.access "file-systems-of-account")', () => {
  it('share one set of bucket and key statements between onboardings, with a grant for each file system', async () => {
    const box = await seededSandbox(shippedSeed('other-teams'));
    const one = await run(first, box);
    expect(one.status, one.cause).toBe('SUCCEEDED');
    const afterOne = { bucket: JSON.stringify(bucketOf(box).policy), key: JSON.stringify(keyOf(box).policy) };
    const two = await run(second, box);
    expect(two.status, two.cause).toBe('SUCCEEDED');

    // The same statements, not a second set: the documents did not change at all.
    expect(JSON.stringify(bucketOf(box).policy)).toBe(afterOne.bucket);
    expect(JSON.stringify(keyOf(box).policy)).toBe(afterOne.key);
    expect(ours(bucketOf(box).policy)).toHaveLength(2);
    expect(ours(keyOf(box).policy)).toHaveLength(3);
    // The bucket statements match account A's FSx S3-access roles by pattern, not one SLR.
    expect(JSON.stringify(ours(bucketOf(box).policy))).toContain('AWSServiceRoleForFSxS3Access_fs-*');
    // One grant per file system's SLR.
    const grantees = keyOf(box).grants.map((g) => g.granteePrincipal);
    expect(new Set(grantees).size).toBe(2);
    expect(grantees).toEqual(expect.arrayContaining([one.outputs.serviceLinkedRoleArn, two.outputs.serviceLinkedRoleArn]));
  });

  it('are kept while another onboarding relies on them, and removed with the last', async () => {
    const seed = shippedSeed('other-teams');
    const box = await seededSandbox(seed);
    for (const request of [first, second]) expect((await run(request, box)).status).toBe('SUCCEEDED');

    const undoFirst = await run(first, box, { machine: 'rollback-only' });
    expect(undoFirst.status, undoFirst.cause).toBe('SUCCEEDED');
    expect(finalSteps(undoFirst)['RemoveBucketAccess']).toMatchObject({ removed: 0, keptFor: ['genomics-team-2'] });
    expect(finalSteps(undoFirst)['UnshareKey']).toMatchObject({ removed: 0, keptFor: ['genomics-team-2'] });
    expect(ours(bucketOf(box).policy)).toHaveLength(2);
    expect(ours(keyOf(box).policy)).toHaveLength(3);
    // Only the first file system's grant went.
    expect(keyOf(box).grants).toHaveLength(1);

    const undoSecond = await run(second, box, { machine: 'rollback-only' });
    expect(undoSecond.status, undoSecond.cause).toBe('SUCCEEDED');
    box.clock.advance(3600);
    expect(bucketOf(box).policy).toEqual(seed.buckets![0]!.policy);
    expect(keyOf(box).policy).toEqual(seed.keys![0]!.policy);
    expect(box.snapshot().parameters.filter((p) => p.name.startsWith('/fsx-onboard/'))).toEqual([]);
  });

  it('are never taken from the others by a failed onboarding', async () => {
    const box = await seededSandbox(shippedSeed('other-teams'));
    expect((await run(first, box)).status).toBe('SUCCEEDED');
    const policies = { bucket: bucketOf(box).policy, key: keyOf(box).policy };
    const broken: StepHandler = async () => {
      throw Object.assign(new Error('injected failure after every change was made'), { name: 'ExportNotLanded' });
    };
    const failed = await run(second, box, { handlers: { VerifyExport: broken } });
    expect(failed.status).toBe('FAILED');
    expect(failed.cause).toMatch(/rolled back; left behind: \{\}/);
    expect(bucketOf(box).policy).toEqual(policies.bucket);
    expect(keyOf(box).policy).toEqual(policies.key);
    // The first onboarding's reliance records stay; the failed one left none.
    const reliance = box
      .snapshot()
      .parameters.filter((p) => p.name.startsWith('/fsx-onboard/shared/'))
      .map((p) => p.name.split('/').pop());
    expect(reliance).toEqual(['genomics-team-1', 'genomics-team-1']);
  });
});
