// `validate`: check a request, run nothing. A module of its own so that checking a request
// imports the schema and nothing of the sandbox, the interpreter or the SDK.
import type { Command } from 'commander';
import { requestInOneForm } from '../../core/link-request.js';
import { validateRequest } from '../../core/request.js';
import { ExitCode, refuse, type CliContext } from '../context.js';
import { readRequestFile } from '../request-file.js';

export function registerValidateCommand(program: Command, ctx: CliContext): void {
  program
    .command('validate')
    .description('Check a request against the schema without running anything.')
    .argument('<request>', 'path of the onboarding request (JSON)')
    .option('--json', 'print one JSON verdict: {"file", "valid", "errors": [{"field", "message"}], "request"} (docs/json-output.md)')
    .addHelpText('after', '\nExit codes: 0 valid, 1 refused.')
    .action(async (path: string, opts: { json?: boolean }) => {
      const file = await readRequestFile(path);
      const result = file.ok ? validateRequest(file.document) : undefined;
      const errors = !file.ok ? file.problems : result && !result.ok ? result.problems : [];
      if (opts.json) {
        // The request with the schema's defaults applied, each field once: what a run would act on.
        const request = result?.ok ? { request: requestInOneForm(result.request) } : {};
        ctx.io.out(JSON.stringify({ file: path, valid: errors.length === 0, errors, ...request }, null, 2));
        return ctx.setExit(errors.length ? ExitCode.BadInput : ExitCode.Ok);
      }
      if (!result?.ok) return refuse(ctx, errors, false);
      ctx.io.out(`${path}: valid (${result.request.fileSystem.deploymentType}, on failure: ${result.request.onFailure})`);
      ctx.setExit(ExitCode.Ok);
    });
}
