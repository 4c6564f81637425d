// Shared fixtures for the handler tests: the example requests, a client factory whose
// clients aws-sdk-client-mock intercepts (mockClient(X) mocks every instance), and the
// record of which role in which account each step asked for.
import { readFileSync } from 'node:fs';
import { DescribeInstancesCommand, DescribeInstanceTypesCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { GrantOperation } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { accountClients, type AccountClients, type ClientFactory, type TargetRole } from '../../lambdas/shared/clients.js';
import { everyClient } from '../../lambdas/shared/every-client.js';
import { validateRequest, type OnboardingRequest } from '../../core/request.js';
import type { PollInput, StepInput, StepResults } from '../../core/step-io.js';
import type { StepDeps } from '../../lambdas/shared/step-deps.js';
import { contextFor } from '../../lambdas/validate-request/validate-request.js';

export const A = '111111111111';
export const B = '222222222222';
export const C = '333333333333';
export const FS_ID = 'fs-0123456789abcdef0';
export const SLR_ARN = `arn:aws:iam::${A}:role/aws-service-role/s3.data-source.lustre.fsx.amazonaws.com/AWSServiceRoleForFSxS3Access_${FS_ID}`;

export function rawRequest(file: 'request.json' | 'request-legacy.json'): Record<string, any> {
  return JSON.parse(readFileSync(new URL(`../../examples/${file}`, import.meta.url), 'utf8'));
}

export function loadRequest(file: 'request.json' | 'request-legacy.json' = 'request.json', edit?: (raw: Record<string, any>) => void): OnboardingRequest {
  const raw = rawRequest(file);
  edit?.(raw);
  const result = validateRequest(raw);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.request;
}

export interface FakeFactory extends ClientFactory {
  targets: string[];
}

export function fakeFactory(region = 'us-east-1'): FakeFactory {
  const config = { region, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } };
  const clients: AccountClients = accountClients(everyClient, config);
  const targets: string[] = [];
  return {
    targets,
    forTarget(role: TargetRole, accountId: string) {
      targets.push(`${role}@${accountId}`);
      return clients;
    },
    orchestrator() {
      targets.push('orchestrator');
      return clients;
    },
    roleArn: (role, accountId) => `arn:aws:iam::${accountId}:role/fsx-onboard-${role === 'fileSystem' ? 'filesystem' : role}`,
  };
}

export function setup(
  file: 'request.json' | 'request-legacy.json' = 'request.json',
  // Tests give only the fields a step reads, so earlier results are partial here.
  steps: { [S in keyof StepResults]?: Partial<NonNullable<StepResults[S]>> | undefined } = {},
  options: { poll?: PollInput; edit?: (raw: Record<string, any>) => void; now?: number } = {},
) {
  const request = loadRequest(file, options.edit);
  const clients = fakeFactory(request.region);
  const input: StepInput = { request, context: contextFor(request, clients), steps: steps as StepResults, ...(options.poll ? { poll: options.poll } : {}) };
  const deps: StepDeps = { clients, ...(options.now !== undefined ? { now: () => options.now! } : {}) };
  return { request, input, deps, clients, names: input.context.names };
}

/** An AWS SDK-style error: the name is what the state machine routes on. */
export function awsError(name: string, message = name): Error {
  const e = new Error(message);
  e.name = name;
  return Object.assign(e, { $metadata: {}, $fault: 'client' });
}

/** The Policy argument of a PutBucketPolicy/PutKeyPolicy call, parsed. */
export function policyOf(call: { args: readonly [{ input: object }, ...unknown[]] } | undefined): any {
  return JSON.parse((call!.args[0].input as { Policy: string }).Policy);
}

/** The blog's grant operations, spelled out so a change to GRANT_OPERATIONS fails a test. */
export const BLOG_GRANT_OPERATIONS: GrantOperation[] = [
  'Decrypt',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'CreateGrant',
  'DescribeKey',
  'ReEncryptFrom',
  'ReEncryptTo',
];

/**
 * EC2 as ValidateRequest reads the Lustre client: the example's instance, an m6i.large, whose
 * type encrypts in transit. Call it in a beforeEach after resetting the other mocks.
 */
export function mockClientInstance(instanceType = 'm6i.large', supported = true) {
  const ec2 = mockClient(EC2Client);
  ec2.reset();
  ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-0fedcba9876543210', InstanceType: instanceType as never }] }] });
  ec2
    .on(DescribeInstanceTypesCommand)
    .resolves({ InstanceTypes: [{ InstanceType: instanceType as never, NetworkInfo: { EncryptionInTransitSupported: supported } }] });
  return ec2;
}
