// `validate`: check a request, run nothing. A module of its own so that checking a request
// imports the schema and nothing of the sandbox, the interpreter or the SDK.
import type { Command } from 'commander';
import { validateRequest } from '../../core/request.js';
import { ExitCode, refuse, type CliContext } from '../context.js';
import { readRequestFile } from '../request-file.js';

export function registerValidateCommand(program: Command, ctx: CliContext): void {
  program
    .command('validate')
    .description('Check a request against the schema without running anything.')
    .argument('<request>', 'path of the onboarding request (JSON)')
    .action(async (path: string) => {
      const file = await readRequestFile(path);
      if (!file.ok) return refuse(ctx, file.problems, false);
      const result = validateRequest(file.document);
      if (!result.ok) return refuse(ctx, result.problems, false);
      ctx.io.out(`${path}: valid (${result.request.fileSystem.deploymentType}, on failure: ${result.request.onFailure})`);
      ctx.setExit(ExitCode.Ok);
    });
}
