// `sandbox show | seed | apply | reset`: look at, pre-populate, change or clear the simulated accounts.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { RequestProblem } from '../../core/request.js';
import { readSeedFile, Sandbox, type SeedInput, type SeedOutcome } from '../../sandbox/index.js';
import { resetStateDir, STATE_DIR_MARKER } from '../../sandbox/state-dir.js';
import { ExitCode, refuse, sandboxStateFile, type CliContext } from '../context.js';
import { describeSandbox } from '../describe-sandbox.js';

export function registerSandboxCommands(program: Command, ctx: CliContext): void {
  const sandbox = program.command('sandbox').description('Inspect, seed or reset the simulated AWS accounts.');
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
    .command('seed')
    .description('Add pre-existing resources described by a seed file (see docs/sandbox.md); overwrites nothing, reports conflicts.')
    .argument('<file>', 'seed file (JSON); examples in examples/seeds/')
    .action(async (file: string) => {
      const box = await Sandbox.open({ stateFile: sandboxStateFile(ctx) });
      if (!(await seedSandbox(ctx, box, file))) return;
      await box.save();
      ctx.setExit(ExitCode.Ok);
    });
  sandbox
    .command('apply')
    .description(
      'Replace existing resources (roles, buckets, keys) by their description in the seed format, e.g. a corrected key or bucket policy, ' +
        'to rehearse "fix the cause, then resume". The fields the file writes are replaced (a policy as a whole document); the others, grants, ' +
        'unlisted objects and managed policies stay. Refuses, changing nothing, a resource that does not exist or a change AWS does not allow.',
    )
    .argument('<file>', 'file in the seed format (docs/sandbox.md, "Seeds")')
    .action(async (file: string) => applyFile(ctx, file));
  sandbox
    .command('reset')
    .description(
      'Delete the sandbox state and execution records, starting from an empty world. Deletes only the files the sandbox wrote ' +
        `(listed in ${STATE_DIR_MARKER}); refuses a folder without that marker.`,
    )
    .action(async () => {
      const dir = ctx.stateDir();
      const outcome = await resetStateDir(dir);
      if (outcome.kind === 'not-a-sandbox') {
        ctx.io.err(
          `fsx-onboard: ${dir} is not a sandbox state folder (it has no readable ${STATE_DIR_MARKER} marker, which the sandbox writes there); nothing was deleted.\n` +
            '  Check --state-dir. A folder written by a version without the marker: delete its sandbox.json and executions/ yourself.',
        );
        return ctx.setExit(ExitCode.BadInput);
      }
      if (outcome.kind === 'absent') ctx.io.out(`Nothing to reset: ${dir} does not exist`);
      else {
        const lines = [`Reset ${dir}: deleted ${outcome.deleted.length} files the sandbox wrote${outcome.removedDirectory ? ', and the folder' : ''}`];
        if (outcome.kept.length) lines.push(`  kept ${outcome.kept.length} files the sandbox did not write: ${outcome.kept.join(', ')}`);
        ctx.io.out(lines.join('\n'));
      }
      ctx.setExit(ExitCode.Ok);
    });
}

/** Loads a seed file into `box` and says what it did; false (exit code 1) when refused or in conflict. */
export async function seedSandbox(ctx: CliContext, box: Sandbox, file: string, json = false): Promise<boolean> {
  const refuseSeed = (problems: RequestProblem[]) => {
    if (json) return refuse(ctx, problems, json);
    ctx.io.err([`The seed ${file} was refused; nothing was changed:`, ...problems.map((p) => `  ${p.field}: ${p.message}`)].join('\n'));
    ctx.setExit(ExitCode.BadInput);
  };
  const read = await readSeedFile(file);
  if (!read.ok) {
    refuseSeed(read.problems);
    return false;
  }
  const outcome: SeedOutcome = box.applySeed(read.seed);
  if (outcome.conflicts.length) {
    refuseSeed(outcome.conflicts.map((message) => ({ field: 'conflict', message })));
    return false;
  }
  // `run --json` prints one JSON document: the seed's summary would break it.
  if (!json) {
    const lines = [...outcome.created.map((c) => `  created ${c}`), ...outcome.unchanged.map((u) => `  already there: ${u}`)];
    ctx.io.out(`Seeded ${file}:\n${lines.join('\n') || '  (nothing to do)'}`);
  }
  return true;
}

/** `sandbox apply FILE`: replaces the described resources, or refuses the file (exit code 1) changing nothing. */
async function applyFile(ctx: CliContext, file: string): Promise<void> {
  const refused = (problems: RequestProblem[]) => {
    ctx.io.err([`${file} was refused; nothing was changed:`, ...problems.map((p) => `  ${p.field}: ${p.message}`)].join('\n'));
    ctx.setExit(ExitCode.BadInput);
  };
  const read = await readSeedFile(file);
  if (!read.ok) return refused(read.problems);
  const box = await Sandbox.open({ stateFile: sandboxStateFile(ctx) });
  // Validated above, so the file is JSON in the seed format: the fields it writes are the ones replaced.
  const written = JSON.parse(await readFile(file, 'utf8')) as SeedInput;
  const result = box.replaceResources(read.seed, written);
  if (!result.ok) return refused(result.problems);
  await box.save();
  const lines = [...result.outcome.replaced.map((r) => `  replaced ${r}`), ...result.outcome.unchanged.map((u) => `  unchanged: ${u}`)];
  ctx.io.out(`Applied ${file}:\n${lines.join('\n') || '  (nothing described)'}`);
  ctx.setExit(ExitCode.Ok);
}
