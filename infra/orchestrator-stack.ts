// The orchestrator: one function per state, the state machines rendered by workflow/, failure
// alerts and the onboarding API. Deployed once, in account A or a tooling account.
import { Aspects, Aws, CfnOutput, Fn, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { LOCK_EXPIRY_ATTRIBUTE, LOCK_PARTITION_KEY, LOCK_TABLE_ENV } from '../core/resource-locks.js';
import { functionArnPlaceholder, renderDefinition, renderRollbackDefinition, type AslDefinition } from '../workflow/render.js';
import { allStepNames, type StepName } from '../workflow/steps.js';
import type { DeploymentConfig } from './config.js';
import { FailureAlerts } from './failure-alerts.js';
import { functionRoleName, lockTableName } from './function-roles.js';
import { functionDocument, toCdkPolicyDocument } from './iam-documents.js';
import { stateMachineNames, type MachineKey } from './names.js';
import { OnboardingApi } from './onboarding-api.js';
import { TaskFunctions, type TaskFunctionsProps } from './task-functions.js';
import { RetainTrustedRoles } from './trusted-roles.js';
import { acknowledgeWildcards } from './wildcards.js';

/** Substitution key of a step's function ARN: `${CreateGrantFunctionArn}` → `CreateGrantFunctionArn`. */
const substitutionKey = (step: StepName): string => functionArnPlaceholder(step).slice(2, -1);

/** Differs for every creation of the stack: the first group of the UUID that ends the stack id. */
const stackInstance = Fn.select(0, Fn.split('-', Fn.select(2, Fn.split('/', Aws.STACK_ID))));

/** The steps a definition refers to, so each machine gets only its own substitutions and invoke rights. */
const stepsIn = (definition: AslDefinition): StepName[] => {
  const text = JSON.stringify(definition);
  return allStepNames.filter((step) => text.includes(functionArnPlaceholder(step)));
};

export interface OrchestratorStackProps extends StackProps {
  config: DeploymentConfig;
  entryFor?: TaskFunctionsProps['entryFor'];
}

export class OrchestratorStack extends Stack {
  /** Each step function's own role. */
  readonly roles: Record<StepName, iam.Role>;
  readonly functions: TaskFunctions;
  readonly stateMachines: Record<MachineKey, sfn.StateMachine>;
  /** The leases on shared documents (bucket policies, key policies, default encryption): lambdas/shared/resource-lock.ts. */
  readonly lockTable: dynamodb.Table;

  constructor(scope: Construct, id: string, props: OrchestratorStackProps) {
    super(scope, id, props);
    const { config } = props;
    Aspects.of(this).add(new RetainTrustedRoles());

    // One role per function, each with a fixed name (<prefix>-<StateName>): the target roles in
    // other accounts trust exactly the functions that need them, by literal ARN.
    this.roles = {} as Record<StepName, iam.Role>;
    for (const step of allStepNames) {
      const policy = functionDocument(config, this.partition, step);
      const role = new iam.Role(this, `${step}Role`, {
        roleName: functionRoleName(config, step),
        description: `fsx-onboard ${step}: assumes only the target roles its step acts through.`.slice(0, 1000),
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        ...(policy.Statement.length ? { inlinePolicies: { Step: toCdkPolicyDocument(policy) } } : {}),
      });
      acknowledgeWildcards(role, policy);
      // X-Ray has no resource-level permissions: PutTraceSegments/PutTelemetryRecords take "*".
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: `${step}'s function role: only xray:PutTraceSegments and xray:PutTelemetryRecords (added by Lambda active tracing) use "*": X-Ray supports no resource-level permissions.`,
      });
      this.roles[step] = role;
    }

    // One item per document being edited, for well under a second; a lease that outlives a
    // crashed function is compared by the lock code itself, and TTL sweeps it days later.
    this.lockTable = new dynamodb.Table(this, 'Locks', {
      tableName: lockTableName(config),
      partitionKey: { name: LOCK_PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: LOCK_EXPIRY_ATTRIBUTE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      // Only leases live here: nothing to keep when the stack goes, and a retained table of the
      // same fixed name would block the next deployment.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.functions = new TaskFunctions(this, 'Steps', {
      roles: this.roles,
      environment: {
        FSX_ONBOARD_FILESYSTEM_ROLE_NAME: config.roleNames.fileSystem,
        FSX_ONBOARD_BUCKET_ROLE_NAME: config.roleNames.bucket,
        FSX_ONBOARD_KEY_ROLE_NAME: config.roleNames.key,
        // Not a secret (AWS: the external id guards against a confused deputy, not theft).
        FSX_ONBOARD_EXTERNAL_ID: config.externalId,
        [LOCK_TABLE_ENV]: this.lockTable.tableName,
      },
      ...(props.entryFor ? { entryFor: props.entryFor } : {}),
    });

    this.stateMachines = {
      rollbackOnFailure: this.machine('RollbackOnFailure', stateMachineNames.rollbackOnFailure, renderDefinition('rollback')),
      stopOnFailure: this.machine('StopOnFailure', stateMachineNames.stopOnFailure, renderDefinition('stop')),
      rollback: this.machine('Rollback', stateMachineNames.rollback, renderRollbackDefinition()),
    };

    const alerts = new FailureAlerts(this, 'FailureAlerts', {
      stateMachines: this.stateMachines,
      ...(config.alarmEmail ? { alarmEmail: config.alarmEmail } : {}),
    });

    const api = new OnboardingApi(this, 'Api', {
      rollbackOnFailure: this.stateMachines.rollbackOnFailure,
      stopOnFailure: this.stateMachines.stopOnFailure,
      callers: config.apiCallers,
    });

    new CfnOutput(this, 'RollbackOnFailureStateMachineArn', { value: this.stateMachines.rollbackOnFailure.stateMachineArn });
    new CfnOutput(this, 'StopOnFailureStateMachineArn', { value: this.stateMachines.stopOnFailure.stateMachineArn });
    new CfnOutput(this, 'RollbackStateMachineArn', { value: this.stateMachines.rollback.stateMachineArn });
    new CfnOutput(this, 'FailureTopicArn', { value: alerts.topic.topicArn });
    new CfnOutput(this, 'ApiUrl', { value: api.api.url });
    new CfnOutput(this, 'LockTableName', { value: this.lockTable.tableName });
  }

  private machine(id: string, name: string, definition: AslDefinition): sfn.StateMachine {
    const steps = stepsIn(definition);
    const logGroup = new logs.LogGroup(this, `${id}Logs`, {
      // The /aws/vendedlogs/ prefix keeps Step Functions' log delivery from growing the
      // account's CloudWatch Logs resource policy once per log group (its 5,120-character limit).
      // The stack id's first 8 hex digits end the name: a group retained from an earlier stack of
      // the same name (destroy, then deploy again) does not collide with the new one.
      logGroupName: `/aws/vendedlogs/states/${name}-${stackInstance}`,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const machine = new sfn.StateMachine(this, id, {
      stateMachineName: name,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(JSON.stringify(definition)),
      definitionSubstitutions: Object.fromEntries(steps.map((step) => [substitutionKey(step), this.functions.functions[step].functionArn])),
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    // Exactly the functions of this definition, unqualified (grantInvoke would add "<arn>:*").
    machine.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'InvokeStepFunctions',
        actions: ['lambda:InvokeFunction'],
        resources: steps.map((step) => this.functions.functions[step].functionArn),
      }),
    );
    Validations.of(machine).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: `${name}'s role, added by CDK for logging and tracing: logs:CreateLogDelivery/GetLogDelivery/UpdateLogDelivery/DeleteLogDelivery/ListLogDeliveries/PutResourcePolicy/DescribeResourcePolicies/DescribeLogGroups and xray:PutTraceSegments/PutTelemetryRecords/GetSamplingRules/GetSamplingTargets support no resource-level permissions (Step Functions logging and X-Ray docs).`,
    });
    return machine;
  }
}
