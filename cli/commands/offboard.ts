// `offboard <requestId>`: removes one onboarding's link (grant, bucket and key statements,
// association, test-export leftovers, the default encryption as rollback restores it) and keeps
// the file system, unless --delete-file-system. It runs the rollback machine with the request
// wrapped in {"request", "deleteFileSystem": false}: locally on the sandbox, or (--aws) by
// starting the deployed rollback machine. It shows what it will remove and asks first.
import type { Command } from 'commander';
import { validateRequest, type OnboardingRequest, type RequestProblem } from '../../core/request.js';
import { Sandbox } from '../../sandbox/index.js';
import { confirmed } from '../confirm.js';
import { ExitCode, refuse, sandboxStateFile, type CliContext } from '../context.js';
import { loadExecutionRecord, publicReport } from '../executions.js';
import { formatEvent, formatSummary } from '../format.js';
import { runLocally } from '../local-runner.js';
import { formatOffboardPlan, offboardPlan } from '../offboard-plan.js';
import { readRequestFile } from '../request-file.js';
import { startRollbackOnAws, withAwsConnectionOptions, type AwsOptions } from './aws.js';

interface OffboardOptions extends AwsOptions {
  deleteFileSystem?: boolean;
  yes?: boolean;
  json?: boolean;
  aws?: boolean;
  request?: string;
  repository?: string;
}

async function offboardLocally(ctx: CliContext, name: string, opts: OffboardOptions): Promise<void> {
  let document: unknown;
  let fileSystemId: string | undefined;
  if (opts.request) {
    const file = await readRequestFile(opts.request);
    if (!file.ok) return refuse(ctx, file.problems, opts.json);
    document = file.document;
  } else {
    const record = await loadExecutionRecord(ctx.stateDir(), name);
    if (!record) return refuse(ctx, [{ field: '(execution)', message: `no execution named "${name}" in ${ctx.stateDir()}; pass --request <file>` }], opts.json);
    document = record.request;
    fileSystemId = record.report.outputs.fileSystemId;
  }
  const checked = validateRequest(document);
  if (!checked.ok) return refuse(ctx, checked.problems, opts.json);
  const request = checked.request;
  if (request.requestId !== name) return refuse(ctx, [{ field: 'requestId', message: `is "${request.requestId}", not the execution "${name}"` }], opts.json);
  const problem = repositoryProblem(request, opts);
  if (problem) return refuse(ctx, [problem], opts.json);

  const stateFile = sandboxStateFile(ctx);
  const sandbox = await Sandbox.open({ stateFile });
  const plan = offboardPlan(request, {
    deleteFileSystem: !!opts.deleteFileSystem,
    snapshot: sandbox.snapshot(),
    ...(fileSystemId ? { fileSystemId } : {}),
    ...(opts.repository !== undefined ? { repository: opts.repository } : {}),
  });
  if (!opts.json) ctx.io.out(`Offboarding ${name} in the sandbox (state: ${stateFile}) will:\n${formatOffboardPlan(plan)}`);
  if (!(await confirmed(ctx, { what: `offboard ${name}`, ...opts }))) return;

  const result = await runLocally(document, {
    sandbox,
    machine: 'rollback-only',
    keepFileSystem: !opts.deleteFileSystem,
    ...(opts.repository !== undefined ? { repository: opts.repository } : {}),
    ...(opts.json ? {} : { onEvent: (e) => ctx.io.out(formatEvent(e)) }),
  });
  if (result.kind === 'refused') return refuse(ctx, result.problems, opts.json);
  await sandbox.save();
  const report = result.report;
  if (opts.json) ctx.io.out(JSON.stringify({ ...publicReport(report), plan }, null, 2));
  else {
    const kept = plan.find((i) => i.kind === 'fileSystem');
    const tail = report.status === 'SUCCEEDED' && kept?.action === 'keep' ? `\n\nThe file system ${kept.resource} was kept.` : '';
    ctx.io.out(formatSummary(report) + tail);
  }
  ctx.setExit(report.status === 'SUCCEEDED' ? ExitCode.Ok : ExitCode.ExecutionFailed);
}

/** --repository names one of the request's repositories by its fileSystemPath, and keeps the file system. */
function repositoryProblem(request: OnboardingRequest, opts: OffboardOptions): RequestProblem | undefined {
  if (opts.repository === undefined) return undefined;
  if (opts.deleteFileSystem)
    return { field: '--repository', message: 'removes one link and keeps the file system: it cannot be combined with --delete-file-system' };
  if (request.repositories.some((r) => r.fileSystemPath === opts.repository)) return undefined;
  return {
    field: '--repository',
    message: `"${opts.repository}" is not the fileSystemPath of a repository of ${request.requestId} (${request.repositories.map((r) => `"${r.fileSystemPath}"`).join(', ')})`,
  };
}

export function registerOffboardCommand(program: Command, ctx: CliContext): void {
  withAwsConnectionOptions(
    program
      .command('offboard')
      .summary("Remove one onboarding's link and keep its file system, in the sandbox or (--aws) on AWS.")
      .description(
        "Remove one onboarding's link: its KMS grant, its bucket and key policy statements, its data repository association, its test-export " +
          'objects, and the default encryption it set (restored as rollback restores it). The file system is kept unless --delete-file-system.\n' +
          "Of a request of several repositories, --repository <fileSystemPath> removes that repository's link only; the other links keep working.\n" +
          'Shows what it will remove and asks first; --yes is required when stdin is not a terminal or with --json.\n' +
          'In the sandbox by default (the execution record in --state-dir); with --aws, starts the deployed rollback machine.',
      )
      .argument('<requestId>', 'execution name (the request id) of the onboarding; on AWS also an execution ARN')
      .option('--delete-file-system', 'also delete the file system, if this request created it (an adopted one is never deleted)')
      .option('--repository <fileSystemPath>', "remove only this repository's link (the request's repository at that fileSystemPath); the others stay")
      .option('--yes', 'do not ask for confirmation')
      .option('--json', 'print one JSON document (needs --yes)')
      .option('--request <file>', 'sandbox: the request document, when this state folder has no record of the execution')
      .option('--aws', 'offboard an execution of the deployed state machine (standard credential chain)'),
  )
    .addHelpText('after', '\nExit codes: 0 offboarded (or started on AWS), 1 refused or not confirmed (nothing changed), 2 the rollback machine failed.')
    .action(async (name: string, opts: OffboardOptions) => {
      if (opts.aws) {
        if (opts.repository !== undefined && opts.deleteFileSystem)
          return refuse(
            ctx,
            [{ field: '--repository', message: 'removes one link and keeps the file system: it cannot be combined with --delete-file-system' }],
            opts.json,
          );
        return startRollbackOnAws(ctx, name, opts, 'offboard');
      }
      await offboardLocally(ctx, name, opts);
    });
}
