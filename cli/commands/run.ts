// `run`, `resume` and `rollback`: onboardings in the sandbox.
import { type Command, InvalidArgumentError, Option } from 'commander';
import { closest } from 'fastest-levenshtein';
import { validateRequest, type RequestProblem } from '../../core/request.js';
import { accessDeniedCode, accessDeniedStatus, type ServiceName } from '../../sandbox/errors.js';
import { Sandbox, servedOperations, type Faults } from '../../sandbox/index.js';
import { allStepNames, beforeAnyChange, type StepName } from '../../workflow/steps.js';
import { rollbackOnAws, withAwsConnectionOptions, type AwsOptions } from './aws.js';
import { ExitCode, refuse, sandboxStateFile, type CliContext } from '../context.js';
import { awsExecutionProblem, localExecutionNameProblem } from '../ids.js';
import { loadExecutionRecord, publicReport, saveExecutionRecord } from '../executions.js';
import { palette } from '../colors.js';
import { formatEvent, formatRunsSummary, formatSummary, prefixed } from '../format.js';
import { runConcurrently } from '../local/concurrent-runs.js';
import { runLocally, type LocalMachine, type LocalRunOptions } from '../local-runner.js';
import { formatValue, requestDifferences } from '../request-diff.js';
import { readRequestFile } from '../request-file.js';
import type { RunReport } from '../run-report.js';
import { seedSandbox } from './sandbox.js';
import { confirmed } from '../confirm.js';
import { formatOffboardPlan, offboardPlan } from '../offboard-plan.js';

interface RunOptions {
  json?: boolean;
  faultRate?: number;
  faultSeed?: number;
  fail?: string[];
  timeoutIn?: StepName[];
  crashAfter?: StepName[];
  /** `run` only: a seed file loaded into the sandbox before the run. */
  seed?: string;
  /** `run` only: how many of several requests run at once (default: all). */
  concurrency?: number;
  /** `run` only: the seed of the order in which executions and Parallel branches due at once take turns. */
  scheduleSeed?: number;
}

interface RequestToRun {
  path: string;
  document: unknown;
  requestId: string;
}

const stateName = (value: string, previous: StepName[] = []): StepName[] => {
  if (!(allStepNames as string[]).includes(value)) throw new InvalidArgumentError(`"${value}" is not a state name; one of: ${allStepNames.join(', ')}`);
  return [...previous, value as StepName];
};
const positiveInteger = (value: string): number => {
  const n = Number(value);
  if (!(Number.isInteger(n) && n >= 1)) throw new InvalidArgumentError('must be a whole number, 1 or more');
  return n;
};
const integer = (value: string): number => {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('must be a whole number');
  return n;
};
const rate = (value: string): number => {
  const n = Number(value);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('must be a number from 0 to 1');
  return n;
};
const operation = (value: string, previous: string[] = []): string[] => {
  if (!/^[a-z0-9]+:[A-Z][A-Za-z0-9]+$/.test(value)) throw new InvalidArgumentError('must be service:Operation, e.g. kms:CreateGrant');
  const [service, name] = value.split(':') as [string, string];
  const served = servedOperations(service);
  if (!served) {
    const services = Object.keys(accessDeniedCode);
    throw new InvalidArgumentError(`service must be one of ${services.join(', ')}, not ${service} (did you mean ${closest(service, services)}?)`);
  }
  // A fault on an operation the sandbox never serves would never fire: refuse it (a typo, most often).
  if (!served.includes(name))
    throw new InvalidArgumentError(
      `the sandbox serves no ${service}:${name}; did you mean ${service}:${closest(name, served)}? ${service} operations: ${served.join(', ')}`,
    );
  return [...previous, value];
};

/** Options shared by the commands that execute a machine. */
function withExecutionOptions(command: Command): Command {
  return command
    .option('--json', 'print one JSON document (status, steps, outputs, metrics) instead of progress lines')
    .addOption(new Option('--fault-rate <0..1>', 'sandbox: fail this share of AWS calls with throttling errors').argParser(rate))
    .addOption(new Option('--fault-seed <n>', 'sandbox: seed of the fault sequence (repeatable runs)').argParser(Number).default(1))
    .addOption(
      new Option('--fail <service:Operation>', 'sandbox: make this operation always fail with its access-denied error; repeatable').argParser(operation),
    )
    .addOption(new Option('--timeout-in <State>', "make this state's Lambda time out once (retried); repeatable").argParser(stateName))
    .addOption(
      new Option(
        '--crash-after <State>',
        "make this state's Lambda crash once after doing its work (Lambda.Unknown, retried: the retry finds the work done); repeatable",
      ).argParser(stateName),
    )
    .addHelpText('after', '\nExit codes: 0 succeeded, 1 request refused (nothing changed), 2 execution failed.');
}

function sandboxFaults(opts: RunOptions): Faults {
  const faults: Faults = {};
  if (opts.faultRate) Object.assign(faults, { transientRate: opts.faultRate, seed: opts.faultSeed ?? 1 });
  if (opts.fail?.length)
    faults.permanent = Object.fromEntries(
      opts.fail.map((op) => {
        // Each service's own access-denied error: AccessDenied (403) from S3, IAM, STS; AccessDeniedException (400) from the JSON services.
        const service = op.split(':')[0] as ServiceName;
        return [op, { code: accessDeniedCode[service], message: `injected permanent failure of ${op}`, httpStatusCode: accessDeniedStatus[service] }];
      }),
    );
  return faults;
}

async function execute(ctx: CliContext, document: unknown, opts: RunOptions, machine?: LocalMachine): Promise<void> {
  const stateFile = sandboxStateFile(ctx);
  const sandbox = await Sandbox.open({ stateFile, faults: sandboxFaults(opts) });
  if (opts.seed && !(await seedSandbox(ctx, sandbox, opts.seed, opts.json))) return;
  if (opts.scheduleSeed !== undefined) sandbox.scheduler.reseed(opts.scheduleSeed);
  const c = palette(ctx.io.colors);
  const label = machine === 'rollback-only' ? 'Rolling back' : 'Onboarding';
  if (!opts.json) ctx.io.out(`${label} ${describeRequest(document)} in the sandbox (state: ${stateFile})`);
  const options: LocalRunOptions = {
    sandbox,
    ...(opts.json ? {} : { onEvent: (e) => ctx.io.out(formatEvent(e, c)) }),
    ...(machine ? { machine } : {}),
    ...(opts.timeoutIn ? { lambdaTimeoutIn: opts.timeoutIn } : {}),
    ...(opts.crashAfter ? { crashAfter: opts.crashAfter } : {}),
  };
  const result = await runLocally(document, options);
  if (result.kind === 'refused') return refuse(ctx, result.problems, opts.json);
  await sandbox.save();
  if (machine !== 'rollback-only') await saveExecutionRecord(ctx.stateDir(), document, result.report);
  ctx.io.out(opts.json ? JSON.stringify(publicReport(result.report), null, 2) : formatSummary(result.report, c) + nextSteps(result.report, machine));
  ctx.setExit(exitCodeOf(result.report));
}

const exitCodeOf = (report: RunReport): ExitCode =>
  refusedAtValidation(report) ? ExitCode.BadInput : report.status === 'SUCCEEDED' ? ExitCode.Ok : ExitCode.ExecutionFailed;

/**
 * Reads and checks every request before anything runs: a bad one refuses them all (exit 1,
 * nothing changed), each problem named with its file. Two requests with one requestId would be
 * one execution name twice (Step Functions refuses the second: ExecutionAlreadyExists).
 */
async function requestsToRun(ctx: CliContext, paths: readonly string[]): Promise<{ requests: RequestToRun[]; problems: RequestProblem[] }> {
  const requests: RequestToRun[] = [];
  const problems: RequestProblem[] = [];
  const inFile = (path: string, found: RequestProblem[]) => found.map((p) => ({ field: `${path}: ${p.field}`, message: p.message }));
  for (const path of paths) {
    const file = await readRequestFile(path);
    if (!file.ok) {
      problems.push(...inFile(path, file.problems));
      continue;
    }
    const checked = validateRequest(file.document);
    if (!checked.ok) {
      problems.push(...inFile(path, checked.problems));
      continue;
    }
    const id = checked.request.requestId;
    const twin = requests.find((r) => r.requestId === id);
    if (twin) {
      problems.push({
        field: `${path}: requestId`,
        message: `"${id}" is also the requestId of ${twin.path}: each execution needs its own name (Step Functions refuses a used one: ExecutionAlreadyExists)`,
      });
      continue;
    }
    const conflict = await conflictWithEarlierRun(ctx, file.document);
    if (conflict) problems.push(...inFile(path, conflict));
    else requests.push({ path, document: file.document, requestId: id });
  }
  return { requests, problems };
}

/** Several requests as concurrent executions in one sandbox; one document (or one summary) for all. */
async function executeMany(ctx: CliContext, paths: readonly string[], opts: RunOptions): Promise<void> {
  const { requests, problems } = await requestsToRun(ctx, paths);
  if (problems.length) return refuse(ctx, problems, opts.json);
  const stateFile = sandboxStateFile(ctx);
  const sandbox = await Sandbox.open({ stateFile, faults: sandboxFaults(opts) });
  if (opts.seed && !(await seedSandbox(ctx, sandbox, opts.seed, opts.json))) return;
  const seed = opts.scheduleSeed ?? 1;
  sandbox.scheduler.reseed(seed);
  const concurrency = Math.min(opts.concurrency ?? requests.length, requests.length);
  const c = palette(ctx.io.colors);
  if (!opts.json)
    ctx.io.out(
      `Onboarding ${requests.length} requests in the sandbox, ${concurrency === 1 ? 'one after another' : `${concurrency} at a time`} (schedule seed ${seed}; state: ${stateFile})`,
    );
  const reports = await runConcurrently(requests, concurrency, async (r) => {
    const result = await runLocally(r.document, {
      sandbox,
      ...(opts.json ? {} : { onEvent: (e) => ctx.io.out(prefixed(r.requestId, formatEvent(e, c), c)) }),
      ...(opts.timeoutIn ? { lambdaTimeoutIn: opts.timeoutIn } : {}),
      ...(opts.crashAfter ? { crashAfter: opts.crashAfter } : {}),
    });
    // Every request was validated above.
    if (result.kind === 'refused') throw new Error(`${r.path} was refused after its check: ${JSON.stringify(result.problems)}`);
    return result.report;
  });
  await sandbox.save();
  for (const [i, report] of reports.entries()) await saveExecutionRecord(ctx.stateDir(), requests[i]?.document, report);
  if (opts.json) ctx.io.out(JSON.stringify({ runs: reports.map(publicReport) }, null, 2));
  else
    ctx.io.out(
      [...reports.map((r) => prefixed(r.executionName, formatSummary(r, c).trimStart() + nextSteps(r, undefined), c)), formatRunsSummary(reports, c)].join(
        '\n\n',
      ),
    );
  // The worst of the runs: a failed execution (2) over a refused one (1) over success (0).
  ctx.setExit(Math.max(...reports.map(exitCodeOf)) as ExitCode);
}

/**
 * The same requestId with another request is refused, as Step Functions refuses StartExecution
 * with a used name and another input (ExecutionAlreadyExists): changes to an onboarding under
 * its old id would be half applied (some steps find "their" resources and keep them), and its
 * rollback would then undo the earlier onboarding. Re-running the identical request is allowed.
 */
async function conflictWithEarlierRun(ctx: CliContext, document: unknown): Promise<RequestProblem[] | undefined> {
  const checked = validateRequest(document);
  if (!checked.ok) return undefined; // refused with its own problems by the run
  const id = checked.request.requestId;
  const earlier = await loadExecutionRecord(ctx.stateDir(), id);
  if (!earlier) return undefined;
  const differences = requestDifferences(earlier.request, document);
  if (!differences.length) return undefined;
  return [
    {
      field: 'requestId',
      message:
        `"${id}" already names an execution in ${ctx.stateDir()} (${earlier.report.status}) whose request differs in ${differences.length} field(s), listed below. ` +
        'A changed onboarding needs a new requestId (Step Functions refuses a used name with another input: ExecutionAlreadyExists); ' +
        'to re-run the earlier one, use the request it ran with.',
    },
    ...differences.map((d) => ({ field: d.field, message: `${formatValue(d.before)} in the earlier request, ${formatValue(d.after)} now` })),
  ];
}

/** What an operator can do next after a failed run. */
function nextSteps(report: RunReport, machine: LocalMachine | undefined): string {
  if (report.status === 'SUCCEEDED' || machine === 'rollback-only' || refusedAtValidation(report)) return '';
  const name = report.executionName;
  if (report.machine === 'stop') {
    return `\n\nThe changes made so far are still in place. After fixing the cause:\n  fsx-onboard resume ${name}     (re-runs it; finished steps find their work done)\n  fsx-onboard rollback ${name}   (undoes what this request changed)`;
  }
  return `\n\nEverything this request changed was rolled back${/left behind: \{\}/.test(report.cause ?? '') ? '' : ' except what the cause lists as left behind'}.\nFix the cause and run the request again (a fix in the request itself needs a new requestId: this one names this execution).`;
}

/** A run that failed in ValidateRequest or CheckClientInstance refused the request: nothing was changed. */
function refusedAtValidation(report: { status: string; steps: { name: string; status: string }[] }): boolean {
  const readOnly: readonly string[] = beforeAnyChange;
  return report.status === 'FAILED' && report.steps.length > 0 && report.steps.every((step) => readOnly.includes(step.name));
}

async function confirmRollbackOfSuccess(
  ctx: CliContext,
  document: unknown,
  fileSystemId: string | undefined,
  opts: RunOptions & { yes?: boolean },
): Promise<boolean> {
  const checked = validateRequest(document);
  if (checked.ok && !opts.json) {
    const box = await Sandbox.open({ stateFile: sandboxStateFile(ctx) });
    const plan = offboardPlan(checked.request, { deleteFileSystem: true, snapshot: box.snapshot(), ...(fileSystemId ? { fileSystemId } : {}) });
    ctx.io.out(
      `${checked.request.requestId} succeeded; rolling it back will:\n${formatOffboardPlan(plan)}\n(to keep the file system: fsx-onboard offboard ${checked.request.requestId})`,
    );
  }
  return confirmed(ctx, { what: `rollback of the succeeded onboarding ${String((document as { requestId?: unknown }).requestId)}`, ...opts });
}

function describeRequest(document: unknown): string {
  const d = document as { requestId?: unknown; fileSystem?: { deploymentType?: unknown } } | null;
  return `${String(d?.requestId ?? '(no requestId)')} (${String(d?.fileSystem?.deploymentType ?? '?')})`;
}

export function registerRunCommands(program: Command, ctx: CliContext): void {
  withExecutionOptions(
    program
      .command('run')
      .description(
        'Run an onboarding request end to end in the sandbox, showing each step as it happens.\n' +
          'Several requests run as concurrent executions in one sandbox: they take turns at every AWS call and Wait on one virtual clock, ' +
          'in an order fixed by --schedule-seed; progress lines start with the request id, and --json prints {"runs": [...]}.',
      )
      .summary('Run an onboarding request end to end in the sandbox, showing each step as it happens.')
      .argument('<request...>', 'path of each onboarding request (JSON); see docs/request.md')
      .option('--seed <file>', 'sandbox: load this seed (pre-existing resources, docs/sandbox.md) before running')
      .addOption(
        new Option('--concurrency <n>', 'with several requests: how many run at once; the next starts when one ends (default: all)').argParser(positiveInteger),
      )
      .addOption(
        new Option(
          '--schedule-seed <n>',
          'sandbox: seed of the order in which executions (and Parallel branches) due at the same virtual moment take turns; the same seed replays the same interleaving and results',
        )
          .argParser(integer)
          .default(1),
      ),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  fsx-onboard run examples/request.json\n  fsx-onboard run a.json b.json c.json --concurrency 2 --schedule-seed 7\n' +
        'With several requests the exit code is the worst of the runs.',
    )
    .action(async (paths: string[], opts: RunOptions) => {
      if (paths.length > 1) return executeMany(ctx, paths, opts);
      const path = paths[0] as string;
      const file = await readRequestFile(path);
      if (!file.ok) return refuse(ctx, file.problems, opts.json);
      const conflict = await conflictWithEarlierRun(ctx, file.document);
      if (conflict) return refuse(ctx, conflict, opts.json);
      await execute(ctx, file.document, opts);
    });

  withExecutionOptions(
    program
      .command('resume')
      .summary('Run a failed execution again after fixing its cause.')
      .description('Run a failed execution again after fixing its cause: steps already done find their work in place and change nothing.')
      .argument('<execution>', 'execution name (the request id) of an earlier run'),
  ).action(async (name: string, opts: RunOptions) => {
    const badName = localExecutionNameProblem(name);
    if (badName) return refuse(ctx, [badName], opts.json);
    const record = await loadExecutionRecord(ctx.stateDir(), name);
    if (!record) return refuse(ctx, [{ field: '(execution)', message: `no execution named "${name}" in ${ctx.stateDir()}` }], opts.json);
    if (record.report.status === 'SUCCEEDED')
      return refuse(ctx, [{ field: '(execution)', message: `"${name}" already succeeded; nothing to resume` }], opts.json);
    await execute(ctx, record.request, opts);
  });

  withAwsConnectionOptions(
    withExecutionOptions(
      program
        .command('rollback')
        .summary('Undo what one request changed, in the sandbox or (--aws) on AWS.')
        .description(
          'Undo what one request changed (a stopped run, or any run): the compensation chain alone, each step a no-op where there is nothing to undo.\n' +
            "In the sandbox by default; with --aws, starts the deployed rollback machine with the execution's input.",
        )
        .argument('<execution>', 'execution name (the request id) of an earlier run; on AWS also an execution ARN')
        .option('--request <file>', 'the request document, when this state folder has no record of the execution')
        .option('--aws', 'roll back an execution of the deployed state machine (standard credential chain)')
        .option('--yes', 'roll back a succeeded onboarding without asking (required when stdin is not a terminal or with --json)'),
    ),
  ).action(async (name: string, opts: RunOptions & AwsOptions & { request?: string; aws?: boolean; yes?: boolean }) => {
    const badName = opts.aws ? awsExecutionProblem(name) : localExecutionNameProblem(name);
    if (badName) return refuse(ctx, [badName], opts.json);
    if (opts.aws) return rollbackOnAws(ctx, name, opts);
    let document: unknown;
    if (opts.request) {
      const file = await readRequestFile(opts.request);
      if (!file.ok) return refuse(ctx, file.problems, opts.json);
      const id = (file.document as { requestId?: unknown } | null)?.requestId;
      if (typeof id === 'string' && id !== name)
        return refuse(
          ctx,
          [{ field: 'requestId', message: `${opts.request} is request "${id}", not "${name}": roll back by the request's own id` }],
          opts.json,
        );
      // Compensations find their changes by the request's Sids, tokens and paths: another request's would miss them.
      const conflict = await conflictWithEarlierRun(ctx, file.document);
      if (conflict) return refuse(ctx, conflict, opts.json);
      document = file.document;
    } else {
      const record = await loadExecutionRecord(ctx.stateDir(), name);
      if (!record)
        return refuse(ctx, [{ field: '(execution)', message: `no execution named "${name}" in ${ctx.stateDir()}; pass --request <file>` }], opts.json);
      document = record.request;
      // A succeeded onboarding is in use: show what goes, the file system included, and ask.
      if (record.report.status === 'SUCCEEDED' && !(await confirmRollbackOfSuccess(ctx, document, record.report.outputs.fileSystemId, opts))) return;
    }
    await execute(ctx, document, opts, 'rollback-only');
  });
}
