// One Lambda function per state of workflow/steps.ts, bundled by the local esbuild (no Docker)
// in one pass for all of them (infra/bundling.ts).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BUNDLE_HANDLER, bundledStepCode } from './bundling.js';
import { allStepNames, functionTimeoutSeconds, handlerFolder, Steps, type StepName } from '../workflow/steps.js';

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The handler of a step, by convention `lambdas/<kebab-case-name>/handler.ts`. */
export const handlerEntry = (step: StepName): string => join(projectRoot, 'lambdas', handlerFolder(step), 'handler.ts');

// Lambda gives up before the Task's TimeoutSeconds so the state sees the function's own error
// (Sandbox.Timedout), which the Retry policy retries: workflow/steps.ts, workflow/retry-policy.ts.
export { functionTimeoutSeconds };

/** Every function's Description starts with this, so a template maps a function back to its state. */
export const functionDescription = (step: StepName): string => `fsx-onboard ${step}: ${Steps[step].summary}`.slice(0, 256);

const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_22_X;

export interface TaskFunctionsProps {
  /** Each function's own role (the target roles trust exactly the ones whose steps need them). */
  roles: Record<StepName, iam.Role>;
  environment: Record<string, string>;
  entryFor?: (step: StepName) => string;
}

export class TaskFunctions extends Construct {
  readonly functions: Record<StepName, NodejsFunction>;

  constructor(scope: Construct, id: string, props: TaskFunctionsProps) {
    super(scope, id);
    const entryFor = props.entryFor ?? handlerEntry;
    const functions = {} as Record<StepName, NodejsFunction>;
    for (const step of allStepNames) {
      // An explicit log group gets a retention and lets the role write to exactly these groups
      // instead of the AWSLambdaBasicExecutionRole managed policy (logs:* on every group).
      const logGroup = new logs.LogGroup(this, `${step}Logs`, {
        retention: logs.RetentionDays.ONE_YEAR,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      // Each role writes only to its own function's log group.
      props.roles[step].addToPrincipalPolicy(
        new iam.PolicyStatement({ sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
      );
      functions[step] = new NodejsFunction(this, step, {
        handler: BUNDLE_HANDLER,
        description: functionDescription(step),
        runtime: LAMBDA_RUNTIME,
        architecture: lambda.Architecture.ARM_64,
        memorySize: 256,
        timeout: Duration.seconds(functionTimeoutSeconds(step)),
        role: props.roles[step],
        logGroup,
        loggingFormat: lambda.LoggingFormat.JSON,
        tracing: lambda.Tracing.ACTIVE,
        environment: props.environment,
        // One esbuild pass bundles every handler; infra/bundling.ts says how and why.
        code: bundledStepCode(step, projectRoot, entryFor),
      });
    }
    this.functions = functions;
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x is the runtime this project builds, types (@types/node) and tests for; it is supported by Lambda (nodejs20.x is the deprecated one). Moving to nodejs24.x is a deliberate upgrade of LAMBDA_RUNTIME and the esbuild target together.',
    });
  }
}
