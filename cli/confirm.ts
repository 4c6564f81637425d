// Asking before a command removes what other people may rely on (offboard, rollback of a
// succeeded onboarding). Without a terminal there is nobody to ask: such runs must say --yes.
import { createInterface } from 'node:readline/promises';
import { ExitCode, type CliContext } from './context.js';

export interface ConfirmOptions {
  yes?: boolean;
  json?: boolean;
  /** What is about to happen, for the question and the refusal ("offboard rq-1"). */
  what: string;
}

/** Where answers come from: the terminal that started the command (a test stands in for it). */
export const terminal = {
  isInteractive: (): boolean => !!process.stdin.isTTY,
  ask: async (question: string): Promise<string> => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await rl.question(question);
    } finally {
      rl.close();
    }
  },
};

/** True to go ahead; false (exit code 1 set, nothing changed) when refused or declined. */
export async function confirmed(ctx: CliContext, options: ConfirmOptions): Promise<boolean> {
  if (options.yes) return true;
  if (options.json || !terminal.isInteractive()) {
    const why = options.json ? 'with --json' : 'when stdin is not a terminal';
    if (options.json) ctx.io.out(JSON.stringify({ status: 'REFUSED', problems: [{ field: '--yes', message: `is required ${why}` }] }, null, 2));
    else ctx.io.err(`fsx-onboard: ${options.what} needs confirmation: pass --yes (required ${why}). Nothing was changed.`);
    ctx.setExit(ExitCode.BadInput);
    return false;
  }
  const answer = (await terminal.ask(`Proceed with ${options.what}? [y/N] `)).trim().toLowerCase();
  if (answer === 'y' || answer === 'yes') return true;
  ctx.io.err('Not confirmed; nothing was changed.');
  ctx.setExit(ExitCode.BadInput);
  return false;
}
