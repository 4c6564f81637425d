// The ops commands on AWS: `start`, `status`, `redrive`, `diagnose`, and `rollbackOnAws` for
// `rollback <execution> --aws`. The work is in cli/aws/; here: options, output, exit codes.
import { Option, type Command } from 'commander';
import { validateRequest } from '../../core/request.js';
import { AwsCommandError, createAwsClients, DEFAULT_STACK_NAME, explainAwsError, trailClientFor, type AwsClients, type AwsOptions } from '../aws/clients.js';
import { diagnose, formatDiagnosis, type DiagnoseOptions, type Diagnosis } from '../aws/diagnose.js';
import { redrive } from '../aws/redrive.js';
import { startOnboarding, startRollback, type RollbackKind } from '../aws/start.js';
import { executionStatus, formatStatus, statusOf, type StatusReport } from '../aws/status.js';
import { diagnoseLocally } from '../local/diagnose-source.js';
import { localExecutionView } from '../local/status-source.js';
import { Sandbox } from '../../sandbox/index.js';
import { ExitCode, refuse, sandboxStateFile, type CliContext } from '../context.js';
import { awsExecutionProblem } from '../ids.js';
import { readRequestFile } from '../request-file.js';
import { confirmed } from '../confirm.js';
import { formatOffboardPlan, offboardPlan } from '../offboard-plan.js';
import type { Execution } from '../aws/machines.js';

export type { AwsOptions } from '../aws/clients.js';

const EXIT_HELP = '\nExit codes: 0 done, 1 refused or not possible (nothing was changed), 2 the execution failed.';

/**
 * --region, --profile, --stack-name and --state-machine-arn. For the integrator's
 * `rollback <execution> --aws`, whose command already has --json (commander refuses a flag twice).
 */
export function withAwsConnectionOptions(command: Command): Command {
  return command
    .option('--region <region>', "AWS region of the orchestrator (default: AWS_REGION, then the profile's region)")
    .option('--profile <name>', 'named profile of ~/.aws/config for credentials and region (default: AWS_PROFILE, then the standard chain)')
    .option('--stack-name <name>', 'orchestrator stack whose outputs name the state machines', DEFAULT_STACK_NAME)
    .option('--state-machine-arn <arn>', 'use this state machine instead of looking up the stack');
}

function withAwsOptions(command: Command): Command {
  return withAwsConnectionOptions(command).option('--json', 'print one JSON document').addHelpText('after', EXIT_HELP);
}

/** Runs one command's AWS work: every failure becomes one explained line (never a stack trace). */
async function runAws(ctx: CliContext, opts: AwsOptions, work: () => Promise<ExitCode>, note?: string): Promise<void> {
  try {
    ctx.setExit(await work());
  } catch (e) {
    const error = e instanceof AwsCommandError ? e : explainAwsError(e, 'the AWS call', opts);
    const message = note ? `${error.message} ${note}` : error.message;
    if (opts.json) ctx.io.out(JSON.stringify({ status: 'ERROR', message }, null, 2));
    else ctx.io.err(`fsx-onboard: ${message}`);
    ctx.setExit(error.exitCode);
  }
}

// A local execution's record is a file named after it: only plain execution names can be one.
const LOCAL_NAME = /^[A-Za-z0-9_-]{1,80}$/;

const closedBadly = (status: string) => status === 'FAILED' || status === 'TIMED_OUT' || status === 'ABORTED';
const hint = (opts: AwsOptions) => [opts.region ? ` --region ${opts.region}` : '', opts.profile ? ` --profile ${opts.profile}` : ''].join('');

/** `rollback <execution> --aws`: the on-demand rollback machine, with the original execution's input. */
export async function rollbackOnAws(ctx: CliContext, execution: string, opts: AwsOptions & { yes?: boolean; json?: boolean }): Promise<void> {
  await startRollbackOnAws(ctx, execution, opts, 'rollback');
}

/**
 * Starts the rollback machine for `execution`; with `keepFileSystem` it offboards. Undoing a
 * succeeded onboarding (or any offboarding) removes what people may use now: it is shown and
 * confirmed first.
 */
export async function startRollbackOnAws(
  ctx: CliContext,
  execution: string,
  opts: AwsOptions & { yes?: boolean; json?: boolean; deleteFileSystem?: boolean; repository?: string },
  kind: RollbackKind,
): Promise<void> {
  const keepFileSystem = kind === 'offboard' && !opts.deleteFileSystem;
  await runAws(ctx, opts, async () => {
    let declined = false;
    const confirm = async (original: Execution) => {
      if (kind === 'rollback' && original.status !== 'SUCCEEDED') return true;
      const parsed = validateRequest(jsonOrUndefined(original.input));
      // --repository names one of the execution's repositories, by its fileSystemPath.
      if (opts.repository !== undefined && parsed.ok && !parsed.request.repositories.some((r) => r.fileSystemPath === opts.repository)) {
        const paths = parsed.request.repositories.map((r) => `"${r.fileSystemPath}"`).join(', ');
        refuse(
          ctx,
          [{ field: '--repository', message: `"${opts.repository}" is not the fileSystemPath of a repository of ${original.name} (${paths})` }],
          opts.json,
        );
        declined = true;
        return false;
      }
      if (!opts.json) {
        const plan = parsed.ok
          ? formatOffboardPlan(
              offboardPlan(parsed.request, { deleteFileSystem: !keepFileSystem, ...(opts.repository !== undefined ? { repository: opts.repository } : {}) }),
            )
          : '  (the input is not a valid request)';
        ctx.io.out(`${kind === 'offboard' ? 'Offboarding' : 'Rolling back the succeeded onboarding'} ${original.name} on AWS will:\n${plan}`);
      }
      const go = await confirmed(ctx, { what: `${kind} ${original.name}`, ...opts });
      declined = !go;
      return go;
    };
    const started = await startRollback(await createAwsClients(opts), opts, execution, {
      keepFileSystem,
      kind,
      confirm,
      ...(opts.repository !== undefined ? { repository: opts.repository } : {}),
    });
    if (!started) return declined ? ExitCode.BadInput : ExitCode.Ok;
    if (opts.json) ctx.io.out(JSON.stringify({ status: 'STARTED', ...started, original: started.original.executionArn }, null, 2));
    else {
      ctx.io.out(
        `${kind === 'offboard' ? 'Offboarding' : 'Rolling back'} ${started.original.name} (${started.original.status}): started ${started.name}\n  ${started.executionArn}\n` +
          `Follow it: fsx-onboard status ${started.name}${hint(opts)}`,
      );
    }
    return ExitCode.Ok;
  });
}

function jsonOrUndefined(text: string | undefined): unknown {
  try {
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function registerAwsCommands(program: Command, ctx: CliContext): void {
  withAwsOptions(
    program
      .command('start')
      .description('Start an onboarding on the deployed state machine (AWS), named after the request id; the machine follows "onFailure".')
      .argument('<request>', 'path of the onboarding request (JSON); checked locally first, nothing is sent if it is invalid'),
  ).action(async (path: string, opts: AwsOptions) => {
    const file = await readRequestFile(path);
    if (!file.ok) return refuse(ctx, file.problems, opts.json);
    const checked = validateRequest(file.document);
    if (!checked.ok) return refuse(ctx, checked.problems, opts.json);
    await runAws(ctx, opts, async () => {
      // The request names its region; it is the orchestrator's when nothing else says otherwise.
      const started = await startOnboarding(await createAwsClients(opts, checked.request.region), opts, checked.request, file.document);
      if (opts.json) ctx.io.out(JSON.stringify({ status: started.alreadyRunning ? 'ALREADY_RUNNING' : 'STARTED', ...started }, null, 2));
      else {
        const what = started.alreadyRunning ? `already running since ${started.startDate} (this request was submitted before)` : 'started';
        ctx.io.out(
          `${started.name} ${what} on ${started.stateMachineArn.split(':').pop()}\n  ${started.executionArn}\nFollow it: fsx-onboard status ${started.name}${hint(opts)}`,
        );
      }
      return ExitCode.Ok;
    });
  });

  /** A command on one execution, by name or ARN; `work` returns the exit code. */
  const onExecution = <O extends AwsOptions>(
    name: string,
    description: string,
    work: (clients: AwsClients, opts: O, execution: string) => Promise<ExitCode>,
  ): Command =>
    withAwsOptions(program.command(name).description(description).argument('<execution>', 'execution name (the request id) or ARN')).action(
      async (execution: string, opts: O) => {
        const badName = awsExecutionProblem(execution);
        if (badName) return refuse(ctx, [badName], opts.json);
        await runAws(ctx, opts, async () => work(await createAwsClients(opts), opts, execution));
      },
    );

  /**
   * `status` and `diagnose`: local when the state folder has a record of the execution, else on
   * AWS. --aws, or any option that only means something on AWS (--region, --profile,
   * --state-machine-arn), looks on AWS only.
   */
  const local = async (execution: string, opts: AwsOptions & { aws?: boolean }) => {
    const onAws = opts.aws || opts.region || opts.profile || opts.stateMachineArn;
    return !onAws && LOCAL_NAME.test(execution) ? localExecutionView(ctx.stateDir(), execution) : undefined;
  };

  withAwsOptions(
    program
      .command('status')
      .description(
        'Show an execution step by step: status, attempts, checks of poll loops, errors, what an aborted or timed-out run left in place, and what to do next. ' +
          'A local execution (a record in --state-dir) unless --aws or there is none; then the one on AWS.',
      )
      .argument('<execution>', 'execution name (the request id) or, on AWS, ARN')
      .option('--aws', 'look on AWS even when the state folder has a local execution of that name'),
  ).action(async (execution: string, opts: AwsOptions & { aws?: boolean }) => {
    const show = (report: StatusReport) => {
      ctx.io.out(opts.json ? JSON.stringify(report, null, 2) : formatStatus(report));
      return closedBadly(report.status) ? ExitCode.ExecutionFailed : ExitCode.Ok;
    };
    const badName = awsExecutionProblem(execution);
    if (badName) return refuse(ctx, [badName], opts.json);
    const view = await local(execution, opts);
    if (view) return ctx.setExit(show(statusOf(view)));
    await runAws(ctx, opts, async () => show(await executionStatus(await createAwsClients(opts), opts, execution)), notLocal(execution, opts));
  });

  onExecution(
    'redrive',
    'Restart a failed execution at the state that failed (RedriveExecution); when that is not possible, say why and what to do instead.',
    async (clients, opts, execution) => {
      const redriven = await redrive(clients, opts, execution);
      if (opts.json) ctx.io.out(JSON.stringify({ status: 'REDRIVEN', ...redriven }, null, 2));
      else {
        ctx.io.out(
          `Redrove ${redriven.name}${redriven.restartsAt ? `: it restarts at ${redriven.restartsAt}` : ''} (steps that succeeded are not run again)\n` +
            `Follow it: fsx-onboard status ${redriven.name}${hint(opts)}`,
        );
      }
      return ExitCode.Ok;
    },
  );

  withAwsOptions(
    program
      .command('diagnose')
      .description(
        'For a failed execution: the failing step and error, the CloudTrail AccessDenied events that explain it, and the fix (an explicit Deny named with its statement). ' +
          'A local execution (a record in --state-dir) unless --aws or there is none; then the one on AWS.',
      )
      .argument('<execution>', 'execution name (the request id) or, on AWS, ARN')
      .option('--aws', 'look on AWS even when the state folder has a local execution of that name')
      .addOption(
        new Option('--trail-profile <profile>', "AWS: also search this profile's account (the key's or the bucket's); repeatable").argParser(
          (v: string, prev: string[] = []) => [...prev, v],
        ),
      ),
  ).action(async (execution: string, opts: DiagnoseOptions & { aws?: boolean }) => {
    const show = (diagnosis: Diagnosis) => {
      ctx.io.out(opts.json ? JSON.stringify(diagnosis, null, 2) : formatDiagnosis(diagnosis));
      return closedBadly(diagnosis.status) ? ExitCode.ExecutionFailed : ExitCode.Ok;
    };
    const badName = awsExecutionProblem(execution);
    if (badName) return refuse(ctx, [badName], opts.json);
    const view = await local(execution, opts);
    if (view) return ctx.setExit(show(await diagnoseLocally(await Sandbox.open({ stateFile: sandboxStateFile(ctx) }), view)));
    await runAws(
      ctx,
      opts,
      async () => {
        const clients = await createAwsClients(opts);
        const trails = (opts.trailProfile ?? []).map((profile) => ({ account: `profile ${profile}`, client: trailClientFor(profile, clients.region) }));
        return show(await diagnose(clients, opts, execution, trails));
      },
      notLocal(execution, opts),
    );
  });
}

/** Said after an AWS failure when the name was not found locally either, so the user knows both were looked at. */
function notLocal(execution: string, opts: AwsOptions & { aws?: boolean }): string | undefined {
  return opts.aws || opts.region || opts.profile || opts.stateMachineArn ? undefined : `(no local execution named "${execution}" in the state folder either)`;
}
