import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { onboardingRequestSchema } from '../../core/request.js';
import { stateMachineNames } from '../../infra/names.js';
import { resolveIntrinsics, synthesize, type Json, type Synthesized } from './synth.js';

let synth: Synthesized;
let resources: Record<string, { Type: string; Properties: Record<string, Json> }>;
const resolve = (v: Json) => resolveIntrinsics(v, { partition: 'aws', region: synth.config.region, account: synth.config.orchestratorAccount });

beforeAll(() => {
  synth = synthesize();
  resources = synth.orchestratorTemplate.toJSON()['Resources'];
});

const ofType = (type: string) => Object.values(resources).filter((r) => r.Type === type);
const machineLogicalId = (name: string) =>
  Object.entries(resources).find(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine' && r.Properties['StateMachineName'] === name)![0];
const methods = () => ofType('AWS::ApiGateway::Method').filter((m) => m.Properties['HttpMethod'] !== 'OPTIONS');
const method = (httpMethod: string, action: string) =>
  methods().find((m) => m.Properties['HttpMethod'] === httpMethod && JSON.stringify(m.Properties['Integration']).includes(`action/${action}`))!;

describe('onboarding API', () => {
  it('uses the request schema, as JSON Schema draft 4, as the request model', () => {
    const [model] = ofType('AWS::ApiGateway::Model').filter((m) => m.Properties['Name'] === 'OnboardingRequest');
    expect(model!.Properties['Schema']).toEqual(z.toJSONSchema(onboardingRequestSchema, { target: 'draft-04', io: 'input' }));
    expect(model!.Properties['ContentType']).toBe('application/json');
  });

  it('requires IAM authorization on every method', () => {
    expect(methods().length).toBeGreaterThanOrEqual(3);
    for (const m of methods()) expect(m.Properties['AuthorizationType']).toBe('AWS_IAM');
  });

  it('validates the POST body against the model before starting anything', () => {
    const post = method('POST', 'StartExecution');
    expect(post.Properties['RequestModels']).toEqual({ 'application/json': expect.anything() });
    const [validator] = ofType('AWS::ApiGateway::RequestValidator');
    expect(validator!.Properties).toMatchObject({ ValidateRequestBody: true });
    expect(post.Properties['RequestValidatorId']).toBeDefined();
  });

  it('starts an execution named after the request id, on the stop machine for onFailure "stop" and on the rollback machine otherwise', () => {
    const integration = method('POST', 'StartExecution').Properties['Integration'] as Record<string, Json>;
    expect(integration['Type']).toBe('AWS');
    expect(resolve(integration['Uri']!)).toBe(`arn:aws:apigateway:${synth.config.region}:states:action/StartExecution`);
    expect(integration['PassthroughBehavior']).toBe('NEVER');
    const template = resolve((integration['RequestTemplates'] as Record<string, Json>)['application/json']!) as string;
    expect(template).toContain('"name": "$util.escapeJavaScript($body.requestId)"');
    expect(template).toContain(
      `#if($body.onFailure == "stop")#set($machine = "ref:${machineLogicalId(stateMachineNames.stopOnFailure)}")#else#set($machine = "ref:${machineLogicalId(stateMachineNames.rollbackOnFailure)}")#end`,
    );
    expect(template).toContain('"stateMachineArn": "$machine"');
    expect(template).toContain(`"input": "$util.escapeJavaScript($input.json('$')).replaceAll("\\\\'", "'")"`);
  });

  it('answers a reused request id with a different input as a 409 conflict', () => {
    const integration = method('POST', 'StartExecution').Properties['Integration'] as {
      IntegrationResponses: { SelectionPattern?: string; ResponseTemplates?: Record<string, string> }[];
    };
    const clientError = integration.IntegrationResponses.find((r) => r.SelectionPattern === '4\\d{2}')!;
    expect(clientError.ResponseTemplates!['application/json']).toContain('ExecutionAlreadyExists');
    expect(clientError.ResponseTemplates!['application/json']).toContain('$context.responseOverride.status = 409');
  });

  it('describes an execution by request id (machine chosen by onFailure) and by execution ARN', () => {
    const byRequest = methods().find((m) => JSON.stringify(m.Properties['Integration']).includes("input.params('requestId')"))!;
    expect(byRequest.Properties['HttpMethod']).toBe('GET');
    expect(byRequest.Properties['RequestParameters']).toEqual({ 'method.request.path.requestId': true, 'method.request.querystring.onFailure': false });
    const template = resolve(
      ((byRequest.Properties['Integration'] as Record<string, Json>)['RequestTemplates'] as Record<string, Json>)['application/json']!,
    ) as string;
    expect(template).toContain(
      `arn:aws:states:${synth.config.region}:${synth.config.orchestratorAccount}:execution:#if($mode == "stop")${stateMachineNames.stopOnFailure}#{else}${stateMachineNames.rollbackOnFailure}#end:`,
    );
    const byArn = methods().find((m) => JSON.stringify(m.Properties['Integration']).includes("input.params('executionArn')"))!;
    expect(byArn.Properties['RequestParameters']).toEqual({ 'method.request.querystring.executionArn': true });
    expect(JSON.stringify(byArn.Properties['Integration'])).toContain('action/DescribeExecution');
  });

  it('lets the integration role start only the two onboarding machines and describe only their executions', () => {
    const role = Object.entries(resources).find(
      ([, r]) =>
        r.Type === 'AWS::IAM::Role' &&
        JSON.stringify(r.Properties['AssumeRolePolicyDocument']).includes('apigateway.amazonaws.com') &&
        !JSON.stringify(r.Properties).includes('AmazonAPIGatewayPushToCloudWatchLogs'),
    )![0];
    const policy = ofType('AWS::IAM::Policy').find((p) => JSON.stringify(p.Properties['Roles']).includes(role))!;
    const statements = (resolve(policy.Properties['PolicyDocument']!) as { Statement: { Action: string; Resource: string | string[] }[] }).Statement;
    const execution = (name: string) => `arn:aws:states:${synth.config.region}:${synth.config.orchestratorAccount}:execution:${name}:*`;
    expect(statements).toEqual([
      expect.objectContaining({
        Action: 'states:StartExecution',
        Resource: [`ref:${machineLogicalId(stateMachineNames.rollbackOnFailure)}`, `ref:${machineLogicalId(stateMachineNames.stopOnFailure)}`],
      }),
      expect.objectContaining({
        Action: 'states:DescribeExecution',
        Resource: [execution(stateMachineNames.rollbackOnFailure), execution(stateMachineNames.stopOnFailure)],
      }),
    ]);
  });

  it('logs access and traces the stage', () => {
    const [stage] = ofType('AWS::ApiGateway::Stage');
    expect(stage!.Properties).toMatchObject({ TracingEnabled: true, AccessLogSetting: { DestinationArn: expect.anything() } });
  });
});
