// The export check proves THIS file system: when the client already has another file system
// mounted at testExport.mountPath, the check refuses to write or read there (it would have
// verified the other file system's link) and says how to fix it.
import { describe, expect, it } from 'vitest';
import { freshSandbox, p2Example, run } from './helpers.js';

describe('the test export on a client that already has a file system mounted', () => {
  it('fails clearly instead of verifying the file system already mounted at mountPath', async () => {
    const sandbox = await freshSandbox();
    const first = await run(p2Example, sandbox);
    expect(first.status).toBe('SUCCEEDED');
    const firstFs = first.outputs.fileSystemId!;
    // The first run's canaries are deleted once proven; their DELETED events reach the file system a minute later.
    sandbox.clock.advance(120);
    const filesBefore = Object.keys(sandbox.state.fileSystems[firstFs]!.files).sort();

    const second = structuredClone(p2Example);
    second['requestId'] = 'genomics-second-fs-2026-12';
    second['fileSystem'].fileSystemPath = '/genomics';
    const report = await run(second, sandbox);
    expect(report.status).toBe('FAILED');
    expect(report.cause).toMatch(/\/fsx holds another file system or none, not mount name \w+ .*set testExport\.mountPath to a free path/);
    expect(Object.keys(sandbox.state.fileSystems[firstFs]!.files).sort()).toEqual(filesBefore);
    // Nothing of the second request reached the first file system.
    expect(Object.keys(sandbox.state.fileSystems[firstFs]!.files).filter((path) => path.includes('genomics-second-fs-2026-12'))).toEqual([]);
  });

  it('succeeds for a second file system mounted at a path of its own', async () => {
    const sandbox = await freshSandbox();
    expect((await run(p2Example, sandbox)).status).toBe('SUCCEEDED');
    const second = structuredClone(p2Example);
    second['requestId'] = 'genomics-second-fs-2026-12';
    second['testExport'].mountPath = '/fsx-second';
    const report = await run(second, sandbox);
    expect(report.status, report.cause).toBe('SUCCEEDED');
  });
});
