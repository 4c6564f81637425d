// fileSystem.kmsKeyArn end to end: a persistent file system encrypted with its own key in
// account A, the refusals before any change (SCRATCH_2, a key FSx may not use), and what the
// run reports.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode, main } from '../../cli/main.js';
import { freshSandbox, legacyExample, parsed, run, touchable } from './helpers.js';

const ownKeyExample = JSON.parse(readFileSync('examples/request-own-key.json', 'utf8')) as Record<string, any>;
const FS_KEY: string = ownKeyExample['fileSystem'].kmsKeyArn;

describe('a file system encrypted at rest with its own key', () => {
  it('succeeds for PERSISTENT_2 with a key in account A, and the file system reports that KmsKeyId', async () => {
    const sandbox = await freshSandbox();
    const report = await run(ownKeyExample, sandbox);
    expect(report.status).toBe('SUCCEEDED');
    expect(report.outputs.fileSystemKmsKeyId).toBe(FS_KEY);
    const fileSystem = sandbox.snapshot().fileSystems.find((f) => f.id === report.outputs.fileSystemId);
    expect(fileSystem).toMatchObject({ kmsKeyId: FS_KEY });
  });

  it('refuses SCRATCH_2 with a kmsKeyArn before anything runs, naming the field', async () => {
    const sandbox = await freshSandbox();
    const request = structuredClone(legacyExample);
    request['fileSystem'].kmsKeyArn = FS_KEY;
    const { runLocally } = await import('../../cli/local-runner.js');
    const result = await runLocally(request, { sandbox });
    expect(result.kind).toBe('refused');
    if (result.kind !== 'refused') return;
    expect(result.problems).toContainEqual(expect.objectContaining({ field: 'fileSystem.kmsKeyArn', message: expect.stringMatching(/SCRATCH_2/) }));
    const file = join(mkdtempSync(join(tmpdir(), 'fsx-onboard-fs-key-')), 'scratch.json');
    writeFileSync(file, JSON.stringify(request));
    let err = '';
    const code = await main(['node', 'fsx-onboard', 'run', file, '--state-dir', mkdtempSync(join(tmpdir(), 'fsx-onboard-state-'))], {
      out: () => {},
      err: (t) => (err += t),
    });
    expect(code).toBe(ExitCode.BadInput);
    expect(err).toMatch(/fileSystem\.kmsKeyArn/);
  });

  it('refuses, before any change, a key whose policy does not let FSx use it for the file-system role', async () => {
    const sandbox = await freshSandbox();
    const request = parsed(ownKeyExample);
    sandbox.ensureWorldFor(request);
    sandbox.state.keys[FS_KEY]!.policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Root', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'kms:*', Resource: '*' },
        {
          Sid: 'NoGrantsThroughFsx',
          Effect: 'Deny',
          Principal: '*',
          Action: 'kms:CreateGrant',
          Resource: '*',
          Condition: { StringEquals: { 'kms:ViaService': 'fsx.us-east-1.amazonaws.com' } },
        },
      ],
    });
    const before = touchable(sandbox, request);
    const report = await run(ownKeyExample, sandbox);
    expect(report.status).toBe('FAILED');
    expect(report.error).toBe('KeyNotUsable');
    expect(report.cause).toMatch(/fileSystem\.kmsKeyArn: .*kms:CreateGrant is explicitly denied by the key policy \(Sid NoGrantsThroughFsx\)/);
    expect(touchable(sandbox, request)).toEqual(before);
  });
});
