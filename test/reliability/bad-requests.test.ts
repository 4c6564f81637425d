import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main, type Io } from '../../cli/main.js';
import { checkBadRequest, CORPUS_DIR, loadCorpus } from './bad-requests.js';

const corpus = loadCorpus();

describe('the bad-request corpus', () => {
  it('holds at least 40 requests, among them an empty file and one that is not JSON', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(40);
    expect(corpus.map((c) => c.expectation.field).filter((f) => f === '(file)').length).toBeGreaterThanOrEqual(2);
  });

  it.each(corpus)('refuses $file before any change, naming the field and the rule', async ({ file, expectation }) => {
    const refusal = await checkBadRequest(file, expectation);
    expect(refusal.refused).toBe(true);
    expect(refusal.matched, `problems: ${JSON.stringify(refusal.problems)}`).toBeDefined();
    expect(refusal.diff).toEqual([]);
  });
});

describe('fsx-onboard run with a bad request', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'fsx-onboard-bad-'));
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it.each(['empty.json', 'not-json.json', 'bucket-ip-address.json', 'prefix-policy-injection.json'])('exits 1 for %s and creates no sandbox', async (file) => {
    const errors: string[] = [];
    const io: Io = { out: () => {}, err: (text) => void errors.push(text) };
    const code = await main(['node', 'fsx-onboard', 'run', join(CORPUS_DIR, file), '--state-dir', stateDir], io);
    const expectation = corpus.find((c) => c.file === file)!.expectation;
    expect(code).toBe(1);
    expect(errors.join('\n')).toContain(`${expectation.field}: `);
    expect(errors.join('\n')).toMatch(new RegExp(expectation.message));
    expect(existsSync(join(stateDir, 'sandbox.json'))).toBe(false);
  });
});
