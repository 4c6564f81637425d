// `sandbox show | reset`: look at or clear the simulated accounts.
import { rm } from 'node:fs/promises';
import type { Command } from 'commander';
import { Sandbox } from '../../sandbox/index.js';
import { ExitCode, sandboxStateFile, type CliContext } from '../context.js';
import { describeSandbox } from '../describe-sandbox.js';

export function registerSandboxCommands(program: Command, ctx: CliContext): void {
  const sandbox = program.command('sandbox').description('Inspect or reset the simulated AWS accounts.');
  sandbox
    .command('show')
    .description('Print the sandbox state: policies, grants, encryption, file systems, DRAs, objects, CloudTrail events.')
    .option('--json', 'print the full state as JSON')
    .action(async (opts: { json?: boolean }) => {
      const box = await Sandbox.open({ stateFile: sandboxStateFile(ctx) });
      ctx.io.out(opts.json ? JSON.stringify(box.snapshot(), null, 2) : describeSandbox(box.snapshot()));
      ctx.setExit(ExitCode.Ok);
    });
  sandbox
    .command('reset')
    .description('Delete the sandbox state and execution records, starting from an empty world.')
    .action(async () => {
      await rm(ctx.stateDir(), { recursive: true, force: true });
      ctx.io.out(`Removed ${ctx.stateDir()}`);
      ctx.setExit(ExitCode.Ok);
    });
}
