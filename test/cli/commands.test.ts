import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode, main } from '../../cli/main.js';
import { renderDefinition } from '../../workflow/render.js';

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'fsx-onboard', ...args], { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

function tempFile(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fsx-onboard-cli-'));
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('fsx-onboard CLI', () => {
  it('prints the rollback definition by default, and the stop variant on request', async () => {
    const rollback = await cli('definition');
    expect(rollback.code).toBe(ExitCode.Ok);
    expect(JSON.parse(rollback.out)).toEqual(renderDefinition('rollback'));
    const stop = await cli('definition', '--on-failure', 'stop');
    expect(JSON.parse(stop.out)).toEqual(renderDefinition('stop'));
  });

  it('refuses an unknown --on-failure value with exit code 1', async () => {
    const result = await cli('definition', '--on-failure', 'retry');
    expect(result.code).toBe(ExitCode.BadInput);
    expect(result.err).toMatch(/Allowed choices are rollback, stop/);
  });

  it('refuses --fail for a service the sandbox does not serve, before running anything', async () => {
    const result = await cli('run', 'examples/request.json', '--fail', 'kmz:CreateGrant');
    expect(result.code).toBe(ExitCode.BadInput);
    expect(result.err).toMatch(/service must be one of sts, iam, s3, kms, fsx, ssm, cloudtrail, ec2, dynamodb, not kmz \(did you mean kms\?\)/);
  });

  it('refuses --fail for an operation the sandbox never serves (a typo would never fire)', async () => {
    const result = await cli('run', 'examples/request.json', '--fail', 'kms:CreateGrnt');
    expect(result.code).toBe(ExitCode.BadInput);
    expect(result.err).toMatch(/the sandbox serves no kms:CreateGrnt; did you mean kms:CreateGrant\? kms operations: .*CreateGrant/);
  });

  it('validates the examples', async () => {
    const result = await cli('validate', 'examples/request.json');
    expect(result).toMatchObject({ code: ExitCode.Ok });
    expect(result.out).toMatch(/valid \(PERSISTENT_2, on failure: rollback\)/);
  });

  it('refuses an invalid request with every problem by field, exit code 1', async () => {
    const path = tempFile('bad.json', JSON.stringify({ requestId: 'x', region: 'us-east-1' }));
    const result = await cli('validate', path);
    expect(result.code).toBe(ExitCode.BadInput);
    expect(result.err).toMatch(/nothing was changed/);
    expect(result.err).toMatch(/requestId: must be 3 to 64/);
    expect(result.err).toMatch(/fileSystem: is required/);
  });

  it.each([
    ['an empty file', '', /is empty/],
    ['broken JSON', '{"requestId": ', /is not valid JSON/],
  ])('refuses %s with exit code 1', async (_what, content, message) => {
    const result = await cli('run', tempFile('r.json', content));
    expect(result.code).toBe(ExitCode.BadInput);
    expect(result.err).toMatch(message);
  });

  it('refuses a missing file with exit code 1', async () => {
    const result = await cli('validate', '/nonexistent/request.json');
    expect(result.code).toBe(ExitCode.BadInput);
    expect(result.err).toMatch(/cannot read .*ENOENT/);
  });

  it('explains itself in --help', async () => {
    const result = await cli('run', '--help');
    expect(result.code).toBe(ExitCode.Ok);
    expect(result.out).toMatch(/Exit codes: 0 succeeded, 1 request refused/);
  });
});
