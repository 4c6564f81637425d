// Every command line that README.md and docs/*.md show still works. The convention, also in
// CONTRIBUTING.md ("Command lines in the docs"):
// - A fenced block with the info string `sh` is a sandbox script: it runs from an empty sandbox
//   (a temporary --state-dir of its own), line by line, in order. `fsx-onboard …` (or
//   `npx fsx-onboard …`) runs in process through cli/main.ts and must exit 0, or the code its
//   comment names (`# exits 2`); `npm run X`, `npm start`, `npm test` must name a script of
//   package.json (they are not run: a test cannot run the suite or a deployment), `npm ci` is
//   taken as is. Any other line is an error: such a block is marked `sh aws` or `text`.
// - A line with `--aws`, every `fsx-onboard`/`npm` line of a `sh aws` block (on AWS; its other
//   tools, aws, cdk, curl, are not read) or a `sh synopsis` block (usage with <placeholders> and
//   [options]), and every inline code span that starts with `fsx-onboard ` or `npm run ` are not
//   run: the command must exist and every --option must be one of it.
// - Other blocks (json, text, mermaid, none) are not read.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { main, makeProgram } from '../../cli/main.js';

const documents = [
  'README.md',
  ...readdirSync('docs')
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const scripts = Object.keys((JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts);

/**
 * Lines that fail here only because the command they show comes from a branch not merged yet:
 * they are run as `it.fails`, so the test turns red as soon as one works. Then delete its entry.
 */
const awaitingMerge: { line: RegExp; branch: string }[] = [];

interface Shown {
  file: string;
  lineNo: number;
  text: string;
  mode: 'run' | 'check';
  /** Exit code a `run` line must end with. */
  exits: number;
}

interface Block {
  file: string;
  lineNo: number;
  lines: Shown[];
}

/** Splits a shell line into words: whitespace, '…' and "…" quoting; no expansions (the docs use none). */
function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

/** The commands of one shell line: comment stripped, continuation joined by the caller, `&&` split. */
function commandsOf(line: string): { command: string; exits: number }[] {
  const hash = line.search(/(^|\s)#/);
  const comment = hash < 0 ? '' : line.slice(hash);
  const code = hash < 0 ? line : line.slice(0, hash);
  const exits = Number(/exits (\d)/.exec(comment)?.[1] ?? 0);
  return code
    .split('&&')
    .map((c) => c.trim().replace(/^npx /, ''))
    .filter(Boolean)
    .map((command) => ({ command, exits }));
}

function extract(file: string): { blocks: Block[]; inline: Shown[] } {
  const lines = readFileSync(file, 'utf8').split('\n');
  const blocks: Block[] = [];
  const prose: string[] = [];
  let open: { info: string[]; block: Block } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = /^\s*```(.*)$/.exec(line);
    if (fence && !open) {
      open = { info: fence[1]!.trim().split(/\s+/), block: { file, lineNo: i + 1, lines: [] } };
      prose.push('');
      continue;
    }
    if (fence && open) {
      if (open.block.lines.length) blocks.push(open.block);
      open = undefined;
      prose.push('');
      continue;
    }
    if (!open) {
      prose.push(line);
      continue;
    }
    if (open.info[0] !== 'sh') continue;
    let text = line.trim();
    const start = i + 1;
    while (text.endsWith('\\') && i + 1 < lines.length) text = `${text.slice(0, -1)} ${lines[++i]!.trim()}`;
    const onlyChecked = open.info.includes('aws') || open.info.includes('synopsis');
    for (const { command, exits } of commandsOf(text)) {
      // On AWS the other tools (aws, cdk, curl) are the reader's: only ours are checked.
      if (onlyChecked && !/^(fsx-onboard|npm)( |$)/.test(command)) continue;
      const mode = onlyChecked || /(^|\s)--aws(\s|$)/.test(command) ? 'check' : 'run';
      open.block.lines.push({ file, lineNo: start, text: command, mode, exits });
    }
  }
  const inline: Shown[] = [];
  const text = prose.join('\n');
  for (const m of text.matchAll(/`(?:npx )?(fsx-onboard [^`]+|npm run [^`]+)`/g)) {
    const lineNo = text.slice(0, m.index).split('\n').length;
    inline.push({ file, lineNo, text: m[1]!.replace(/\s+/g, ' '), mode: 'check', exits: 0 });
  }
  return { blocks, inline };
}

const silent = { out: () => {}, err: () => {} };
const realProgram: Promise<Command> = makeProgram(silent);

/** For a line that is not run: the command must exist, and every --option must be one of it (or of the program). */
async function checkShown(text: string): Promise<void> {
  if (!text.startsWith('fsx-onboard')) return checkNpm(text);
  let command = await realProgram;
  const path: Command[] = [command];
  const rest = words(text).slice(1);
  for (const word of rest) {
    if (word.startsWith('-') || word.startsWith('<') || word.startsWith('[')) break;
    const sub = command.commands.find((c) => c.name() === word);
    if (!sub) {
      if (command.commands.length) throw new Error(`unknown command "${path.map((c) => c.name()).join(' ')} ${word}"`);
      break;
    }
    command = sub;
    path.push(sub);
  }
  for (const [option] of text.matchAll(/(?<![\w-])--[a-z][a-z-]*/g)) {
    if (option === '--help') continue;
    if (!path.some((c) => c.options.some((o) => o.long === option))) throw new Error(`${path.map((c) => c.name()).join(' ')} has no option ${option}`);
  }
}

function checkNpm(text: string): void {
  const [npm, verb, script] = words(text);
  if (npm !== 'npm') throw new Error('not an fsx-onboard or npm line: mark the block `sh aws` or `text`');
  if (verb === 'ci' || verb === 'install') return;
  const name = verb === 'run' ? script : verb;
  if (!name || !scripts.includes(name)) throw new Error(`package.json has no script "${name}"`);
}

async function runShown(shown: Shown, stateDir: string): Promise<void> {
  if (!shown.text.startsWith('fsx-onboard')) return checkNpm(shown.text);
  if (/<[^>]+>/.test(shown.text)) throw new Error('a <placeholder> in a runnable block: mark the block `sh synopsis`');
  let out = '';
  let err = '';
  const code = await main(['node', 'fsx-onboard', '--state-dir', stateDir, ...words(shown.text).slice(1)], {
    out: (t) => (out += t),
    err: (t) => (err += t),
  });
  const misuse = /unknown (option|command)|too many arguments|missing required argument|option '.*' argument missing/.exec(err);
  if (misuse || code !== shown.exits)
    throw new Error(
      `exited ${code}, expected ${shown.exits}${misuse ? ` (${misuse[0]})` : ''}\n--- stdout\n${out.slice(-2000)}\n--- stderr\n${err.slice(-2000)}`,
    );
}

const pending = (shown: Shown) => awaitingMerge.find((p) => p.line.test(shown.text) || p.line.test(`${shown.file}: ${shown.text}`));
const title = (shown: Shown) => `${shown.file}:${shown.lineNo} ${shown.text}`;
const caseFor = (shown: Shown) => (pending(shown) ? it.fails : it);

const extracted = documents.map(extract);

describe('the command lines in the docs', () => {
  it('are found (the docs show some of each kind)', () => {
    const all = extracted.flatMap((e) => [...e.blocks.flatMap((b) => b.lines), ...e.inline]);
    expect(all.filter((s) => s.mode === 'run').length).toBeGreaterThan(10);
    expect(all.filter((s) => s.mode === 'check').length).toBeGreaterThan(10);
  });

  for (const { blocks, inline } of extracted) {
    for (const block of blocks) {
      describe.sequential(`${block.file}:${block.lineNo}`, () => {
        const stateDir = mkdtempSync(join(tmpdir(), 'fsx-onboard-docs-'));
        afterAll(() => rmSync(stateDir, { recursive: true, force: true }));
        for (const shown of block.lines) {
          caseFor(shown)(title(shown), () => (shown.mode === 'run' ? runShown(shown, stateDir) : checkShown(shown.text)));
        }
      });
    }
    if (inline.length) {
      describe(`${inline[0]!.file} (inline)`, () => {
        for (const shown of inline) caseFor(shown)(title(shown), () => checkShown(shown.text));
      });
    }
  }
});
