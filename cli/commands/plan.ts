// `plan <request>`: what an onboarding would change and whether it can succeed, before it runs.
// It reads only: in the sandbox, the world (and --seed) live in memory and are never saved.
import type { Command } from 'commander';
import { validateRequest } from '../../core/request.js';
import { Sandbox } from '../../sandbox/index.js';
import { ExitCode, refuse, sandboxStateFile, type CliContext } from '../context.js';
import { awsFactory, planOnboarding, sandboxFactory, type AwsPlanOptions, type ClientFactory } from '../plan/clients.js';
import { formatPlan } from '../plan/format.js';
import { readRequestFile } from '../request-file.js';
import { seedSandbox } from './sandbox.js';

interface PlanOptions extends AwsPlanOptions {
  json?: boolean;
  seed?: string;
  aws?: boolean;
}

export function registerPlanCommand(program: Command, ctx: CliContext): void {
  program
    .command('plan')
    .summary('Show what an onboarding would change, and check it can succeed, without changing anything.')
    .description(
      'Read the current bucket policy, key policy, default encryption, grants and file systems and show, per resource, what the onboarding would ' +
        'change (the documents the steps would write, their sizes against the S3 and KMS limits, who else a default encryption change affects), ' +
        "then the preflight checks (target roles, key, Block Public Access, the service-linked role's access after the changes, stale principals, " +
        'association paths, policy sizes). Nothing is written: in the sandbox the state file stays as it was; with --aws only read calls are made, ' +
        'through the target roles.',
    )
    .argument('<request>', 'path of the onboarding request (JSON); see docs/request.md')
    .option('--json', 'print one JSON document {changes, checks} (docs/plan.md)')
    .option('--seed <file>', 'sandbox: plan against the sandbox with this seed added (in memory only; nothing is saved)')
    .option('--aws', 'plan against the real accounts, assuming the deployed target roles from your identity')
    .option('--region <region>', "--aws: region of the clients (default: the request's region)")
    .option('--profile <name>', '--aws: named profile of ~/.aws/config for the identity that assumes the target roles')
    .option('--external-id <id>', '--aws: sts:ExternalId the target roles require')
    .addHelpText(
      'after',
      '\nExamples:\n  fsx-onboard plan examples/request.json\n  fsx-onboard plan examples/request.json --seed examples/seeds/key-denies-fsx-slr.json --json\n' +
        '  fsx-onboard plan request.json --aws --profile ops\n' +
        '\nExit codes: 0 no check failed, 1 the request was refused or a check failed. See docs/plan.md.',
    )
    .action(async (path: string, opts: PlanOptions) => {
      const file = await readRequestFile(path);
      if (!file.ok) return refuse(ctx, file.problems, opts.json);
      const checked = validateRequest(file.document);
      if (!checked.ok) return refuse(ctx, checked.problems, opts.json);
      const request = checked.request;
      let factory: ClientFactory;
      let where: string;
      if (opts.aws) {
        factory = awsFactory(opts, request.region);
        where = 'on AWS (read only, through the target roles)';
      } else {
        const stateFile = sandboxStateFile(ctx);
        const sandbox = await Sandbox.open({ stateFile });
        if (opts.seed && !(await seedSandbox(ctx, sandbox, opts.seed, true))) return;
        // In memory only, like the seed: plan never saves the sandbox.
        sandbox.ensureWorldFor(request);
        factory = sandboxFactory(sandbox, request.region);
        where = `in the sandbox (state: ${stateFile}${opts.seed ? `, with ${opts.seed}` : ''}; nothing is saved)`;
      }
      const plan = await planOnboarding(request, factory);
      const failed = plan.checks.some((c) => c.status === 'fail');
      ctx.io.out(
        opts.json
          ? JSON.stringify({ requestId: request.requestId, changes: plan.changes, checks: plan.checks }, null, 2)
          : formatPlan(plan, `Plan for ${request.requestId} (${request.fileSystem.deploymentType}) ${where}:`),
      );
      ctx.setExit(failed ? ExitCode.BadInput : ExitCode.Ok);
    });
}
