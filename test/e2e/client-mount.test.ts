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
    const filesBefore = Object.keys(sandbox.state.fileSystems[firstFs]!.files).sort();

    const second = structuredClone(p2Example);
    second['requestId'] = 'genomics-second-fs-2026-12';
    second['fileSystem'].fileSystemPath = '/genomics';
    const report = await run(second, sandbox);
    expect(report.status).toBe('FAILED');
    expect(report.cause).toMatch(/\/fsx holds another file system or none, not mount name \w+ .*set testExport\.mountPath to a free path/);
    expect(Object.keys(sandbox.state.fileSystems[firstFs]!.files).sort()).toEqual(filesBefore);
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
