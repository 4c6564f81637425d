// One file system, many requests: a later request links another bucket to a file system an
// earlier request created (fileSystem.existingFileSystemId). Rolling back the earlier request
// removes its own link and keeps the file system, which still carries the later one's.
import { describe, expect, it } from 'vitest';
import { freshSandbox, p2Example, run } from './helpers.js';

const SECOND_BUCKET = 'imaging-derived-data';

function secondRequest(fileSystemId: string): Record<string, any> {
  const raw = structuredClone(p2Example);
  raw['requestId'] = 'imaging-link-2026-12';
  raw['fileSystem'] = { ...raw['fileSystem'], existingFileSystemId: fileSystemId, fileSystemPath: '/imaging' };
  raw['bucket'] = { ...raw['bucket'], accountId: '444444444444', name: SECOND_BUCKET, prefix: 'derived/' };
  raw['key'] = { arn: 'arn:aws:kms:us-east-1:555555555555:key/6f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9' };
  raw['testExport'] = { ...raw['testExport'], mountPath: '/fsx' };
  return raw;
}

describe('one file system carrying the links of several requests', () => {
  it('adds a bucket to an onboarded file system, and rolling back the first request keeps the file system', async () => {
    const sandbox = await freshSandbox();
    const first = await run(p2Example, sandbox);
    expect(first.status).toBe('SUCCEEDED');
    const fileSystemId = first.outputs.fileSystemId!;

    const second = await run(secondRequest(fileSystemId), sandbox);
    expect(second.status, second.cause).toBe('SUCCEEDED');
    expect(second.outputs.fileSystemId).toBe(fileSystemId);
    const associations = () => sandbox.snapshot().dataRepositoryAssociations.filter((d) => d.fileSystemId === fileSystemId && d.lifecycle !== 'DELETING');
    expect(associations()).toHaveLength(2);

    const rollback = await run(p2Example, sandbox, { machine: 'rollback-only' });
    expect(rollback.status).toBe('SUCCEEDED');
    const world = sandbox.snapshot();
    expect(world.fileSystems.find((f) => f.id === fileSystemId)?.lifecycle).toBe('AVAILABLE');
    expect(associations().map((d) => d.id)).toEqual([second.outputs.dataRepositoryAssociationId]);
    const deleteStep = (rollback.finalState as { steps: Record<string, unknown> }).steps['DeleteFileSystem'];
    expect(deleteStep).toMatchObject({ fileSystemIds: [], kept: [{ fileSystemId, associationIds: [second.outputs.dataRepositoryAssociationId] }] });

    // The second link still works: its onboarding re-verifies end to end.
    const again = await run(secondRequest(fileSystemId), sandbox);
    expect(again.status, again.cause).toBe('SUCCEEDED');
  });
});
