// The API's mapping templates, read from the synthesized template and rendered with a real
// Velocity engine (velocityjs) and API Gateway's documented variables (api-gateway-vtl.ts): every
// body they produce must be JSON that gives back exactly what went in, whatever the message.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stateMachineNames } from '../../infra/names.js';
import { projectRoot } from '../../infra/task-functions.js';
import { escapeJavaScript, renderMappingTemplate, type TemplateRequest } from './api-gateway-vtl.js';
import { resolveIntrinsics, synthesize, type Json } from './synth.js';

interface IntegrationResponse {
  StatusCode: string;
  SelectionPattern?: string;
  ResponseTemplates?: Record<string, string>;
}
interface Method {
  httpMethod: string;
  action: string;
  requestTemplate: string;
  responses: IntegrationResponse[];
}

const REGION = 'us-east-1';
const ACCOUNT = '111111111111';
const machineArn = (name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;
const executionArn = (machine: string, name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:execution:${machine}:${name}`;

let methods: Method[];
const method = (httpMethod: string, action: string, param?: string) =>
  methods.find((m) => m.httpMethod === httpMethod && m.action === action && (!param || m.requestTemplate.includes(`params('${param}')`)))!;
const errorTemplates = () => [
  ...new Set(methods.flatMap((m) => m.responses.filter((r) => r.StatusCode !== '200').flatMap((r) => Object.values(r.ResponseTemplates ?? {})))),
];

beforeAll(() => {
  const synth = synthesize();
  const resources = synth.orchestratorTemplate.toJSON()['Resources'] as Record<string, { Type: string; Properties: Record<string, Json> }>;
  // The state machine ARNs the templates hold as Refs, as CloudFormation would resolve them.
  const refs = new Map(
    Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine')
      .map(([id, r]) => [`ref:${id}`, machineArn(String(r.Properties['StateMachineName']))]),
  );
  methods = Object.values(resources)
    .filter((r) => r.Type === 'AWS::ApiGateway::Method' && r.Properties['HttpMethod'] !== 'OPTIONS')
    .map((r) => {
      const integration = r.Properties['Integration'] as Record<string, Json>;
      let requestTemplate = resolveIntrinsics((integration['RequestTemplates'] as Record<string, Json>)['application/json']!, {
        partition: 'aws',
        region: REGION,
        account: ACCOUNT,
      }) as string;
      for (const [ref, arn] of refs) requestTemplate = requestTemplate.split(ref).join(arn);
      const uri = JSON.stringify(integration['Uri']);
      return {
        httpMethod: String(r.Properties['HttpMethod']),
        action: /action\/(\w+)/.exec(uri)![1]!,
        requestTemplate,
        responses: integration['IntegrationResponses'] as unknown as IntegrationResponse[],
      };
    });
});

/** Messages that break naive templates: every JSON escape, apostrophes, Velocity's own characters, non-ASCII. */
const hardStrings = [
  "Execution Already Exists: 'arn:aws:states:us-east-1:111111111111:execution:fsx-onboard-rollback-on-failure:genomics-2026'",
  `1 validation error detected: Value 'a"b' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[^\\s<>{}\\[\\]?*"#%\\\\^|~\`$&,;:/]+$`,
  "it's an apostrophe; two: ''; escaped: \\' and \\\\'",
  'double "quotes", a backslash \\ and a trailing backslash \\',
  'new\nline, tab\t, return\r, form feed\f, backspace\b, NUL \u0000, unit separator \u001f, DEL \u007f',
  'unicode: é ü 中文 日本語 🚀 (beyond the BMP) \u2028 line separator \u2029 paragraph separator',
  '</script> // slashes /',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a Velocity reference as data, not a JavaScript template
  'Velocity characters as data: $input.body #set($x = 1) ${context} $!{y} ## not a comment',
  '',
];

function renderedJson(template: string, request: TemplateRequest): { body: Record<string, unknown>; status: number | undefined; text: string } {
  const { text, statusOverride } = renderMappingTemplate(template, request);
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`not JSON (${String(e)}):\n${text}`);
  }
  return { body, status: statusOverride, text };
}

describe('the escape model', () => {
  it("escapes the apostrophe as \\' (which JSON refuses) and everything else as JSON allows", () => {
    expect(escapeJavaScript(`a'b`)).toBe("a\\'b");
    expect(() => JSON.parse(`"${escapeJavaScript(`a'b`)}"`)).toThrow();
    expect(escapeJavaScript('"\\/\n\u0001é🚀')).toBe('\\"\\\\\\/\\n\\u0001\\u00E9\\uD83D\\uDE80');
  });
});

describe('error bodies (every 4xx and 5xx integration response)', () => {
  it('are the same template on every method, and that template is rendered here', () => {
    expect(methods.length).toBe(3);
    expect(errorTemplates()).toHaveLength(1);
  });

  it('give back any message, as JSON', () => {
    for (const template of errorTemplates())
      for (const message of hardStrings)
        for (const field of ['message', 'Message']) {
          const type = 'com.amazonaws.swf.service.v2.model#InvalidName';
          const { body, status } = renderedJson(template, { body: JSON.stringify({ __type: type, [field]: message }) });
          expect(body, JSON.stringify(message)).toEqual({ error: type, message });
          expect(status).toBeUndefined();
        }
  });

  it("answer Step Functions' ExecutionAlreadyExists (its message quotes the ARN) with 409 and ExecutionDoesNotExist with 404", () => {
    const [template] = errorTemplates() as [string];
    const arn = executionArn(stateMachineNames.rollbackOnFailure, 'genomics-2026');
    const exists = renderedJson(template, {
      body: JSON.stringify({ __type: 'com.amazonaws.swf.service.v2.model#ExecutionAlreadyExists', message: `Execution Already Exists: '${arn}'` }),
    });
    expect(exists).toMatchObject({
      status: 409,
      body: { error: 'com.amazonaws.swf.service.v2.model#ExecutionAlreadyExists', message: `Execution Already Exists: '${arn}'` },
    });
    const missing = renderedJson(template, {
      body: JSON.stringify({ __type: 'com.amazonaws.swf.service.v2.model#ExecutionDoesNotExist', Message: `Execution Does Not Exist: '${arn}'` }),
    });
    expect(missing).toMatchObject({ status: 404, body: { message: `Execution Does Not Exist: '${arn}'` } });
  });

  it('render an error without __type or message as empty strings, not as the references', () => {
    const [template] = errorTemplates() as [string];
    expect(renderedJson(template, { body: '{}' }).body).toEqual({ error: '', message: '' });
    expect(renderedJson(template, { body: 'Internal Server Error' }).body).toEqual({ error: '', message: '' });
  });
});

describe('StartExecution request', () => {
  const example = () =>
    JSON.parse(readFileSync(join(projectRoot, 'examples/request.json'), 'utf8')) as {
      requestId: string;
      bucket: { prefix: string };
      tags: Record<string, string>;
    };

  it('carries the request as the execution input unchanged, whatever its strings hold', () => {
    const template = method('POST', 'StartExecution').requestTemplate;
    const request = example();
    request.bucket.prefix = "it's/o'neil()!*/";
    request.tags = { team: 'génomique 中文 🚀', 'cost/centre': 'a=b+c-d@e:f_g.h' };
    for (const body of [JSON.stringify(request), JSON.stringify(request, null, 2)]) {
      const { body: start } = renderedJson(template, { body });
      expect(start).toEqual({ stateMachineArn: machineArn(stateMachineNames.rollbackOnFailure), name: request.requestId, input: expect.any(String) });
      expect(JSON.parse(start['input'] as string)).toEqual(request);
    }
  });

  it('names the execution after the request id and picks the machine by onFailure', () => {
    const template = method('POST', 'StartExecution').requestTemplate;
    for (const [onFailure, machine] of [
      ['stop', stateMachineNames.stopOnFailure],
      ['rollback', stateMachineNames.rollbackOnFailure],
      [undefined, stateMachineNames.rollbackOnFailure],
    ] as const) {
      const request = { ...example(), onFailure };
      const { body } = renderedJson(template, { body: JSON.stringify(request) });
      expect([onFailure, body['stateMachineArn'], body['name']]).toEqual([onFailure, machineArn(machine), request.requestId]);
    }
  });
});

describe('StartExecution response', () => {
  const template = () => method('POST', 'StartExecution').responses.find((r) => r.StatusCode === '200')!.ResponseTemplates!['application/json']!;
  const arn = executionArn(stateMachineNames.rollbackOnFailure, 'genomics-2026');
  const requestTime = Date.UTC(2026, 11, 2, 8, 0, 0);

  it('passes a new execution through with 200', () => {
    // Step Functions' startDate is epoch seconds with a fraction, a little after the request arrived.
    const response = { executionArn: arn, startDate: requestTime / 1000 + 0.123 };
    const { body, status } = renderedJson(template(), { body: JSON.stringify(response), requestTimeEpoch: requestTime });
    expect([status, body]).toEqual([undefined, response]);
  });

  it('answers the running execution Step Functions returns for a duplicate with 409, as JSON', () => {
    const response = { executionArn: arn, startDate: requestTime / 1000 - 120.5 };
    const { body, status } = renderedJson(template(), { body: JSON.stringify(response), requestTimeEpoch: requestTime });
    expect(status).toBe(409);
    expect(body).toEqual({
      error: 'ExecutionAlreadyRunning',
      message: expect.stringContaining('already running'),
      executionArn: arn,
      startDate: response.startDate,
    });
  });
});

describe('DescribeExecution requests', () => {
  it('build the execution ARN from any request id as a JSON string, on the machine onFailure names', () => {
    const template = method('GET', 'DescribeExecution', 'requestId').requestTemplate;
    for (const requestId of hardStrings) {
      for (const [onFailure, machine] of [
        ['stop', stateMachineNames.stopOnFailure],
        ['', stateMachineNames.rollbackOnFailure],
      ] as const) {
        const { body } = renderedJson(template, { body: '', params: { path: { requestId }, querystring: { onFailure } } });
        expect(body, JSON.stringify(requestId)).toEqual({ executionArn: executionArn(machine, requestId) });
      }
    }
  });

  it('pass any executionArn query parameter through as a JSON string', () => {
    const template = method('GET', 'DescribeExecution', 'executionArn').requestTemplate;
    for (const value of [executionArn(stateMachineNames.stopOnFailure, 'x'), ...hardStrings]) {
      const { body } = renderedJson(template, { body: '', params: { querystring: { executionArn: value } } });
      expect(body).toEqual({ executionArn: value });
    }
  });
});
