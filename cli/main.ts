// `fsx-onboard`: the command line. `makeProgram` builds it without touching process state,
// so tests drive it with captured output; `main` turns the outcome into an exit code.
import { Command, CommanderError } from 'commander';
import { registerAwsCommands } from './commands/aws.js';
import { registerDefinitionCommand } from './commands/definition.js';
import { registerOffboardCommand } from './commands/offboard.js';
import { registerRunCommands } from './commands/run.js';
import { registerSandboxCommands } from './commands/sandbox.js';
import { ExitCode, resolveStateDir, type CliContext, type Io } from './context.js';

export { ExitCode, type Io } from './context.js';

const processIo: Io = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

const DEFAULT_STATE_DIR = '.fsx-onboard';

export function makeProgram(io: Io = processIo, setExit: (code: ExitCode) => void = () => {}): Command {
  const program = new Command('fsx-onboard')
    .description(
      'Link an Amazon FSx for Lustre file system (account A) to an S3 bucket (account B) encrypted with a ' +
        'customer managed KMS key (account C), as a Step Functions workflow with retries and rollback. ' +
        'run, resume and rollback work on a simulated AWS (the sandbox) with no AWS account; ' +
        'start, status, redrive, diagnose and rollback --aws work on the deployed state machines.',
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  fsx-onboard run examples/request.json          rehearse an onboarding in the sandbox\n' +
        '  fsx-onboard sandbox show                       see what it changed\n' +
        '  fsx-onboard start request.json --region us-east-1   onboard for real (see docs/deploy.md)\n' +
        '  fsx-onboard status <request id> --region us-east-1\n' +
        '\nDocs: README.md, docs/request.md, docs/runbook.md, docs/deploy.md',
    )
    .option('--state-dir <dir>', 'where the sandbox keeps its state and execution records', DEFAULT_STATE_DIR)
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(run with --help for usage)')
    // Set before the subcommands are added, which inherit it: parse errors throw, never exit.
    .exitOverride();

  const ctx: CliContext = { io, setExit, stateDir: () => resolveStateDir(program.opts<{ stateDir: string }>().stateDir) };
  registerRunCommands(program, ctx);
  registerDefinitionCommand(program, ctx);
  registerSandboxCommands(program, ctx);
  registerAwsCommands(program, ctx);
  registerOffboardCommand(program, ctx);
  return program;
}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let code: ExitCode = ExitCode.Ok;
  const program = makeProgram(io, (c) => (code = c));
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.Ok : ExitCode.BadInput;
    io.err(`fsx-onboard: ${(error as Error).stack ?? String(error)}`);
    return ExitCode.ExecutionFailed;
  }
  return code;
}
