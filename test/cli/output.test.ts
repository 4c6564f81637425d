// What `run` and `validate` print: the grant wait as a line of its own, the export evidence in
// the summary, colours only where wanted, `changed` per step in `run --json`, `validate --json`.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { wantsColor } from '../../cli/colors.js';
import { ExitCode, main, type Io } from '../../cli/main.js';

const temp = () => mkdtempSync(join(tmpdir(), 'fsx-onboard-output-'));

async function fsxOnboard(stateDir: string, args: string[], colors?: boolean) {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += `${t}\n`), err: (t) => (err += t), ...(colors === undefined ? {} : { colors }) };
  const code = await main(['node', 'fsx-onboard', '--state-dir', stateDir, ...args], io);
  return { code, out, err };
}

/** Where an ANSI colour sequence starts. */
const ESC = '\u001b[';

interface JsonStep {
  name: string;
  changed: boolean | null;
}

describe('run progress and summary', () => {
  it('shows the grant propagation wait as a step line with its five simulated minutes, and the export evidence', async () => {
    const { code, out } = await fsxOnboard(temp(), ['run', 'examples/request.json']);
    expect(code).toBe(ExitCode.Ok);
    expect(out).toMatch(/✓ WaitForGrantPropagation +5 min 0 s simulated wait \(waits five minutes for the grant to propagate\)/);
    // After CreateGrant and before the export starts.
    expect(out.indexOf('✓ WaitForGrantPropagation')).toBeGreaterThan(out.indexOf('✓ CreateGrant'));
    expect(out.indexOf('✓ WaitForGrantPropagation')).toBeLessThan(out.indexOf('▸ StartTestExport'));
    expect(out).toMatch(
      /object written by FSx: +cohort-2026\/\.fsx-onboard-canary-genomics-scratch-2026-11\/[0-9a-f]{8}\/to-s3\.txt in bucket genomics-reference-data/,
    );
    expect(out).toMatch(/its encryption: +SSE-KMS, key arn:aws:kms:us-east-1:333333333333:key\/2a1bae3d-a3e7-475b-acb2-b0dd92a5ff99, Bucket Key on/);
    // The canary's text is "fsx-onboard canary from-s3 <requestId>".
    const bytes = Buffer.byteLength('fsx-onboard canary from-s3 genomics-scratch-2026-11');
    expect(out).toMatch(new RegExp(`read back via the mount: +${bytes} bytes of /fsx/genomics/`));
    expect(out).not.toContain(ESC);
  });

  it("dates each line when its step ran, not when the line was printed: the grant wait's five minutes fall between CreateGrant and the export", async () => {
    const { out } = await fsxOnboard(temp(), ['run', 'examples/request.json']);
    // `[123 ms   sim 15 min 1 s  ] ✓ CreateGrant` → 901 simulated seconds.
    const simAt = (mark: string) => {
      const line = out.split('\n').find((l) => l.includes(mark));
      const m = /sim (?:(\d+) min )?(\d+(?:\.\d+)?) (s|ms)\s*\]/.exec(line ?? '');
      if (!m) throw new Error(`no clock on the line of ${mark}`);
      return Number(m[1] ?? 0) * 60 + Number(m[2]) / (m[3] === 'ms' ? 1000 : 1);
    };
    const grantDone = simAt('✓ CreateGrant');
    const waitStart = simAt('▸ WaitForGrantPropagation');
    const waitEnd = simAt('✓ WaitForGrantPropagation');
    expect(waitStart).toBeGreaterThanOrEqual(grantDone);
    expect(waitStart - grantDone).toBeLessThan(1);
    expect(waitEnd - waitStart).toBeGreaterThanOrEqual(299);
    expect(waitEnd - waitStart).toBeLessThanOrEqual(301);
    expect(simAt('▸ StartTestExport')).toBeGreaterThanOrEqual(waitEnd - 1);
  });

  it('colours the progress when the output is a terminal that wants colours, and never the JSON', async () => {
    const coloured = await fsxOnboard(temp(), ['run', 'examples/request.json'], true);
    expect(coloured.out).toContain(`${ESC}32m✓${ESC}39m CreateGrant`);
    expect(coloured.out).toContain(`${ESC}32mSUCCEEDED`);
    const json = await fsxOnboard(temp(), ['run', 'examples/request.json', '--json'], true);
    expect(json.out).not.toContain(ESC);
  });

  it.each([
    [{ isTTY: true }, {}, true],
    [{ isTTY: false }, {}, false],
    [{}, {}, false],
    [{ isTTY: true }, { NO_COLOR: '1' }, false],
    [{ isTTY: true }, { NO_COLOR: '' }, true],
    [{ isTTY: true }, { TERM: 'dumb' }, false],
    [{ isTTY: false }, { FORCE_COLOR: '1' }, true],
    [{ isTTY: false }, { FORCE_COLOR: '1', NO_COLOR: '1' }, false],
  ])('wants colours for %o with %o: %s', (stream, env, expected) => {
    expect(wantsColor(stream, env)).toBe(expected);
  });
});

describe('changed, per step of run --json', () => {
  it('says what the first run changed, that a re-run changed nothing in place, and that polls only read', async () => {
    const dir = temp();
    const first = await fsxOnboard(dir, ['run', 'examples/request.json', '--json']);
    const steps = (JSON.parse(first.out) as { steps: JsonStep[] }).steps;
    const changed = (name: string, list = steps) => list.find((s) => s.name === name)?.changed;
    expect(steps.every((s) => typeof s.changed === 'boolean')).toBe(true);
    for (const name of ['ShareKey', 'CreateFileSystem', 'SetDefaultEncryption', 'CreateGrant']) expect(changed(name)).toBe(true);
    for (const name of ['ValidateRequest', 'WaitForFileSystem', 'WaitForTestExport', 'VerifyExport']) expect(changed(name)).toBe(false);

    const again = await fsxOnboard(dir, ['run', 'examples/request.json', '--json']);
    const rerun = (JSON.parse(again.out) as { steps: JsonStep[] }).steps;
    for (const name of ['ShareKey', 'CreateFileSystem', 'SetDefaultEncryption', 'CreateGrant']) expect(changed(name, rerun)).toBe(false);
  });

  it('says null (cannot tell) for a step whose attempt crashed after doing its work and whose retry found it in place', async () => {
    const { out } = await fsxOnboard(temp(), ['run', 'examples/request.json', '--json', '--crash-after', 'CreateGrant']);
    const steps = (JSON.parse(out) as { steps: JsonStep[] }).steps;
    expect(steps.find((s) => s.name === 'CreateGrant')?.changed).toBeNull();
    expect(steps.find((s) => s.name === 'ShareKey')?.changed).toBe(true);
  });
});

describe('validate --json', () => {
  it('prints a verdict with the request as a run would read it (defaults applied)', async () => {
    const { code, out } = await fsxOnboard(temp(), ['validate', 'examples/request.json', '--json']);
    expect(code).toBe(ExitCode.Ok);
    const verdict = JSON.parse(out) as { valid: boolean; errors: unknown[]; request: { bucket: { additionalKeyArns: unknown[] } } };
    expect(verdict).toMatchObject({ file: 'examples/request.json', valid: true, errors: [] });
    expect(verdict.request.bucket.additionalKeyArns).toEqual([]);
  });

  it('names each invalid field, exit 1', async () => {
    const path = join(temp(), 'bad.json');
    writeFileSync(path, JSON.stringify({ requestId: 'x', region: 'us-east-1' }));
    const { code, out } = await fsxOnboard(temp(), ['validate', path, '--json']);
    expect(code).toBe(ExitCode.BadInput);
    const verdict = JSON.parse(out) as { valid: boolean; errors: { field: string; message: string }[]; request?: unknown };
    expect(verdict.valid).toBe(false);
    expect(verdict.request).toBeUndefined();
    expect(verdict.errors).toEqual(
      expect.arrayContaining([
        { field: 'requestId', message: expect.stringMatching(/must be 3 to 64/) },
        { field: 'fileSystem', message: expect.stringMatching(/is required/) },
      ]),
    );
  });

  it('reports an unreadable file as an error of the file', async () => {
    const { code, out } = await fsxOnboard(temp(), ['validate', '/nonexistent/request.json', '--json']);
    expect(code).toBe(ExitCode.BadInput);
    expect(JSON.parse(out)).toMatchObject({ valid: false, errors: [{ field: '(file)', message: expect.stringMatching(/ENOENT/) }] });
  });
});
