// What every command gets: where to write, how to set the exit code, where the sandbox lives.
import { join, resolve } from 'node:path';
import type { RequestProblem } from '../core/request.js';
import { formatProblems } from './format.js';

export enum ExitCode {
  Ok = 0,
  BadInput = 1,
  ExecutionFailed = 2,
}

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** `out` is a terminal that shows colours (cli/colors.ts); absent: plain text. */
  colors?: boolean;
}

export interface CliContext {
  io: Io;
  setExit: (code: ExitCode) => void;
  /** The --state-dir folder, resolved. */
  stateDir: () => string;
}

export const sandboxStateFile = (ctx: CliContext) => join(ctx.stateDir(), 'sandbox.json');
export const resolveStateDir = (dir: string) => resolve(dir);

/** Reports a refused request (exit code 1): nothing was changed. */
export function refuse(ctx: CliContext, problems: RequestProblem[], json: boolean | undefined): void {
  if (json) ctx.io.out(JSON.stringify({ status: 'REFUSED', problems }, null, 2));
  else ctx.io.err(formatProblems(problems));
  ctx.setExit(ExitCode.BadInput);
}
