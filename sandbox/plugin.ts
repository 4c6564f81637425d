// The seam between the real SDK v3 clients and the simulated services. A middleware placed
// right after the SDK's retry middleware reads the resolved credentials (chosen earlier by
// httpAuthSchemeMiddleware), the operation and its input, and answers from the model without
// calling `next`: no HTTP and no signing, but the SDK's own retry of throttling and server
// errors runs exactly as against AWS.
import type { Pluggable } from '@smithy/types';
import { latencyMs } from './clock.js';
import { trailRecipients } from './cloudtrail.js';
import { serviceError, SimError, type ServiceName } from './errors.js';
import { resolveCaller } from './identity.js';
import type { Call, Sim } from './sim.js';
import { models } from './services/index.js';

const clientServices: Record<string, ServiceName> = {
  STSClient: 'sts',
  IAMClient: 'iam',
  S3Client: 's3',
  KMSClient: 'kms',
  FSxClient: 'fsx',
  SSMClient: 'ssm',
  CloudTrailClient: 'cloudtrail',
  EC2Client: 'ec2',
  DynamoDBClient: 'dynamodb',
};

/** S3 object-level and DynamoDB item-level calls are CloudTrail data events, not management events. */
const dataEvents: Partial<Record<ServiceName, Set<string>>> = {
  s3: new Set(['PutObject', 'GetObject', 'HeadObject', 'DeleteObject', 'ListObjectsV2']),
  dynamodb: new Set(['PutItem', 'DeleteItem', 'GetItem']),
};

const transientErrors: Record<ServiceName, { code: string; status: number; message: string }> = {
  s3: { code: 'SlowDown', status: 503, message: 'Please reduce your request rate.' },
  kms: { code: 'ThrottlingException', status: 400, message: 'Rate exceeded' },
  iam: { code: 'Throttling', status: 400, message: 'Rate exceeded' },
  sts: { code: 'Throttling', status: 400, message: 'Rate exceeded' },
  fsx: { code: 'ThrottlingException', status: 400, message: 'Rate exceeded' },
  ssm: { code: 'ThrottlingException', status: 400, message: 'Rate exceeded' },
  cloudtrail: { code: 'ThrottlingException', status: 400, message: 'Rate exceeded' },
  ec2: { code: 'RequestLimitExceeded', status: 503, message: 'Request limit exceeded.' },
  // DynamoDB's throttling of a table's requests (API reference, "Common errors" and PutItem).
  dynamodb: {
    code: 'ProvisionedThroughputExceededException',
    status: 400,
    message: 'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
  },
};

function requestParameters(input: unknown): unknown {
  return JSON.parse(
    JSON.stringify(input ?? {}, (key, value) => (key === 'Body' ? undefined : value instanceof Uint8Array ? `<${value.length} bytes>` : value)),
  );
}

/** Deterministic pseudo-random faults (mulberry32) so a seeded run replays. */
function faultRoll(sim: Sim, counter: { n: number }): number {
  let t = ((sim.faults.seed ?? 1) + 0x6d2b79f5 * ++counter.n) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

function injectedFault(sim: Sim, service: ServiceName, operation: string, counter: { n: number }): SimError | undefined {
  const permanent = sim.faults.permanent?.[`${service}:${operation}`];
  if (permanent) return new SimError(permanent.code, permanent.message, permanent.httpStatusCode ?? 400);
  const rate = sim.faults.transientRate ?? 0;
  if (rate > 0 && service !== 'sts' && faultRoll(sim, counter) < rate) {
    const t = transientErrors[service];
    return new SimError(t.code, t.message, t.status);
  }
  return undefined;
}

async function dispatch(
  sim: Sim,
  service: ServiceName,
  operation: string,
  accessKeyId: string | undefined,
  region: string,
  // biome-ignore lint/suspicious/noExplicitAny: a command's input, typed by the service handler that serves it
  input: any,
  counter = { n: 0 },
): Promise<unknown> {
  // The call's simulated latency is a turn of its execution: others run meanwhile, and the
  // call is served once its time has come.
  await sim.scheduler.sleep(latencyMs(service, operation));
  sim.state.awsCalls += 1;
  sim.scheduler.noteCall();
  sim.runDueJobs();
  let caller: ReturnType<typeof resolveCaller>;
  try {
    caller = resolveCaller(sim.state, accessKeyId, sim.now());
  } catch (error) {
    const e = error as SimError;
    throw serviceError(service, service === 's3' && e.code === 'InvalidClientTokenId' ? 'InvalidAccessKeyId' : e.code, e.message, e.httpStatusCode);
  }
  const call: Call = { sim, service, operation, caller, region: service === 'iam' ? 'us-east-1' : region, input: input ?? {}, resources: [] };
  const record = (error?: SimError) =>
    sim.record({
      caller,
      service,
      eventName: operation,
      region: call.region,
      requestParameters: requestParameters(input),
      ...(call.responseElements && !error ? { responseElements: call.responseElements } : {}),
      ...(error ? { error: { code: error.trailCode ?? error.code, message: error.message } } : {}),
      resources: call.resources,
      recipients: trailRecipients(service, caller.account, call.resourceAccount, error?.trailCode ?? error?.code),
      management: !dataEvents[service]?.has(operation),
      readOnly: /^(Get|Describe|List|Head|Lookup)/.test(operation),
    });
  try {
    const fault = injectedFault(sim, service, operation, counter);
    if (fault) throw fault;
    const handler = models[service][operation];
    if (!handler) throw new SimError('UnsupportedOperation', `The sandbox does not model ${service}:${operation}.`, 400);
    const output = await handler(call);
    // LookupEvents is itself a (read) management event on AWS; the sandbox leaves it out so
    // lookups do not crowd the events they look for.
    if (!(service === 'cloudtrail' && operation === 'LookupEvents')) record();
    return output;
  } catch (error) {
    if (error instanceof SimError) {
      record(error);
      // A HEAD response has no body: the SDK can only name the error after the status code.
      if (service === 's3' && operation === 'HeadObject' && error.httpStatusCode === 403) throw serviceError(service, 'Forbidden', 'UnknownError', 403);
      throw serviceError(service, error.code, error.message, error.httpStatusCode, error.extra);
    }
    throw error;
  }
}

// biome-ignore lint/suspicious/noExplicitAny: SDK plugins are generic over every client's input and output types
export function createPlugin(getSim: () => Sim): Pluggable<any, any> {
  const counter = { n: 0 };
  return {
    applyToStack(stack) {
      stack.addRelativeTo(
        // biome-ignore lint/suspicious/noExplicitAny: SDK plugins are generic over every client's input and output types
        (_next: unknown, context: Record<string, any>) => async (args: { input: unknown }) => {
          const service = clientServices[String(context['clientName'])];
          if (!service) throw new Error(`The sandbox does not model ${context['clientName']}`);
          const operation = String(context['commandName']).replace(/Command$/, '');
          const scheme = context['__smithy_context']?.selectedHttpAuthScheme;
          const accessKeyId: string | undefined = scheme?.identity?.accessKeyId;
          const region = String(scheme?.httpAuthOption?.signingProperties?.region ?? 'us-east-1');
          const output = await dispatch(getSim(), service, operation, accessKeyId, region, args.input, counter);
          return { output: { ...(output as object), $metadata: { httpStatusCode: 200, requestId: 'sandbox', attempts: 1, totalRetryDelay: 0 } }, response: {} };
        },
        { relation: 'after', toMiddleware: 'retryMiddleware', name: 'fsxOnboardSandbox', override: true },
      );
    },
  };
}
