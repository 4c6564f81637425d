// CDK app: `npm run synth` / `npm run deploy` (cdk.json runs it with tsx; telemetry is off
// through cdk.json's "cli-telemetry": false and CDK_DISABLE_CLI_TELEMETRY in the npm scripts).
//
// Stacks:
//   FsxOnboardOrchestrator             in orchestratorAccount: functions, state machines,
//                                      failure alerts, onboarding API. Needs `cdk bootstrap`
//                                      (function bundles are assets). Deploy it FIRST: the
//                                      target roles trust its function roles by ARN, and IAM rejects a
//                                      trust policy naming a role that does not exist yet.
//   FsxOnboardTargetRoles-<account>    one per account listed in fileSystemAccounts,
//                                      bucketAccounts or keyAccounts, with the roles it hosts.
//                                      No assets, the template passed inline
//                                      (infra/inline-template-synthesizer.ts): deploy with that
//                                      account's credentials, no bootstrap needed.
//
// Context (cdk.json "context", override with -c key=value; details in infra/config.ts):
//   orchestratorAccount, region, fileSystemAccounts, bucketAccounts, keyAccounts,
//   bucketNames, keyArns, externalId, functionRolePrefix, fileSystemRoleName,
//   bucketRoleName, keyRoleName, lustreClientTagKey, lustreClientTagValue,
//   linkedPrefixes, fileSystemKeyArns, alarmEmail, apiCallers; apiGatewayLogging (infra/api-logging.ts).
//
// Every stack is checked by cdk-nag's AwsSolutions pack during synthesis; an unacknowledged
// finding fails the synth.
import { App, Validations, type IStackSynthesizer } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readConfig, targetAccounts, type DeploymentConfig } from './config.js';
import { InlineTemplateSynthesizer } from './inline-template-synthesizer.js';
import { ORCHESTRATOR_STACK, targetRolesStackName } from './names.js';
import { OrchestratorStack, type OrchestratorStackProps } from './orchestrator-stack.js';
import { TargetRolesStack } from './target-roles-stack.js';

export interface BuiltApp {
  app: App;
  config: DeploymentConfig;
  orchestrator: OrchestratorStack;
  targets: TargetRolesStack[];
}

export interface BuildOptions {
  nag?: boolean;
  entryFor?: OrchestratorStackProps['entryFor'];
}

export function buildApp(app: App, options: BuildOptions = {}): BuiltApp {
  const config = readConfig((key) => app.node.tryGetContext(key));
  const orchestrator = new OrchestratorStack(app, ORCHESTRATOR_STACK, {
    env: { account: config.orchestratorAccount, region: config.region },
    description: 'fsx-onboard orchestrator: links FSx for Lustre to KMS-encrypted S3 across accounts.',
    config,
    ...(options.entryFor ? { entryFor: options.entryFor } : {}),
  });
  const targets = targetAccounts(config).map(
    ({ account, roles }) =>
      new TargetRolesStack(app, targetRolesStackName(account), {
        env: { account, region: config.region },
        // No assets, template inline, the caller's own credentials: accounts B and C need no
        // `cdk bootstrap` (the orchestrator stack, with its function bundles, does).
        // (Cast: aws-cdk-lib's optional properties are not typed for exactOptionalPropertyTypes.)
        synthesizer: new InlineTemplateSynthesizer() as unknown as IStackSynthesizer,
        description: `fsx-onboard target roles (${roles.join(', ')}), trusted by the orchestrator in ${config.orchestratorAccount}.`,
        config,
        roles,
      }),
  );
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, config, orchestrator, targets };
}

// Only when run as the CDK app (not when a test imports buildApp).
if (process.argv[1] && /infra[\\/]app\.ts$/.test(process.argv[1])) {
  const { app } = buildApp(new App());
  app.synth();
}
