// The command table of cli/main.ts: a command's module is imported only when that command
// runs, and the stand-ins of the others show exactly what the real commands would.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { commandModules, commandNamed, main, makeProgram } from '../../cli/main.js';

const silent = { out: () => {}, err: () => {} };
const argv = (...args: string[]) => ['node', 'fsx-onboard', ...args];

describe('the command table', () => {
  it('shows in the top-level help exactly what the real commands show (else: the entries to paste)', async () => {
    const real = await makeProgram(silent);
    const lazy = await makeProgram(silent, () => {}, argv('--help'));
    const help = real.createHelp();
    const expected = real.commands
      .filter((c) => c.name() !== 'help')
      .map((c) => ({ name: c.name(), term: help.subcommandTerm(c), summary: help.subcommandDescription(c) }));
    expect(commandModules.flatMap((m) => m.commands)).toEqual(expected);
    expect(lazy.helpInformation()).toBe(real.helpInformation());
  });

  it('finds the command past the program options and after "help"', () => {
    expect(commandNamed(['--help'])).toBeUndefined();
    expect(commandNamed([])).toBeUndefined();
    expect(commandNamed(['validate', 'examples/request.json'])).toBe('validate');
    expect(commandNamed(['--state-dir', 'run', 'sandbox', 'show'])).toBe('sandbox');
    expect(commandNamed(['--state-dir=x', 'run', 'r.json'])).toBe('run');
    expect(commandNamed(['help', 'status'])).toBe('status');
    expect(commandNamed(['--', 'definition'])).toBe('definition');
  });
});

describe('lazy loading', () => {
  const originals = commandModules.map((m) => m.load);
  afterEach(() => {
    for (const [i, m] of commandModules.entries()) m.load = originals[i]!;
  });

  /** Which modules a call imports, by their first command's name. */
  async function loadedBy(...args: string[]): Promise<{ code: number; loaded: string[]; out: string }> {
    const loaded: string[] = [];
    commandModules.forEach((m, i) => {
      m.load = vi.fn(async () => {
        loaded.push(m.commands[0]!.name);
        return originals[i]!();
      });
    });
    let out = '';
    const code = await main(argv(...args), { out: (t) => (out += t), err: () => {} });
    return { code, loaded, out };
  }

  it('imports no command module for --help, and only the named one for a command', async () => {
    expect(await loadedBy('--help')).toMatchObject({ code: 0, loaded: [] });
    expect(await loadedBy('validate', 'examples/request.json')).toMatchObject({ code: 0, loaded: ['validate'] });
    expect(await loadedBy('resume', '--help')).toMatchObject({ code: 0, loaded: ['run'] });
    expect(await loadedBy('help', 'redrive')).toMatchObject({ code: 0, loaded: ['start'] });
  });

  it('still lists every command when the one named is unknown', async () => {
    let err = '';
    const code = await main(argv('statu'), { out: () => {}, err: (t) => (err += t) });
    expect(code).toBe(1);
    expect(err).toMatch(/unknown command 'statu'[\s\S]*Did you mean status\?/);
  });
});
