// `fsx-onboard`: the command line. `makeProgram` builds it without touching process state,
// so tests drive it with exitOverride and captured output.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { Sandbox } from '../sandbox/index.js';
import { renderDefinition, renderRollbackDefinition, type FailureMode } from '../workflow/render.js';
import { validateRequest } from '../lambdas/shared/request.js';
import { describeSandbox } from './describe-sandbox.js';
import { formatEvent, formatProblems, formatSummary } from './format.js';
import { runLocally } from './local-runner.js';
import type { RunReport } from './run-report.js';
import { readRequestFile } from './request-file.js';

export enum ExitCode {
  Ok = 0,
  BadInput = 1,
  ExecutionFailed = 2,
}

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

const processIo: Io = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

const DEFAULT_STATE_DIR = '.fsx-onboard';

export function makeProgram(io: Io = processIo, setExit: (code: ExitCode) => void = () => {}): Command {
  const program = new Command('fsx-onboard')
    .description(
      'Link an Amazon FSx for Lustre file system (account A) to an S3 bucket (account B) encrypted with a\n' +
        'customer managed KMS key (account C), as a Step Functions workflow with retries and rollback.\n' +
        'By default everything runs locally on a simulated AWS (the sandbox): no AWS account needed.',
    )
    .option('--state-dir <dir>', 'where the sandbox keeps its state and execution records', DEFAULT_STATE_DIR)
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(run with --help for usage)')
    // Set before the subcommands are added, which inherit it: parse errors throw, never exit.
    .exitOverride();

  const stateFile = () => join(resolve(program.opts<{ stateDir: string }>().stateDir), 'sandbox.json');

  program
    .command('run')
    .description('Run an onboarding request end to end in the sandbox, showing each step as it happens.')
    .argument('<request>', 'path of the onboarding request (JSON); see docs/request.md')
    .option('--json', 'print one JSON document (status, steps, outputs, metrics) instead of progress lines')
    .addHelpText('after', '\nExit codes: 0 succeeded, 1 request refused (nothing changed), 2 execution failed.\nExample: fsx-onboard run examples/request.json')
    .action(async (path: string, opts: { json?: boolean }) => {
      const file = await readRequestFile(path);
      if (!file.ok) return refuse(io, setExit, file.problems, opts.json);
      const sandbox = await Sandbox.open({ stateFile: stateFile() });
      const onEvent = opts.json ? undefined : (e: Parameters<typeof formatEvent>[0]) => io.out(formatEvent(e));
      if (!opts.json) io.out(`Onboarding ${describeRequest(file.document)} in the sandbox (state: ${stateFile()})`);
      const result = await runLocally(file.document, { sandbox, ...(onEvent ? { onEvent } : {}) });
      if (result.kind === 'refused') return refuse(io, setExit, result.problems, opts.json);
      await sandbox.save();
      const report = publicReport(result.report);
      await saveExecutionRecord(dirname(stateFile()), result.report);
      io.out(opts.json ? JSON.stringify(report, null, 2) : formatSummary(result.report));
      setExit(refusedAtValidation(result.report) ? ExitCode.BadInput : result.report.status === 'SUCCEEDED' ? ExitCode.Ok : ExitCode.ExecutionFailed);
    });

  program
    .command('validate')
    .description('Check a request against the schema without running anything.')
    .argument('<request>', 'path of the onboarding request (JSON)')
    .action(async (path: string) => {
      const file = await readRequestFile(path);
      if (!file.ok) return refuse(io, setExit, file.problems, false);
      const result = validateRequest(file.document);
      if (!result.ok) return refuse(io, setExit, result.problems, false);
      io.out(`${path}: valid (${result.request.fileSystem.deploymentType}, on failure: ${result.request.onFailure})`);
      setExit(ExitCode.Ok);
    });

  program
    .command('definition')
    .description('Print the state machine definition (Amazon States Language) that is deployed and run locally.')
    .addOption(new Option('--on-failure <mode>', 'which variant: "rollback" catches into compensations, "stop" fails at the broken step').choices(['rollback', 'stop']).default('rollback'))
    .option('--rollback-machine', 'print the on-demand rollback machine instead')
    .addHelpText('after', '\nTask resources are ${<StateName>FunctionArn} placeholders, substituted at deployment.')
    .action((opts: { onFailure: FailureMode; rollbackMachine?: boolean }) => {
      const definition = opts.rollbackMachine ? renderRollbackDefinition() : renderDefinition(opts.onFailure);
      io.out(JSON.stringify(definition, null, 2));
      setExit(ExitCode.Ok);
    });

  const sandbox = program.command('sandbox').description('Inspect or reset the simulated AWS accounts.');
  sandbox
    .command('show')
    .description('Print the sandbox state: policies, grants, encryption, file systems, DRAs, objects, CloudTrail events.')
    .option('--json', 'print the full state as JSON')
    .action(async (opts: { json?: boolean }) => {
      const box = await Sandbox.open({ stateFile: stateFile() });
      io.out(opts.json ? JSON.stringify(box.snapshot(), null, 2) : describeSandbox(box.snapshot()));
      setExit(ExitCode.Ok);
    });
  sandbox
    .command('reset')
    .description('Delete the sandbox state and execution records, starting from an empty world.')
    .action(async () => {
      const dir = dirname(stateFile());
      await rm(dir, { recursive: true, force: true });
      io.out(`Removed ${dir}`);
      setExit(ExitCode.Ok);
    });

  return program;
}

function refuse(io: Io, setExit: (code: ExitCode) => void, problems: { field: string; message: string }[], json: boolean | undefined): void {
  if (json) io.out(JSON.stringify({ status: 'REFUSED', problems }, null, 2));
  else io.err(formatProblems(problems));
  setExit(ExitCode.BadInput);
}

/** A run that failed in ValidateRequest refused the request: nothing was changed. */
function refusedAtValidation(report: { status: string; steps: { name: string; status: string }[] }): boolean {
  return report.status === 'FAILED' && report.steps.length === 1 && report.steps[0]?.name === 'ValidateRequest';
}

/** The `--json` document: no internal bookkeeping, times rounded. */
function publicReport(report: RunReport) {
  const { finalState: _finalState, steps, ...rest } = report;
  return {
    ...rest,
    steps: steps.map(({ name, status, attempts, durationMs, simulatedSeconds, error, cause }) => ({
      name,
      status,
      attempts,
      durationMs: Math.round(durationMs * 10) / 10,
      simulatedSeconds: Math.round(simulatedSeconds * 1000) / 1000,
      ...(error ? { error, cause } : {}),
    })),
  };
}

function describeRequest(document: unknown): string {
  const d = document as { requestId?: unknown; fileSystem?: { deploymentType?: unknown } };
  return `${String(d?.requestId ?? '(no requestId)')} (${String(d?.fileSystem?.deploymentType ?? '?')})`;
}

async function saveExecutionRecord(stateDir: string, report: { executionName: string }): Promise<void> {
  const dir = join(stateDir, 'executions');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${report.executionName}.json`), JSON.stringify(report, null, 2));
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
