// The bucket's default encryption is shared by every onboarding on the bucket: rolling back one
// of several keeps SSE-KMS for the others, and the last one to go puts back what the bucket had
// before the first (examples/seeds/other-teams.json sets SSE-S3 explicitly).
import { describe, expect, it } from 'vitest';
import { p2Example, run } from './helpers.js';
import { BUCKET, KEY_ARN, seededSandbox, shippedSeed } from './seeding.js';

/** Another team's onboarding on the same bucket and key: its own prefix and file system. */
function secondTeam(): Record<string, any> {
  const r = structuredClone(p2Example);
  r['requestId'] = 'imaging-2026-12';
  r['bucket'] = { ...r['bucket'], prefix: 'imaging-2026/' };
  r['fileSystem'] = { ...r['fileSystem'], fileSystemPath: '/imaging' };
  r['testExport'] = { ...r['testExport'], mountPath: '/fsx-imaging' };
  return r;
}

const encryptionOf = (sandbox: Awaited<ReturnType<typeof seededSandbox>>) => sandbox.snapshot().buckets.find((b) => b.name === BUCKET)!.encryption;
const SSE_KMS = { sseAlgorithm: 'aws:kms', kmsMasterKeyId: KEY_ARN };

describe("the bucket's default encryption, shared by several onboardings", () => {
  it.each([
    ['the first', [p2Example, secondTeam()]],
    ['the second', [secondTeam(), p2Example]],
  ])('stays SSE-KMS when %s onboarding is rolled back, and is restored when the last one goes', async (_which, order) => {
    const sandbox = await seededSandbox(shippedSeed('other-teams'));
    for (const request of [p2Example, secondTeam()]) {
      const report = await run(request, sandbox);
      expect(report.status, report.cause).toBe('SUCCEEDED');
    }
    expect(encryptionOf(sandbox)).toMatchObject(SSE_KMS);

    const [firstOut, lastOut] = order as Record<string, any>[];
    const rollback = await run(firstOut, sandbox, { machine: 'rollback-only' });
    expect(rollback.status, rollback.cause).toBe('SUCCEEDED');
    expect(encryptionOf(sandbox)).toMatchObject(SSE_KMS);
    const restore = (rollback.finalState as { steps: Record<string, unknown> }).steps['RestoreDefaultEncryption'];
    expect(restore).toMatchObject({ restored: false, reliedOnBy: [lastOut!['requestId']] });

    const last = await run(lastOut, sandbox, { machine: 'rollback-only' });
    expect(last.status, last.cause).toBe('SUCCEEDED');
    expect(encryptionOf(sandbox)).toEqual({ sseAlgorithm: 'AES256', bucketKeyEnabled: false });
    // No change record is left behind, not even the original configuration's.
    expect(sandbox.snapshot().parameters.filter((p) => p.name.startsWith('/fsx-onboard/change-records/'))).toEqual([]);
  });
});
