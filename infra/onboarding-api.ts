// The onboarding API: IAM-authorized REST API that validates the request against the same
// schema as the CLI and starts an execution named after the request id, directly through the
// Step Functions service integration (no function in between).
import { Aws, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { z } from 'zod';
import { onboardingRequestSchema } from '../core/request.js';
import { stateMachineNames } from './names.js';

/** The request model: API Gateway models are JSON Schema draft 4. Refinements (capacity
 * multiples, key region) are not expressible there; ValidateRequest checks them in the workflow. */
export const requestModelSchema = (): Record<string, unknown> =>
  z.toJSONSchema(onboardingRequestSchema, { target: 'draft-04', io: 'input' }) as Record<string, unknown>;

export interface OnboardingApiProps {
  rollbackOnFailure: sfn.StateMachine;
  stopOnFailure: sfn.StateMachine;
}

const JSON_TYPE = 'application/json';

// Errors of the Step Functions API come back as {"__type": "...#ExecutionAlreadyExists", "message": ...}.
// A request id reused with a different input is a conflict, not a bad request.
const errorResponse = `#set($type = $input.path('$.__type'))
#if("$type" != "" && $type.contains("ExecutionAlreadyExists"))#set($context.responseOverride.status = 409)#end
#if("$type" != "" && $type.contains("ExecutionDoesNotExist"))#set($context.responseOverride.status = 404)#end
{"error": "$util.escapeJavaScript($type)", "message": "$util.escapeJavaScript($input.path('$.message'))"}`;

const integrationResponses: apigw.IntegrationResponse[] = [
  { statusCode: '200' },
  { statusCode: '400', selectionPattern: '4\\d{2}', responseTemplates: { [JSON_TYPE]: errorResponse } },
  { statusCode: '500', selectionPattern: '5\\d{2}', responseTemplates: { [JSON_TYPE]: errorResponse } },
];
const methodResponses: apigw.MethodResponse[] = ['200', '400', '404', '409', '500'].map((statusCode) => ({ statusCode }));

export class OnboardingApi extends Construct {
  readonly api: apigw.RestApi;
  readonly integrationRole: iam.Role;

  constructor(scope: Construct, id: string, props: OnboardingApiProps) {
    super(scope, id);
    const { rollbackOnFailure, stopOnFailure } = props;
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.ONE_YEAR });

    this.api = new apigw.RestApi(this, 'Api', {
      restApiName: 'fsx-onboard',
      description: 'Start and follow fsx-onboard onboardings (IAM-signed requests only).',
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      defaultMethodOptions: { authorizationType: apigw.AuthorizationType.IAM },
      cloudWatchRole: true,
      deployOptions: {
        stageName: 'v1',
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: apigw.MethodLoggingLevel.INFO,
        // Request bodies stay out of the execution logs; the state machine logs them anyway.
        dataTraceEnabled: false,
        throttlingBurstLimit: 10,
        throttlingRateLimit: 5,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
      },
    });
    Validations.of(this.api).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason: 'The account-level API Gateway logging role needs exactly this AWS managed policy; API Gateway uses it only to write execution logs.',
      },
      {
        id: 'AwsSolutions-APIG3',
        reason:
          'Every method requires SigV4 (IAM) authorization and the stage is throttled; unsigned traffic is rejected before any integration runs, so a WAF web ACL adds cost without protecting an open surface.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason: 'Callers are platforms and operators with IAM identities; every method uses IAM authorization instead of a Cognito user pool.',
      },
    );

    this.integrationRole = new iam.Role(this, 'IntegrationRole', {
      description: 'fsx-onboard API: starts and describes onboarding executions.',
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
    });
    this.integrationRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'StartOnboarding',
        actions: ['states:StartExecution'],
        resources: [rollbackOnFailure.stateMachineArn, stopOnFailure.stateMachineArn],
      }),
    );
    // Pseudo parameters, not the stack's literal env, so the cdk-nag finding ids below are stable.
    const executionPrefix = `arn:${Aws.PARTITION}:states:${Aws.REGION}:${Aws.ACCOUNT_ID}:execution:`;
    const onboardingMachines = [stateMachineNames.rollbackOnFailure, stateMachineNames.stopOnFailure];
    const executionArns = onboardingMachines.map((name) => `${executionPrefix}${name}:*`);
    this.integrationRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'FollowOnboarding', actions: ['states:DescribeExecution'], resources: executionArns }),
    );
    Validations.of(this.integrationRole).acknowledge(
      ...onboardingMachines.map((name) => ({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${name}:*]`,
        reason:
          'DescribeExecution is granted on the executions of the two onboarding state machines only; execution names (request ids) are not known at deploy time.',
      })),
    );

    const validator = this.api.addRequestValidator('Validator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const requestModel = this.api.addModel('OnboardingRequest', {
      contentType: JSON_TYPE,
      modelName: 'OnboardingRequest',
      description: 'fsx-onboard request (core/request.ts).',
      schema: requestModelSchema() as apigw.JsonSchema,
    });

    const integration = (action: string, requestTemplate: string) =>
      new apigw.AwsIntegration({
        service: 'states',
        action,
        options: {
          credentialsRole: this.integrationRole,
          passthroughBehavior: apigw.PassthroughBehavior.NEVER,
          requestTemplates: { [JSON_TYPE]: requestTemplate },
          integrationResponses,
        },
      });

    // Execution name = request id: Step Functions refuses a second execution of that name for
    // 90 days, so a resubmitted request cannot start a second onboarding. "stop" requests go to
    // the machine without rollback, everything else (including an omitted onFailure) to rollback.
    // escapeJavaScript escapes ' as \' (not JSON); the request schema allows ' in a bucket prefix.
    const startTemplate = `#set($body = $util.parseJson($input.body))
#if($body.onFailure == "stop")#set($machine = "${stopOnFailure.stateMachineArn}")#else#set($machine = "${rollbackOnFailure.stateMachineArn}")#end
{
  "stateMachineArn": "$machine",
  "name": "$util.escapeJavaScript($body.requestId)",
  "input": "$util.escapeJavaScript($input.json('$')).replaceAll("\\\\'", "'")"
}`;
    const onboardings = this.api.root.addResource('onboardings');
    onboardings.addMethod('POST', integration('StartExecution', startTemplate), {
      requestValidator: validator,
      requestModels: { [JSON_TYPE]: requestModel },
      methodResponses,
    });

    const byRequestTemplate = `#set($mode = $input.params('onFailure'))
{"executionArn": "${executionPrefix}#if($mode == "stop")${stateMachineNames.stopOnFailure}#{else}${stateMachineNames.rollbackOnFailure}#end:$util.escapeJavaScript($input.params('requestId'))"}`;
    onboardings.addResource('{requestId}').addMethod('GET', integration('DescribeExecution', byRequestTemplate), {
      requestValidator: validator,
      requestParameters: { 'method.request.path.requestId': true, 'method.request.querystring.onFailure': false },
      methodResponses,
    });

    const byArnTemplate = `{"executionArn": "$util.escapeJavaScript($input.params('executionArn'))"}`;
    this.api.root.addResource('executions').addMethod('GET', integration('DescribeExecution', byArnTemplate), {
      requestValidator: validator,
      requestParameters: { 'method.request.querystring.executionArn': true },
      methodResponses,
    });
  }
}
