// Several data repositories on one file system (issue 11): two buckets in different accounts,
// two keys in different accounts, a PERSISTENT_2 file system with its own key. Each link gets
// its own association, grant, statements and proven export; the refusals name the field.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../cli/main.js';
import { cli } from '../cli/in-process-cli.js';
import { Sandbox } from '../../sandbox/index.js';
import { freshSandbox, parsed, run, touchable } from './helpers.js';
import { linkRequest } from '../../core/link-request.js';
import type { StepInput } from '../../core/step-io.js';
import { createGrant } from '../../lambdas/create-grant/create-grant.js';
import { forState } from '../../lambdas/shared/per-repository.js';
import type { StepDeps, StepHandler } from '../../lambdas/shared/step-deps.js';

const twoBuckets = JSON.parse(readFileSync('examples/request-two-buckets.json', 'utf8')) as Record<string, any>;
const [first, second] = twoBuckets['repositories'] as { bucket: { name: string; accountId: string }; key: { arn: string }; fileSystemPath: string }[];

describe('a request of two repositories', () => {
  it('links two buckets of different accounts, under keys of different accounts, each with its own association, grant and proven export', async () => {
    expect(new Set([first!.bucket.accountId, second!.bucket.accountId, ...[first!, second!].map((r) => r.key.arn.split(':')[4])]).size).toBe(4);
    const sandbox = await freshSandbox();
    const report = await run(twoBuckets, sandbox);
    expect(report.status, report.cause).toBe('SUCCEEDED');
    const fileSystemId = report.outputs.fileSystemId!;
    const slr = report.outputs.serviceLinkedRoleArn!;
    const world = sandbox.snapshot();

    const associations = world.dataRepositoryAssociations.filter((d) => d.fileSystemId === fileSystemId);
    expect(associations.map((d) => [d.fileSystemPath, d.dataRepositoryPath, d.lifecycle]).sort()).toEqual([
      ['/genomics', 's3://genomics-reference-data/cohort-2026-two/', 'AVAILABLE'],
      ['/imaging', 's3://imaging-derived-data/derived/', 'AVAILABLE'],
    ]);
    const repositories = report.outputs.repositories!;
    expect(repositories.map((r) => r.fileSystemPath)).toEqual(['/genomics', '/imaging']);
    expect(new Set(repositories.map((r) => r.dataRepositoryAssociationId))).toEqual(new Set(associations.map((d) => d.id)));

    for (const [i, repository] of [first!, second!].entries()) {
      // A grant on this repository's key, for the file system's one SLR, reported for this link.
      const key = world.keys.find((k) => k.arn === repository.key.arn)!;
      const grants = key.grants.filter((g) => g.granteePrincipal === slr);
      expect(grants.map((g) => g.grantId)).toEqual([repositories[i]!.grantId]);
      // The export of this link landed in its own bucket under its own key, and was read back.
      const proof = repositories[i]!.exportCheck as { proof: string; evidence: { exported: { url: string; sseKmsKeyId: string }; read: { path: string } } };
      expect(proof.proof).toBe('export-and-decrypt');
      expect(proof.evidence.exported.url).toMatch(new RegExp(`^s3://${repository.bucket.name}/`));
      expect(proof.evidence.exported.sseKmsKeyId).toBe(repository.key.arn);
      expect(proof.evidence.read.path).toMatch(new RegExp(`^/fsx${repository.fileSystemPath}/`));
      // Each bucket allows the SLR by its own statements, and its default encryption is its key.
      const bucket = world.buckets.find((b) => b.name === repository.bucket.name)!;
      expect(JSON.stringify(bucket.policy)).toContain(slr);
      expect(bucket.encryption).toMatchObject({ sseAlgorithm: 'aws:kms', kmsMasterKeyId: repository.key.arn });
    }
    // The two links' names differ: two grants, two sets of statements, two canaries that read differently.
    expect(repositories[0]!.grantId).not.toBe(repositories[1]!.grantId);
    const readBack = repositories.map((r) => (r.exportCheck as { evidence: { read: { content: string } } }).evidence.read.content);
    expect(readBack).toEqual([`fsx-onboard canary from-s3 ${twoBuckets['requestId']}`, `fsx-onboard canary from-s3 ${twoBuckets['requestId']}.r1`]);
  });

  it('re-runs as a no-op: every link is found in place', async () => {
    const sandbox = await freshSandbox();
    expect((await run(twoBuckets, sandbox)).status).toBe('SUCCEEDED');
    const again = await run(twoBuckets, sandbox);
    expect(again.status, again.cause).toBe('SUCCEEDED');
    const changing = again.steps.filter(
      (s) => s.changed === true && !['StartTestExport', 'WaitForTestExport', 'VerifyExport', 'RemoveTestExport'].includes(s.name),
    );
    expect(changing.map((s) => s.name)).toEqual([]);
    expect(sandbox.snapshot().dataRepositoryAssociations.filter((d) => d.lifecycle !== 'DELETING')).toHaveLength(2);
  });

  it('rolls back every link, and only its own, when the on-demand rollback runs', async () => {
    const sandbox = await freshSandbox();
    const report = await run(twoBuckets, sandbox);
    expect(report.status).toBe('SUCCEEDED');
    const rollback = await run(twoBuckets, sandbox, { machine: 'rollback-only' });
    expect(rollback.status, rollback.cause).toBe('SUCCEEDED');
    const world = sandbox.snapshot();
    expect(world.dataRepositoryAssociations.filter((d) => d.lifecycle !== 'DELETED' && d.lifecycle !== 'DELETING')).toEqual([]);
    for (const repository of [first!, second!]) {
      expect(world.keys.find((k) => k.arn === repository.key.arn)!.grants).toEqual([]);
      expect(JSON.stringify(world.buckets.find((b) => b.name === repository.bucket.name)!.policy ?? {})).not.toContain('FsxOnboard');
    }
  });
});

describe('a request of eight repositories, the most a file system takes', () => {
  it("links all eight, each with its own association and grant, and its state stays within Step Functions' 256 KB", async () => {
    const eight = structuredClone(twoBuckets);
    eight['repositories'] = Array.from({ length: 8 }, (_, i) => ({
      bucket: { accountId: String(600000000000 + i), name: `bucket-eight-${i}`, prefix: `p${i}/` },
      key: { arn: `arn:aws:kms:us-east-1:${700000000000 + i}:key/6f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f${i}` },
      fileSystemPath: `/r${i}`,
    }));
    const sandbox = await freshSandbox();
    const report = await run(eight, sandbox);
    expect(report.status, report.cause).toBe('SUCCEEDED');
    expect(sandbox.snapshot().dataRepositoryAssociations.filter((d) => d.lifecycle === 'AVAILABLE')).toHaveLength(8);
    expect(new Set(report.outputs.repositories!.map((r) => r.grantId)).size).toBe(8);
    expect(report.outputs.repositories!.every((r) => (r.exportCheck as { proof?: string }).proof === 'export-and-decrypt')).toBe(true);
    // Step Functions refuses a state over 256 KB (its payload quota); the per-repository results live in it.
    expect(Buffer.byteLength(JSON.stringify(report.finalState))).toBeLessThan(256 * 1024);
  });
});

describe('plan of a request of two repositories', () => {
  it('lists each link once per repository and the file system once, and changes nothing', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'fsx-onboard-repositories-'));
    const result = await cli('--state-dir', stateDir, 'plan', 'examples/request-two-buckets.json', '--json');
    expect(result.code, result.err).toBe(ExitCode.Ok);
    const plan = JSON.parse(result.out) as { changes: { kind: string; resource: string; step: string }[] };
    const of = (kind: string) => plan.changes.filter((c) => c.kind === kind).map((c) => c.resource);
    expect(of('fileSystem')).toHaveLength(1);
    expect(of('dataRepositoryAssociation')).toEqual(['fs-xxxxxxxxxxxxxxxxx:/genomics', 'fs-xxxxxxxxxxxxxxxxx:/imaging']);
    expect(of('grant')).toEqual([first!.key.arn, second!.key.arn]);
    expect(of('defaultEncryption')).toEqual([`arn:aws:s3:::${first!.bucket.name}`, `arn:aws:s3:::${second!.bucket.name}`]);
  });
});

describe('a request of two repositories that fails at its second link', () => {
  it('rolls back both links exactly: buckets, keys, grants, associations and records as they were', async () => {
    const sandbox = await freshSandbox();
    const request = parsed(twoBuckets);
    await sandbox.ensureWorldFor(request);
    const links = [0, 1].map((i) => linkRequest(request, i));
    const before = links.map((link) => touchable(sandbox, link));
    // The second link forgets its grant (the blog's mistake); the first is made for real.
    const createGrantUnlessImaging = forState('CreateGrant', async (input: StepInput, deps: StepDeps<'kms'>) =>
      input.request.fileSystem.fileSystemPath === second!.fileSystemPath
        ? { changed: false, grantId: 'never-created', granteePrincipal: '', grants: [] }
        : createGrant(input, deps),
    );
    const report = await run(twoBuckets, sandbox, { handlers: { CreateGrant: createGrantUnlessImaging as StepHandler } });
    expect(report.status).toBe('FAILED');
    expect(report.error).toMatch(/ExportNotLanded|DecryptFailed/);
    expect(report.cause).toContain(second!.key.arn);
    expect(report.cause).toMatch(/rolled back; left behind: \{\}/);
    // The first link's grant was made, and then revoked by the rollback.
    expect(report.steps.find((s) => s.name === 'RevokeGrant')?.changed).toBe(true);
    sandbox.clock.advance(3600);
    expect(links.map((link) => touchable(sandbox, link))).toEqual(before);
  });
});

describe('offboarding one repository of a request', () => {
  it('removes that link only: the other keeps its association, grant, statements and encryption, and its export still works', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'fsx-onboard-repositories-'));
    const file = join(stateDir, 'request.json');
    writeFileSync(file, JSON.stringify(twoBuckets));
    expect((await cli('--state-dir', stateDir, 'run', file)).code).toBe(ExitCode.Ok);
    const before = (await Sandbox.open({ stateFile: join(stateDir, 'sandbox.json') })).snapshot();
    const slr = before.roles.find((r) => r.serviceLinked)!.arn;
    const grantsOn = (world: typeof before, keyArn: string) => world.keys.find((k) => k.arn === keyArn)!.grants.filter((g) => g.granteePrincipal === slr);
    const policyOf = (world: typeof before, bucket: string) => JSON.stringify(world.buckets.find((b) => b.name === bucket)!.policy ?? {});
    const encryptionOf = (world: typeof before, bucket: string) => world.buckets.find((b) => b.name === bucket)!.encryption;

    expect(grantsOn(before, second!.key.arn)).toHaveLength(1);
    expect(policyOf(before, second!.bucket.name)).toContain('FsxOnboard');
    const refused = await cli('--state-dir', stateDir, 'offboard', twoBuckets['requestId'], '--repository', '/nowhere', '--yes');
    expect(refused.code).toBe(ExitCode.BadInput);
    expect(refused.err).toMatch(/--repository: "\/nowhere" is not the fileSystemPath of a repository/);

    const result = await cli('--state-dir', stateDir, 'offboard', twoBuckets['requestId'], '--repository', second!.fileSystemPath, '--yes');
    expect(result.code, result.err).toBe(ExitCode.Ok);
    // The plan names the second link's resources only.
    expect(result.out).toContain(`remove KMS grant on ${second!.key.arn}`);
    expect(result.out).not.toContain(`remove KMS grant on ${first!.key.arn}`);

    const sandbox = await Sandbox.open({ stateFile: join(stateDir, 'sandbox.json') });
    const after = sandbox.snapshot();
    const live = after.dataRepositoryAssociations.filter((d) => d.lifecycle !== 'DELETED' && d.lifecycle !== 'DELETING');
    expect(live.map((d) => [d.fileSystemPath, d.lifecycle])).toEqual([[first!.fileSystemPath, 'AVAILABLE']]);
    expect(grantsOn(after, second!.key.arn)).toEqual([]);
    expect(policyOf(after, second!.bucket.name)).not.toContain('FsxOnboard');
    expect((encryptionOf(after, second!.bucket.name) as { sseAlgorithm?: string }).sseAlgorithm).not.toBe('aws:kms');
    // The first link is exactly as it was.
    expect(grantsOn(after, first!.key.arn)).toEqual(grantsOn(before, first!.key.arn));
    expect(policyOf(after, first!.bucket.name)).toBe(policyOf(before, first!.bucket.name));
    expect(encryptionOf(after, first!.bucket.name)).toEqual(encryptionOf(before, first!.bucket.name));
    expect(after.fileSystems.find((f) => f.id === live[0]!.fileSystemId)?.lifecycle).toBe('AVAILABLE');

    // And it still works: the first repository's link, verified end to end again, changes nothing.
    const firstOnly = { ...structuredClone(twoBuckets), repositories: [twoBuckets['repositories'][0]] };
    const again = await run(firstOnly, sandbox);
    expect(again.status, again.cause).toBe('SUCCEEDED');
    expect(again.outputs.repositories![0]!.exportCheck).toMatchObject({ proof: 'export-and-decrypt' });
    expect(
      again.steps.filter((s) => s.changed === true && !['StartTestExport', 'WaitForTestExport', 'RemoveTestExport'].includes(s.name)).map((s) => s.name),
    ).toEqual([]);
  });
});

describe('rolling back one repository with deleteFileSystem', () => {
  it("keeps the file system, which still carries the request's other link", async () => {
    const sandbox = await freshSandbox();
    const report = await run(twoBuckets, sandbox);
    expect(report.status).toBe('SUCCEEDED');
    const rollback = await run(twoBuckets, sandbox, { machine: 'rollback-only', repository: second!.fileSystemPath });
    expect(rollback.status, rollback.cause).toBe('SUCCEEDED');
    const genomics = report.outputs.repositories![0]!.dataRepositoryAssociationId;
    const deleteStep = (rollback.finalState as { steps: Record<string, unknown> }).steps['DeleteFileSystem'];
    expect(deleteStep).toMatchObject({ fileSystemIds: [], kept: [{ fileSystemId: report.outputs.fileSystemId, associationIds: [genomics] }] });
    sandbox.clock.advance(3600);
    const world = sandbox.snapshot();
    expect(world.fileSystems.find((f) => f.id === report.outputs.fileSystemId)?.lifecycle).toBe('AVAILABLE');
    expect(world.dataRepositoryAssociations.filter((d) => d.lifecycle === 'AVAILABLE').map((d) => d.id)).toEqual([genomics]);
  });
});

describe('refusals of repositories, before anything runs', () => {
  const variant = (change: (doc: Record<string, any>) => void): string => {
    const doc = structuredClone(twoBuckets);
    change(doc);
    const file = join(mkdtempSync(join(tmpdir(), 'fsx-onboard-repositories-')), 'request.json');
    writeFileSync(file, JSON.stringify(doc));
    return file;
  };
  const cases: [string, (doc: Record<string, any>) => void, string, RegExp][] = [
    ['overlapping paths', (d) => (d['repositories'][1].fileSystemPath = '/genomics/imaging'), 'repositories[1].fileSystemPath', /overlaps repositories\[0\]/],
    ['"/" beside another repository', (d) => (d['repositories'][0].fileSystemPath = '/'), 'repositories[0].fileSystemPath', /"\/" only when it is the only/],
    [
      'nine repositories',
      (d) =>
        (d['repositories'] = Array.from({ length: 9 }, (_, i) => ({
          ...d['repositories'][1],
          bucket: { ...d['repositories'][1].bucket, name: `imaging-derived-data-${i}` },
          fileSystemPath: `/imaging${i}`,
        }))),
      'repositories',
      /1 to 8 repositories/,
    ],
    [
      'a legacy linked type with two',
      (d) => {
        Object.assign(d['fileSystem'], { deploymentType: 'SCRATCH_2', storageCapacityGiB: 2400 });
        delete d['fileSystem'].perUnitStorageThroughput;
        delete d['fileSystem'].kmsKeyArn;
        d['repositories'][0].fileSystemPath = '/';
        d['repositories'].splice(1, 1, { ...d['repositories'][1], fileSystemPath: '/imaging' });
      },
      'repositories',
      /exactly one repository for SCRATCH_2/,
    ],
    ['both forms', (d) => (d['key'] = d['repositories'][0].key), 'repositories', /cannot be combined with the single-bucket form \(key\)/],
  ];
  it.each(cases)('exits 1 for %s, naming the field', async (_name, change, field, rule) => {
    const stateDir = mkdtempSync(join(tmpdir(), 'fsx-onboard-state-'));
    const result = await cli('run', variant(change), '--state-dir', stateDir);
    expect(result.code).toBe(ExitCode.BadInput);
    const line = result.err.split('\n').find((l) => l.trim().startsWith(`${field}: `));
    expect(line, result.err).toMatch(rule);
  });

  it('validate --json shows each form as written, each field once, and what it shows validates again', async () => {
    for (const [file, form] of [
      ['examples/request-two-buckets.json', 'repositories'],
      ['examples/request.json', 'bucket'],
    ] as const) {
      const shown = await cli('validate', file, '--json');
      expect(shown.code).toBe(ExitCode.Ok);
      const request = (JSON.parse(shown.out) as { request: Record<string, unknown> }).request;
      expect(Object.keys(request).filter((k) => ['repositories', 'bucket'].includes(k))).toEqual([form]);
      const dir = mkdtempSync(join(tmpdir(), 'fsx-onboard-repositories-'));
      writeFileSync(join(dir, 'shown.json'), JSON.stringify(request));
      expect((await cli('validate', join(dir, 'shown.json'))).code).toBe(ExitCode.Ok);
    }
  });

  it('takes the single-bucket form as one repository', () => {
    const single = parsed(JSON.parse(readFileSync('examples/request.json', 'utf8')));
    expect(single.repositories).toEqual([{ bucket: single.bucket, key: single.key, fileSystemPath: '/genomics', dataRepository: single.dataRepository }]);
  });
});
