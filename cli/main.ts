// `fsx-onboard`: the command line. `makeProgram` builds it without touching process state,
// so tests drive it with captured output; `main` turns the outcome into an exit code.
//
// Start-up: a command's module, and with it the SDK, the sandbox or the ASL interpreter, is
// imported only when that command runs. The other commands are stand-ins that carry what the
// top-level help shows (their term and summary, in `commandModules`), so `fsx-onboard --help`
// loads commander and nothing else. test/cli/lazy-commands.test.ts checks that the stand-ins
// show exactly what the real commands would.
import { Command, CommanderError, Help } from 'commander';
import { wantsColor } from './colors.js';
import { ExitCode, resolveStateDir, type CliContext, type Io } from './context.js';

export { ExitCode, type Io } from './context.js';

type Register = (program: Command, ctx: CliContext) => void;

interface CommandModule {
  /** Imports the module (a chunk of its own in dist/) and returns its register function. */
  load: () => Promise<Register>;
  /** Every command it registers, as the top-level help lists it: `term` then `summary`. */
  commands: { name: string; term: string; summary: string }[];
}

/**
 * The commands, in the order `--help` lists them. To add one: write its module with a
 * `register…(program, ctx)` function, add an entry here (the test prints the exact `term` and
 * `summary` to paste when they are missing or differ), and nothing else.
 */
export const commandModules: CommandModule[] = [
  {
    load: async () => (await import('./commands/plan.js')).registerPlanCommand,
    commands: [
      {
        name: 'plan',
        term: 'plan [options] <request>',
        summary: 'Show what an onboarding would change, and check it can succeed, without changing anything.',
      },
    ],
  },
  {
    load: async () => (await import('./commands/run.js')).registerRunCommands,
    commands: [
      { name: 'run', term: 'run [options] <request...>', summary: 'Run an onboarding request end to end in the sandbox, showing each step as it happens.' },
      { name: 'resume', term: 'resume [options] <execution>', summary: 'Run a failed execution again after fixing its cause.' },
      { name: 'rollback', term: 'rollback [options] <execution>', summary: 'Undo what one request changed, in the sandbox or (--aws) on AWS.' },
    ],
  },
  {
    load: async () => (await import('./commands/validate.js')).registerValidateCommand,
    commands: [{ name: 'validate', term: 'validate [options] <request>', summary: 'Check a request against the schema without running anything.' }],
  },
  {
    load: async () => (await import('./commands/definition.js')).registerDefinitionCommand,
    commands: [
      {
        name: 'definition',
        term: 'definition [options]',
        summary: 'Print the state machine definition (Amazon States Language) that is deployed and run locally.',
      },
    ],
  },
  {
    load: async () => (await import('./commands/sandbox.js')).registerSandboxCommands,
    commands: [{ name: 'sandbox', term: 'sandbox', summary: 'Inspect, seed or reset the simulated AWS accounts.' }],
  },
  {
    load: async () => (await import('./commands/aws.js')).registerAwsCommands,
    commands: [
      {
        name: 'start',
        term: 'start [options] <request>',
        summary: 'Start an onboarding on the deployed state machine (AWS), named after the request id; the machine follows "onFailure".',
      },
      {
        name: 'status',
        term: 'status [options] <execution>',
        summary:
          'Show an execution step by step: status, attempts, checks of poll loops, errors, what an aborted or timed-out run left in place, and what to do next. A local execution (a record in --state-dir) unless --aws or there is none; then the one on AWS.',
      },
      {
        name: 'redrive',
        term: 'redrive [options] <execution>',
        summary: 'Restart a failed execution at the state that failed (RedriveExecution); when that is not possible, say why and what to do instead.',
      },
      {
        name: 'diagnose',
        term: 'diagnose [options] <execution>',
        summary:
          'For a failed execution: the failing step and error, the CloudTrail AccessDenied events that explain it, and the fix (an explicit Deny named with its statement). A local execution (a record in --state-dir) unless --aws or there is none; then the one on AWS.',
      },
    ],
  },
  {
    load: async () => (await import('./commands/offboard.js')).registerOffboardCommand,
    commands: [
      {
        name: 'offboard',
        term: 'offboard [options] <requestId>',
        summary: "Remove one onboarding's link and keep its file system, in the sandbox or (--aws) on AWS.",
      },
    ],
  },
];

const processIo: Io = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  colors: wantsColor(process.stdout, process.env),
};

const DEFAULT_STATE_DIR = '.fsx-onboard';
const STATE_DIR_OPTION = '--state-dir';

/**
 * The command that `args` (process.argv without node and the script) names: the first operand
 * after the program's own options, or the one after `help`. Undefined for `--help` alone.
 */
export function commandNamed(args: readonly string[]): string | undefined {
  const operands: string[] = [];
  for (let i = 0; i < args.length && operands.length < 2; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      operands.push(...args.slice(i + 1, i + 3));
      break;
    }
    if (arg === STATE_DIR_OPTION) i++;
    else if (!arg.startsWith('-')) operands.push(arg);
    if (operands.length === 1 && operands[0] !== 'help') break;
  }
  return operands[0] === 'help' ? operands[1] : operands[0];
}

/** Commands that write the state folder, and so take its lock first (`--aws` ones write nothing there). */
const STATE_WRITERS = new Set(['run', 'resume', 'rollback', 'offboard', 'sandbox seed', 'sandbox apply', 'sandbox reset']);

/** The second process on one state folder was refused after waiting for the lock. */
class StateLockRefused extends Error {}

/** The lock a program's command holds, released when the command ends however it ends. */
const heldLocks = new WeakMap<Command, () => Promise<void>>();

function lockStateDirBeforeWriters(program: Command, ctx: CliContext): void {
  program.hook('preAction', async (_program, action) => {
    const parent = action.parent && action.parent !== program ? `${action.parent.name()} ` : '';
    const name = `${parent}${action.name()}`;
    if (!STATE_WRITERS.has(name) || action.opts<{ aws?: boolean }>().aws) return;
    // Imported here: the lock library is loaded only by the commands that take the lock (start-up, see above).
    const { lockStateDir, lockWaitSeconds } = await import('./state-lock.js');
    let waitSeconds: number;
    try {
      waitSeconds = lockWaitSeconds();
    } catch (error) {
      throw new StateLockRefused(`fsx-onboard: ${(error as Error).message}`);
    }
    const outcome = await lockStateDir(ctx.stateDir(), name, waitSeconds);
    if (!outcome.ok) throw new StateLockRefused(outcome.message);
    heldLocks.set(program, outcome.release);
  });
}

/**
 * The program. With `argv`, only the module of the command it names is imported (the others
 * are stand-ins for the help); without, every module is (what the real commands look like).
 */
export async function makeProgram(io: Io = processIo, setExit: (code: ExitCode) => void = () => {}, argv?: readonly string[]): Promise<Command> {
  const stubTerms = new WeakMap<Command, string>();
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
    .option(`${STATE_DIR_OPTION} <dir>`, 'where the sandbox keeps its state and execution records', DEFAULT_STATE_DIR)
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .configureHelp({
      // A stand-in has no arguments or options of its own: show the real command's term.
      subcommandTerm(this: Help, cmd: Command) {
        return stubTerms.get(cmd) ?? Help.prototype.subcommandTerm.call(this, cmd);
      },
    })
    .showHelpAfterError('(run with --help for usage)')
    // Set before the subcommands are added, which inherit it: parse errors throw, never exit.
    .exitOverride();

  const ctx: CliContext = { io, setExit, stateDir: () => resolveStateDir(program.opts<{ stateDir: string }>().stateDir) };
  lockStateDirBeforeWriters(program, ctx);
  const wanted = argv && commandNamed(argv.slice(2));
  for (const module of commandModules) {
    if (!argv || module.commands.some((c) => c.name === wanted)) {
      (await module.load())(program, ctx);
      continue;
    }
    for (const { name, term, summary } of module.commands) {
      const stub = program.command(name).description(summary);
      stubTerms.set(stub, term);
      // Never reached: argv naming this command would have loaded its module.
      stub.action(() => {
        throw new Error(`the command "${name}" was not loaded`);
      });
    }
  }
  return program;
}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let code: ExitCode = ExitCode.Ok;
  const program = await makeProgram(io, (c) => (code = c), argv);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.Ok : ExitCode.BadInput;
    if (error instanceof StateLockRefused) {
      io.err(error.message);
      return ExitCode.BadInput;
    }
    io.err(`fsx-onboard: ${(error as Error).stack ?? String(error)}`);
    return ExitCode.ExecutionFailed;
  } finally {
    await heldLocks.get(program)?.();
  }
  return code;
}
