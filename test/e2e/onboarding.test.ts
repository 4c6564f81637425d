import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../cli/run-report.js';
import { freshSandbox, legacyExample, p2Example, parsed, run, touchable } from './helpers.js';

const SLR_PATH = '/aws-service-role/s3.data-source.lustre.fsx.amazonaws.com/';

describe('an onboarding in the sandbox', () => {
  it('links a PERSISTENT_2 file system end to end and proves export and decrypt', async () => {
    const sandbox = await freshSandbox();
    const events: RunEvent[] = [];
    const report = await run(p2Example, sandbox, { onEvent: (e) => events.push(e) });

    expect(report.status, `${report.error}: ${report.cause}`).toBe('SUCCEEDED');
    expect(report.outputs.fileSystemId).toMatch(/^fs-[0-9a-f]{17}$/);
    expect(report.outputs.dataRepositoryAssociationId).toMatch(/^dra-[0-9a-f]{17}$/);
    expect(report.outputs.serviceLinkedRoleArn).toBe(`arn:aws:iam::111111111111:role${SLR_PATH}AWSServiceRoleForFSxS3Access_${report.outputs.fileSystemId}`);
    expect(report.outputs.exportCheck).toMatchObject({ proof: 'export-and-decrypt' });
    // The handlers really ran (the Node 20 trap: a swallowed TypeError would skip them).
    expect(report.metrics.lambdaInvocations).toBeGreaterThanOrEqual(14);
    expect(report.metrics.awsCalls).toBeGreaterThan(30);
    expect(report.metrics.simulatedSeconds).toBeGreaterThan(10 * 60);
    expect(events.filter((e) => e.kind === 'done').map((e) => e.step)).toContain('VerifyExport');
  });

  it('leaves a bucket policy that names the SLR and nothing broader, and a grant for it', async () => {
    const sandbox = await freshSandbox();
    const report = await run(p2Example, sandbox);
    const request = parsed(p2Example);
    const world = touchable(sandbox, request);
    const ours = (world.bucketPolicy!.Statement as { Sid: string; Principal: unknown; Condition?: unknown }[]).filter((s) => s.Sid.startsWith('FsxOnboard'));
    expect(ours).toHaveLength(2);
    for (const statement of ours) {
      expect(statement.Principal).toEqual({ AWS: report.outputs.serviceLinkedRoleArn });
      expect(statement.Condition).toBeUndefined();
    }
    const key = sandbox.snapshot().keys.find((k) => k.arn === request.key.arn)!;
    expect(key.grants).toEqual([expect.objectContaining({ grantId: report.outputs.grantId, granteePrincipal: report.outputs.serviceLinkedRoleArn })]);
  });

  it('links a legacy SCRATCH_2 file system at creation and reports an access analysis', async () => {
    const sandbox = await freshSandbox();
    const report = await run(legacyExample, sandbox);
    expect(report.status, `${report.error}: ${report.cause}`).toBe('SUCCEEDED');
    expect(report.outputs.fileSystemId).toMatch(/^fs-[0-9a-f]{17}$/);
    expect(report.outputs.dataRepositoryAssociationId).toBeUndefined();
    expect(report.outputs.serviceLinkedRoleArn).toContain(SLR_PATH);
    expect(report.outputs.exportCheck).toMatchObject({ proof: 'analysis' });
    const fs = sandbox.snapshot().fileSystems.find((f) => f.id === report.outputs.fileSystemId)!;
    expect(fs.importPath).toBe('s3://ml-training-sets/');
  });

  it('changes nothing when the same request runs again', async () => {
    const sandbox = await freshSandbox();
    const request = parsed(p2Example);
    const first = await run(p2Example, sandbox);
    const after = touchable(sandbox, request);
    const second = await run(p2Example, sandbox);
    expect(second.status).toBe('SUCCEEDED');
    expect(second.outputs.fileSystemId).toBe(first.outputs.fileSystemId);
    expect(second.outputs.grantId).toBe(first.outputs.grantId);
    expect(touchable(sandbox, request)).toEqual(after);
  });
});
