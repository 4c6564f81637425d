// `definition`: the ASL that is deployed and run locally.
import { Option, type Command } from 'commander';
import { renderDefinition, renderRollbackDefinition, type FailureMode } from '../../workflow/render.js';
import { ExitCode, type CliContext } from '../context.js';

export function registerDefinitionCommand(program: Command, ctx: CliContext): void {
  program
    .command('definition')
    .description('Print the state machine definition (Amazon States Language) that is deployed and run locally.')
    .addOption(
      new Option('--on-failure <mode>', 'which variant: "rollback" catches into compensations, "stop" fails at the broken step')
        .choices(['rollback', 'stop'])
        .default('rollback'),
    )
    .option('--rollback-machine', 'print the on-demand rollback machine instead')
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal placeholder the CDK stack substitutes
    .addHelpText('after', '\nTask resources are ${<StateName>FunctionArn} placeholders, substituted at deployment.')
    .action((opts: { onFailure: FailureMode; rollbackMachine?: boolean }) => {
      const definition = opts.rollbackMachine ? renderRollbackDefinition() : renderDefinition(opts.onFailure);
      ctx.io.out(JSON.stringify(definition, null, 2));
      ctx.setExit(ExitCode.Ok);
    });
}
