// The onboarding API: IAM-authorized REST API that validates the request against the same
// schema as the CLI and starts an execution named after the request id, directly through the
// Step Functions service integration (no function in between).
import { Aws, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { apiGatewayLogging } from './api-logging.js';
import { requestModelSchema } from './request-model.js';
import { stateMachineNames } from './names.js';

export interface OnboardingApiProps {
  rollbackOnFailure: sfn.StateMachine;
  stopOnFailure: sfn.StateMachine;
  /** Account ids and principal ARN patterns allowed to call (config "apiCallers"). */
  callers: string[];
}

const JSON_TYPE = 'application/json';

/**
 * A JSON string's contents from a Velocity expression. $util.escapeJavaScript escapes ", \,
 * control and non-ASCII characters as JSON does, but also ' as \' , which JSON lacks (and Step
 * Functions messages quote ARNs in '…'): the replaceAll (a Java regex: backslash, quote) undoes
 * exactly that escape.
 */
export const jsonStringOf = (expression: string): string => `$util.escapeJavaScript(${expression}).replaceAll("\\\\'", "'")`;

// Errors of the Step Functions API come back as {"__type": "…#ExecutionAlreadyExists", "message": …}
// ("Message" in some). A request id reused with a different input, or after its execution ended,
// is a conflict, not a bad request. Quiet references ($!) keep an absent field from rendering
// as the reference's own text.
export const errorResponseTemplate = `#set($type = "$!input.path('$.__type')")
#set($message = "$!input.path('$.message')")
#if($message == "")#set($message = "$!input.path('$.Message')")#end
#if($type.contains("ExecutionAlreadyExists"))#set($context.responseOverride.status = 409)#end
#if($type.contains("ExecutionDoesNotExist"))#set($context.responseOverride.status = 404)#end
{"error": "${jsonStringOf('$type')}", "message": "${jsonStringOf('$message')}"}`;

/** Grace for clock skew: an execution that started this long before the request arrived is not the request's own. */
export const DUPLICATE_GRACE_MS = 1000;

// StartExecution with the name and input of a RUNNING execution succeeds and returns that
// execution (Step Functions' idempotency), so a duplicate POST would get 200. Its startDate
// (epoch seconds) then lies before this request's arrival: that makes it a 409.
export const startResponseTemplate = `#set($startedMs = $input.path('$.startDate') * 1000)
#if($startedMs + ${DUPLICATE_GRACE_MS} < $context.requestTimeEpoch)
#set($context.responseOverride.status = 409)
{"error": "ExecutionAlreadyRunning", "message": "an execution of this requestId is already running; nothing new started", "executionArn": "${jsonStringOf("$input.path('$.executionArn')")}", "startDate": $input.json('$.startDate')}
#else
$input.json('$')
#end`;

const errorResponses: apigw.IntegrationResponse[] = [
  { statusCode: '400', selectionPattern: '4\\d{2}', responseTemplates: { [JSON_TYPE]: errorResponseTemplate } },
  { statusCode: '500', selectionPattern: '5\\d{2}', responseTemplates: { [JSON_TYPE]: errorResponseTemplate } },
];
const integrationResponses: apigw.IntegrationResponse[] = [{ statusCode: '200' }, ...errorResponses];
const startIntegrationResponses: apigw.IntegrationResponse[] = [
  { statusCode: '200', responseTemplates: { [JSON_TYPE]: startResponseTemplate } },
  ...errorResponses,
];
const methodResponses: apigw.MethodResponse[] = ['200', '400', '404', '409', '500'].map((statusCode) => ({ statusCode }));

/**
 * The API's resource policy: only the configured callers. An Allow alone would not limit anyone
 * in the API's own account (there an identity policy allowing execute-api:Invoke suffices), so a
 * Deny refuses every caller that is none of them. Callers from other accounts need both this
 * Allow and their own identity policy.
 */
function callerPolicy(callers: string[]): iam.PolicyDocument {
  const accounts = callers.filter((c) => /^\d{12}$/.test(c));
  const principals = callers.filter((c) => !/^\d{12}$/.test(c));
  const invoke = { actions: ['execute-api:Invoke'], resources: ['execute-api:/*'], principals: [new iam.AnyPrincipal()] };
  const statements: iam.PolicyStatement[] = [];
  if (accounts.length)
    statements.push(new iam.PolicyStatement({ sid: 'CallerAccounts', ...invoke, conditions: { StringEquals: { 'aws:PrincipalAccount': accounts } } }));
  if (principals.length)
    statements.push(new iam.PolicyStatement({ sid: 'CallerPrincipals', ...invoke, conditions: { ArnLike: { 'aws:PrincipalArn': principals } } }));
  // Denied only when the caller matches neither list (condition operators of one statement are ANDed).
  const notListed: Record<string, Record<string, string[]>> = {};
  if (accounts.length) notListed['StringNotEquals'] = { 'aws:PrincipalAccount': accounts };
  if (principals.length) notListed['ArnNotLike'] = { 'aws:PrincipalArn': principals };
  statements.push(new iam.PolicyStatement({ sid: 'NoOtherCallers', effect: iam.Effect.DENY, ...invoke, conditions: notListed }));
  return new iam.PolicyDocument({ statements });
}

export class OnboardingApi extends Construct {
  readonly api: apigw.RestApi;
  readonly integrationRole: iam.Role;

  constructor(scope: Construct, id: string, props: OnboardingApiProps) {
    super(scope, id);
    const { rollbackOnFailure, stopOnFailure, callers } = props;
    const logging = apiGatewayLogging((key) => this.node.tryGetContext(key));
    const logged = logging !== 'off';
    const accessLogs = logged ? new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.ONE_YEAR }) : undefined;

    this.api = new apigw.RestApi(this, 'Api', {
      restApiName: 'fsx-onboard',
      description: 'Start and follow fsx-onboard onboardings (IAM-signed requests only).',
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      defaultMethodOptions: { authorizationType: apigw.AuthorizationType.IAM },
      policy: callerPolicy(callers),
      // The CloudWatch role is a setting of the whole account and region (AWS::ApiGateway::Account):
      // set only when asked, and kept when this stack goes, so no other API loses its logs.
      cloudWatchRole: logging === 'create-account-role',
      ...(logging === 'create-account-role' ? { cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN } : {}),
      deployOptions: {
        stageName: 'v1',
        tracingEnabled: true,
        metricsEnabled: true,
        ...(accessLogs
          ? {
              loggingLevel: apigw.MethodLoggingLevel.INFO,
              // Request bodies stay out of the execution logs; the state machine logs them anyway.
              dataTraceEnabled: false,
              accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
              accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
            }
          : { loggingLevel: apigw.MethodLoggingLevel.OFF }),
        throttlingBurstLimit: 10,
        throttlingRateLimit: 5,
      },
    });
    if (logging === 'create-account-role')
      Validations.of(this.api).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          'apiGatewayLogging=create-account-role: the account-level API Gateway logging role needs exactly this AWS managed policy; API Gateway uses it only to write execution and access logs.',
      });
    if (!logged)
      Validations.of(this.api).acknowledge(
        {
          id: 'AwsSolutions-APIG1',
          reason:
            'apiGatewayLogging=off (the default): REST API stages refuse access logging until the account and region have an API Gateway CloudWatch role, an account-wide setting this stack does not change unasked; the state machines log every execution (docs/deploy.md, "API logging").',
        },
        {
          id: 'AwsSolutions-APIG6',
          reason:
            'apiGatewayLogging=off (the default): execution logging needs the account-wide API Gateway CloudWatch role too; requests remain visible in X-Ray traces, CloudWatch metrics and the executions they start (docs/deploy.md, "API logging").',
        },
      );
    Validations.of(this.api).acknowledge(
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
        reason: `DescribeExecution on the executions of ${name} (one of the two onboarding state machines); execution names are request ids, not known at deploy time.`,
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

    const integration = (action: string, requestTemplate: string, responses = integrationResponses) =>
      new apigw.AwsIntegration({
        service: 'states',
        action,
        options: {
          credentialsRole: this.integrationRole,
          passthroughBehavior: apigw.PassthroughBehavior.NEVER,
          requestTemplates: { [JSON_TYPE]: requestTemplate },
          integrationResponses: responses,
        },
      });

    // Execution name = request id: Step Functions refuses a second execution of that name for
    // 90 days, so a resubmitted request cannot start a second onboarding. "stop" requests go to
    // the machine without rollback, everything else (including an omitted onFailure) to rollback.
    // The request schema allows ' in a bucket prefix: jsonStringOf keeps the input valid JSON.
    const startTemplate = `#set($body = $util.parseJson($input.body))
#if($body.onFailure == "stop")#set($machine = "${stopOnFailure.stateMachineArn}")#else#set($machine = "${rollbackOnFailure.stateMachineArn}")#end
{
  "stateMachineArn": "$machine",
  "name": "${jsonStringOf('$body.requestId')}",
  "input": "${jsonStringOf("$input.json('$')")}"
}`;
    const onboardings = this.api.root.addResource('onboardings');
    onboardings.addMethod('POST', integration('StartExecution', startTemplate, startIntegrationResponses), {
      requestValidator: validator,
      requestModels: { [JSON_TYPE]: requestModel },
      methodResponses,
    });

    const byRequestTemplate = `#set($mode = $input.params('onFailure'))
{"executionArn": "${executionPrefix}#if($mode == "stop")${stateMachineNames.stopOnFailure}#{else}${stateMachineNames.rollbackOnFailure}#end:${jsonStringOf("$input.params('requestId')")}"}`;
    onboardings.addResource('{requestId}').addMethod('GET', integration('DescribeExecution', byRequestTemplate), {
      requestValidator: validator,
      requestParameters: { 'method.request.path.requestId': true, 'method.request.querystring.onFailure': false },
      methodResponses,
    });

    const byArnTemplate = `{"executionArn": "${jsonStringOf("$input.params('executionArn')")}"}`;
    this.api.root.addResource('executions').addMethod('GET', integration('DescribeExecution', byArnTemplate), {
      requestValidator: validator,
      requestParameters: { 'method.request.querystring.executionArn': true },
      methodResponses,
    });
  }
}
