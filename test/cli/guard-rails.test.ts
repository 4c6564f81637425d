// The operator guard rails of the local commands: `sandbox reset` deletes only what the
// sandbox wrote, execution names cannot be paths, a changed request under a used requestId is
// refused before any change, and an oversized request file is refused unread.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode, main } from '../../cli/main.js';
import { MAX_REQUEST_FILE_BYTES } from '../../cli/request-file.js';
import { STATE_DIR_MARKER } from '../../sandbox/state-dir.js';

async function fsxOnboard(stateDir: string, ...args: string[]) {
  let out = '';
  let err = '';
  const code = await main(['node', 'fsx-onboard', '--state-dir', stateDir, ...args], { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

const temp = () => mkdtempSync(join(tmpdir(), 'fsx-onboard-guard-'));
const example = JSON.parse(readFileSync('examples/request.json', 'utf8')) as Record<string, unknown>;

function requestFile(change: (r: Record<string, unknown>) => void): string {
  const request = structuredClone(example);
  change(request);
  const path = join(temp(), 'request.json');
  writeFileSync(path, JSON.stringify(request));
  return path;
}

describe('sandbox reset', () => {
  it('deletes the files the sandbox wrote and keeps a foreign file and the folder it did not create', async () => {
    const dir = temp();
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    mkdirSync(join(dir, 'executions'));
    writeFileSync(join(dir, 'executions', 'keep.md'), 'also mine');
    expect((await fsxOnboard(dir, 'run', 'examples/request.json', '--json')).code).toBe(ExitCode.Ok);
    expect(existsSync(join(dir, 'sandbox.json'))).toBe(true);
    expect(existsSync(join(dir, STATE_DIR_MARKER))).toBe(true);

    const reset = await fsxOnboard(dir, 'sandbox', 'reset');
    expect(reset.code).toBe(ExitCode.Ok);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
    expect(readdirSync(join(dir, 'executions'))).toEqual(['keep.md']);
    expect(existsSync(join(dir, 'sandbox.json'))).toBe(false);
    expect(existsSync(join(dir, STATE_DIR_MARKER))).toBe(false);
    expect(reset.out).toMatch(/kept 2 files the sandbox did not write: .*notes\.txt/);
  });

  it('removes a folder the sandbox created once it holds nothing else', async () => {
    const dir = join(temp(), 'state');
    expect((await fsxOnboard(dir, 'run', 'examples/request.json', '--json')).code).toBe(ExitCode.Ok);
    const reset = await fsxOnboard(dir, 'sandbox', 'reset');
    expect(reset.code).toBe(ExitCode.Ok);
    expect(existsSync(dir)).toBe(false);
  });

  it('refuses a folder without the marker (such as a checkout) and deletes nothing', async () => {
    const dir = temp();
    writeFileSync(join(dir, 'package.json'), '{}');
    writeFileSync(join(dir, 'sandbox.json'), '{}');
    const reset = await fsxOnboard(dir, 'sandbox', 'reset');
    expect(reset.code).toBe(ExitCode.BadInput);
    expect(reset.err).toMatch(/is not a sandbox state folder .*nothing was deleted/);
    expect(readdirSync(dir).sort()).toEqual(['package.json', 'sandbox.json']);
  });

  it('refuses a folder whose marker is not one it wrote, deleting nothing', async () => {
    const dir = temp();
    writeFileSync(join(dir, STATE_DIR_MARKER), '{"files": ["notes.txt"]}');
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const reset = await fsxOnboard(dir, 'sandbox', 'reset');
    expect(reset.code).toBe(ExitCode.BadInput);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('never follows a marker entry out of the folder', async () => {
    const parent = temp();
    const dir = join(parent, 'state');
    expect((await fsxOnboard(dir, 'sandbox', 'seed', 'examples/seeds/other-teams.json')).code).toBe(ExitCode.Ok);
    writeFileSync(join(parent, 'outside.txt'), 'keep');
    const marker = JSON.parse(readFileSync(join(dir, STATE_DIR_MARKER), 'utf8')) as { files: string[] };
    marker.files.push('../outside.txt');
    writeFileSync(join(dir, STATE_DIR_MARKER), JSON.stringify(marker));
    expect((await fsxOnboard(dir, 'sandbox', 'reset')).code).toBe(ExitCode.Ok);
    expect(readFileSync(join(parent, 'outside.txt'), 'utf8')).toBe('keep');
  });
});

describe('execution names', () => {
  it.each([['rollback'], ['resume']])('%s ../../etc exits 1 naming the rule, before touching the state folder', async (command) => {
    const dir = join(temp(), 'state');
    const result = await fsxOnboard(dir, command, '../../etc');
    expect(result.code).toBe(ExitCode.BadInput);
    expect(result.err).toMatch(/\(execution\): "\.\.\/\.\.\/etc" is not an execution name: must be 3 to 64 letters, digits, "-" or "_"/);
    expect(existsSync(dir)).toBe(false);
  });
});

describe('a used requestId', () => {
  it('refuses a changed request with exit 1 and the differing fields, changing nothing; the identical request runs again', async () => {
    const dir = temp();
    expect((await fsxOnboard(dir, 'run', 'examples/request.json', '--json')).code).toBe(ExitCode.Ok);
    const world = readFileSync(join(dir, 'sandbox.json'), 'utf8');
    const record = readFileSync(join(dir, 'executions', `${String(example['requestId'])}.json`), 'utf8');

    const changed = requestFile((r) => {
      (r['fileSystem'] as Record<string, unknown>)['storageCapacityGiB'] = 2400;
      (r['bucket'] as Record<string, unknown>)['prefix'] = 'cohort-2027/';
    });
    const refused = await fsxOnboard(dir, 'run', changed);
    expect(refused.code).toBe(ExitCode.BadInput);
    expect(refused.err).toMatch(/requestId: "genomics-scratch-2026-11" already names an execution .*differs in 2 field/);
    expect(refused.err).toMatch(/fileSystem\.storageCapacityGiB: 1200 in the earlier request, 2400 now/);
    expect(refused.err).toMatch(/bucket\.prefix: "cohort-2026\/" in the earlier request, "cohort-2027\/" now/);
    expect(readFileSync(join(dir, 'sandbox.json'), 'utf8')).toBe(world);
    expect(readFileSync(join(dir, 'executions', `${String(example['requestId'])}.json`), 'utf8')).toBe(record);

    const json = await fsxOnboard(dir, 'run', changed, '--json');
    expect(json.code).toBe(ExitCode.BadInput);
    expect(JSON.parse(json.out)).toMatchObject({ status: 'REFUSED', problems: expect.arrayContaining([expect.objectContaining({ field: 'bucket.prefix' })]) });

    // Spelling out a default is the same request.
    const same = requestFile((r) => ((r['bucket'] as Record<string, unknown>)['additionalKeyArns'] = []));
    const again = await fsxOnboard(dir, 'run', same, '--json');
    expect(again.code).toBe(ExitCode.Ok);
  });

  it('refuses rolling back with another request than the one that ran', async () => {
    const dir = temp();
    expect((await fsxOnboard(dir, 'run', 'examples/request.json', '--json')).code).toBe(ExitCode.Ok);
    const changed = requestFile((r) => ((r['bucket'] as Record<string, unknown>)['prefix'] = 'other/'));
    const result = await fsxOnboard(dir, 'rollback', String(example['requestId']), '--request', changed);
    expect(result.code).toBe(ExitCode.BadInput);
    expect(result.err).toMatch(/bucket\.prefix: "cohort-2026\/" in the earlier request, "other\/" now/);
  });
});

describe('request files', () => {
  it('refuses a file over 1 MiB by its size, without echoing it', async () => {
    const path = join(temp(), 'huge.json');
    const content = `{"requestId": "${'SECRET'.repeat(200_000)}"}`;
    writeFileSync(path, content);
    const result = await fsxOnboard(temp(), 'validate', path);
    expect(result.code).toBe(ExitCode.BadInput);
    expect(result.err).toMatch(new RegExp(`is ${Buffer.byteLength(content)} bytes; a request file may be at most ${MAX_REQUEST_FILE_BYTES} bytes`));
    expect(result.err).not.toMatch(/SECRET/);
  });

  it('reads a request of exactly 1 MiB', async () => {
    const path = join(temp(), 'padded.json');
    const text = JSON.stringify(example);
    writeFileSync(path, text + ' '.repeat(MAX_REQUEST_FILE_BYTES - Buffer.byteLength(text)));
    const result = await fsxOnboard(temp(), 'validate', path);
    expect(result.err).toBe('');
    expect(result.code).toBe(ExitCode.Ok);
  });
});
