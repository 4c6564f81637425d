import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { onboardingRequestSchema } from '../../core/request.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stateMachineNames } from '../../infra/names.js';
import { DUPLICATE_GRACE_MS, errorResponseTemplate, jsonStringOf, startResponseTemplate } from '../../infra/onboarding-api.js';
import { requestModelSchema } from '../../infra/request-model.js';
import { projectRoot } from '../../infra/task-functions.js';
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
    expect(model!.Properties['Schema']).toEqual(requestModelSchema());
    expect(model!.Properties['ContentType']).toBe('application/json');
    const zodDraft4 = z.toJSONSchema(onboardingRequestSchema, { target: 'draft-04', io: 'input' }) as { properties: Record<string, unknown> };
    // The same fields as zod's own draft-4 output; test/infra/request-model.test.ts checks the meaning.
    expect(Object.keys((requestModelSchema() as typeof zodDraft4).properties)).toEqual(Object.keys(zodDraft4.properties));
  });

  it('writes every model pattern in the ECMA 262 5.1 dialect of draft 4: no \\p{…}, compiles without the u flag', () => {
    const text = JSON.stringify(requestModelSchema());
    expect(text).not.toContain('\\\\p{');
    const patterns: string[] = [];
    const visit = (n: unknown): void => {
      if (Array.isArray(n)) n.forEach(visit);
      else if (n && typeof n === 'object')
        for (const [k, v] of Object.entries(n)) {
          if (k === 'pattern' && typeof v === 'string') patterns.push(v);
          if (k === 'patternProperties') patterns.push(...Object.keys(v as object));
          visit(v);
        }
    };
    visit(requestModelSchema());
    expect(patterns.length).toBeGreaterThan(10);
    for (const p of patterns) expect(() => new RegExp(p), p).not.toThrow();
  });

  it('gives tag values the meaning of the request schema for every BMP character, refuses the keys it can name, and at most 40 tags', () => {
    const tags = (requestModelSchema() as { properties: { tags: Record<string, unknown> } }).properties.tags as {
      patternProperties: Record<string, unknown>;
      additionalProperties: { allOf: { pattern: string }[] };
      maxProperties: number;
    };
    expect(tags.maxProperties).toBe(40);
    const value = new RegExp(tags.additionalProperties.allOf.map((a) => a.pattern).find((p) => p.includes('_.:'))!);
    for (let c = 0; c <= 0xffff; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const ch = String.fromCharCode(c);
      expect(value.test(`a${ch}`), `value U+${c.toString(16)}`).toBe(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u.test(`a${ch}`));
    }
    // A key matching any of these patterns must match {"not": {}}: it is refused.
    const refused = (key: string) => Object.keys(tags.patternProperties).some((p) => new RegExp(p).test(key));
    for (const p of Object.keys(tags.patternProperties)) expect(tags.patternProperties[p]).toEqual({ not: {} });
    for (const key of ['aws:owner', 'k'.repeat(129), '', 'tab\there'])
      expect([refused(key), onboardingRequestSchema.shape.tags.safeParse({ [key]: 'v' }).success], JSON.stringify(key)).toEqual([true, false]);
    for (const key of ['team', 'k'.repeat(128), 'Kostenstelle:ü', 'a/b=c+d-e@f'])
      expect([refused(key), onboardingRequestSchema.shape.tags.safeParse({ [key]: 'v' }).success], key).toEqual([false, true]);
    // YAML (cfn-lint) refuses keys over 1,024 characters.
    for (const p of Object.keys(tags.patternProperties)) expect(p.length).toBeLessThan(1024);
    const example = JSON.parse(readFileSync(join(projectRoot, 'examples/request.json'), 'utf8')) as { tags?: Record<string, string> };
    for (const [k, v] of Object.entries(example.tags ?? {})) expect(!refused(k) && value.test(v), k).toBe(true);
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
    expect(template).toContain(`"name": "$util.escapeJavaScript($body.requestId).replaceAll("\\\\'", "'")"`);
    expect(template).toContain(
      `#if($body.onFailure == "stop")#set($machine = "ref:${machineLogicalId(stateMachineNames.stopOnFailure)}")#else#set($machine = "ref:${machineLogicalId(stateMachineNames.rollbackOnFailure)}")#end`,
    );
    expect(template).toContain('"stateMachineArn": "$machine"');
    expect(template).toContain(`"input": "$util.escapeJavaScript($input.json('$')).replaceAll("\\\\'", "'")"`);
  });

  it('answers a reused request id with a different input, or after its execution ended, as a 409 conflict', () => {
    const integration = method('POST', 'StartExecution').Properties['Integration'] as {
      IntegrationResponses: { StatusCode: string; SelectionPattern?: string; ResponseTemplates?: Record<string, string> }[];
    };
    const clientError = integration.IntegrationResponses.find((r) => r.SelectionPattern === '4\\d{2}')!;
    expect(clientError.ResponseTemplates!['application/json']).toBe(errorResponseTemplate);
    expect(errorResponseTemplate).toContain('#if($type.contains("ExecutionAlreadyExists"))#set($context.responseOverride.status = 409)#end');
  });

  it('answers a duplicate POST while the execution runs (Step Functions returns the running one) as a 409', () => {
    const integration = method('POST', 'StartExecution').Properties['Integration'] as {
      IntegrationResponses: { StatusCode: string; SelectionPattern?: string; ResponseTemplates?: Record<string, string> }[];
    };
    const ok = integration.IntegrationResponses.find((r) => r.StatusCode === '200')!;
    expect(ok.SelectionPattern).toBeUndefined();
    expect(ok.ResponseTemplates!['application/json']).toBe(startResponseTemplate);
    // Started (epoch seconds × 1000) more than the grace before this request arrived: not this request's execution.
    expect(startResponseTemplate).toContain("#set($startedMs = $input.path('$.startDate') * 1000)");
    expect(startResponseTemplate).toContain(
      `#if($startedMs + ${DUPLICATE_GRACE_MS} < $context.requestTimeEpoch)\n#set($context.responseOverride.status = 409)`,
    );
    expect(startResponseTemplate).toMatch(/#else\n\$input\.json\('\$'\)\n#end$/);
    // The describe methods keep a plain 200.
    const get = method('GET', 'DescribeExecution').Properties['Integration'] as typeof integration;
    expect(get.IntegrationResponses.find((r) => r.StatusCode === '200')!.ResponseTemplates).toBeUndefined();
  });

  it("renders every string of a response or request body through escapeJavaScript with the \\' escape undone", () => {
    expect(jsonStringOf('$message')).toBe(`$util.escapeJavaScript($message).replaceAll("\\\\'", "'")`);
    expect(errorResponseTemplate).toContain(`{"error": "${jsonStringOf('$type')}", "message": "${jsonStringOf('$message')}"}`);
    // Quiet references: an absent field renders as "", not as the reference's text.
    expect(errorResponseTemplate).toContain(`#set($type = "$!input.path('$.__type')")`);
    expect(errorResponseTemplate).toContain(`#if($message == "")#set($message = "$!input.path('$.Message')")#end`);
    const templates = methods().flatMap((m) => {
      const i = m.Properties['Integration'] as {
        RequestTemplates: Record<string, Json>;
        IntegrationResponses: { ResponseTemplates?: Record<string, string> }[];
      };
      return [
        JSON.stringify(resolve(i.RequestTemplates['application/json']!)),
        ...i.IntegrationResponses.flatMap((r) => Object.values(r.ResponseTemplates ?? {})),
      ];
    });
    const count = (t: string, part: string) => t.split(part).length - 1;
    for (const t of templates.map((t) => (t.startsWith('"') ? (JSON.parse(t) as string) : t)))
      expect(count(t, '$util.escapeJavaScript('), t.slice(0, 80)).toBe(count(t, `).replaceAll("\\\\'", "'")`));
    // The chain on the messages Step Functions writes, with a model of Commons Lang's escapeJavaScript
    // (what $util uses): ' " \\ / escaped, control and non-ASCII characters as \\uXXXX.
    const escapeJavaScript = (v: string) =>
      v.replace(/[\\'"/]|[^\x20-\x7e]/g, (c) =>
        c === '\\' || c === "'" || c === '"' || c === '/' ? `\\${c}` : `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`,
      );
    const undo = (v: string) => v.replaceAll("\\'", "'");
    for (const message of [
      "Execution Already Exists: 'arn:aws:states:us-east-1:111111111111:execution:fsx-onboard-rollback-on-failure:genomics-2026'",
      'back\\slash \\\' quote "double" é 中 \n tab\t',
    ])
      expect(JSON.parse(`{"message": "${undo(escapeJavaScript(message))}"}`).message).toBe(message);
  });

  it('limits callers with a resource policy: the configured accounts and principals, everyone else denied', () => {
    const [api] = ofType('AWS::ApiGateway::RestApi');
    const policy = api!.Properties['Policy'] as { Statement: Record<string, Json>[] };
    expect(policy.Statement).toEqual([
      {
        Sid: 'CallerAccounts',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'execute-api:Invoke',
        Resource: 'execute-api:/*',
        Condition: { StringEquals: { 'aws:PrincipalAccount': [synth.config.orchestratorAccount] } },
      },
      {
        Sid: 'NoOtherCallers',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'execute-api:Invoke',
        Resource: 'execute-api:/*',
        Condition: { StringNotEquals: { 'aws:PrincipalAccount': [synth.config.orchestratorAccount] } },
      },
    ]);
    const custom = synthesize({ apiCallers: ['arn:aws:iam::111111111111:role/platform-*', '444444444444'] });
    const [customApi] = Object.values(custom.orchestratorTemplate.toJSON()['Resources'] as typeof resources).filter(
      (r) => r.Type === 'AWS::ApiGateway::RestApi',
    );
    const statements = (customApi!.Properties['Policy'] as { Statement: Record<string, Json>[] }).Statement;
    expect(statements.map((s) => [s['Sid'], s['Condition']])).toEqual([
      ['CallerAccounts', { StringEquals: { 'aws:PrincipalAccount': ['444444444444'] } }],
      ['CallerPrincipals', { ArnLike: { 'aws:PrincipalArn': ['arn:aws:iam::111111111111:role/platform-*'] } }],
      // Denied only when neither matches: the two operators of one condition are ANDed.
      [
        'NoOtherCallers',
        { StringNotEquals: { 'aws:PrincipalAccount': ['444444444444'] }, ArnNotLike: { 'aws:PrincipalArn': ['arn:aws:iam::111111111111:role/platform-*'] } },
      ],
    ]);
    expect(() => synthesize({ apiCallers: ['everyone'] })).toThrow(/apiCallers/);
    expect(() => synthesize({ apiCallers: [] })).toThrow(/lock everyone out/);
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

  it('traces the stage and, by default, leaves the account-wide API Gateway logging role alone (no logs then)', () => {
    const [stage] = ofType('AWS::ApiGateway::Stage');
    expect(stage!.Properties).toMatchObject({ TracingEnabled: true });
    expect(stage!.Properties['AccessLogSetting']).toBeUndefined();
    expect(ofType('AWS::ApiGateway::Account')).toEqual([]);
    expect(JSON.stringify(stage!.Properties['MethodSettings'])).toContain('"LoggingLevel":"OFF"');
  });

  const apiResources = (apiGatewayLogging: string) =>
    Object.values(synthesize({ apiGatewayLogging }).orchestratorTemplate.toJSON()['Resources'] as typeof resources);

  it('logs access and execution through the account role that exists (apiGatewayLogging=account-role-exists), setting nothing account-wide', () => {
    const all = apiResources('account-role-exists');
    const stage = all.find((r) => r.Type === 'AWS::ApiGateway::Stage')!;
    expect(stage.Properties).toMatchObject({ TracingEnabled: true, AccessLogSetting: { DestinationArn: expect.anything() } });
    expect(JSON.stringify(stage.Properties['MethodSettings'])).toContain('"LoggingLevel":"INFO"');
    expect(all.filter((r) => r.Type === 'AWS::ApiGateway::Account')).toEqual([]);
  });

  it('sets the account role only when asked (apiGatewayLogging=create-account-role), and keeps it when the stack goes', () => {
    const all = Object.values(
      synthesize({ apiGatewayLogging: 'create-account-role' }).orchestratorTemplate.toJSON()['Resources'] as Record<
        string,
        { Type: string; DeletionPolicy?: string }
      >,
    );
    const account = all.filter((r) => r.Type === 'AWS::ApiGateway::Account');
    expect(account).toHaveLength(1);
    expect(account[0]!.DeletionPolicy).toBe('Retain');
    expect(() => synthesize({ apiGatewayLogging: 'yes' })).toThrow(/apiGatewayLogging: must be one of off, account-role-exists, create-account-role/);
  });
});
