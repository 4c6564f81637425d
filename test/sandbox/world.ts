// Shared setup: a sandbox world for one request, and real SDK clients bound to it through the
// project's client factory (the same path the local runner uses).
import { readFileSync } from 'node:fs';
import type { CreateFileSystemCommandInput } from '@aws-sdk/client-fsx';
import { GetKeyPolicyCommand, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { PutBucketEncryptionCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { SendCommandCommand, GetCommandInvocationCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { createClientFactory } from '../../lambdas/shared/clients.js';
import { everyClient } from '../../lambdas/shared/every-client.js';
import { sandboxClientConfig } from '../../sandbox/client-config.js';
import { namesFor } from '../../core/naming.js';
import { validateRequest, type OnboardingRequest } from '../../core/request.js';
import { bucketStatements, emptyPolicy, keyStatements, mergeStatements, parsePolicy, serializePolicy } from '../../policy/documents.js';
import { Sandbox, type WorldOptions } from '../../sandbox/index.js';

export const START = Date.parse('2026-03-01T00:00:00Z');

export function exampleRequest(overrides: (raw: Record<string, any>) => void = () => {}): OnboardingRequest {
  const raw = JSON.parse(readFileSync(new URL('../../examples/request.json', import.meta.url), 'utf8')) as Record<string, any>;
  overrides(raw);
  const result = validateRequest(raw);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.request;
}

export async function world(request = exampleRequest(), options: WorldOptions & { externalIdForClients?: string } = {}) {
  const sandbox = await Sandbox.open({ inMemory: true, startTime: START });
  sandbox.ensureWorldFor(request, options.externalId !== undefined ? { externalId: options.externalId } : {});
  const factory = createClientFactory({
    clients: everyClient,
    region: request.region,
    credentials: sandbox.orchestratorCredentials,
    plugins: [sandbox.plugin],
    clientConfig: sandboxClientConfig(),
    ...(options.externalIdForClients !== undefined ? { externalId: options.externalIdForClients } : {}),
  });
  const a = request.fileSystem.accountId;
  const b = request.bucket.accountId;
  const c = request.key.arn.split(':')[4]!;
  return {
    sandbox,
    request,
    factory,
    a,
    b,
    c,
    fileSystem: factory.forTarget('fileSystem', a),
    bucket: factory.forTarget('bucket', b),
    key: factory.forTarget('key', c),
    orchestrator: factory.orchestrator(),
  };
}

/** Sends a shell script through Run Command and waits (on the virtual clock) for its result. */
export async function runOnClient(sandbox: Sandbox, ssm: SSMClient, instanceId: string, commands: string[]) {
  const sent = await ssm.send(new SendCommandCommand({ InstanceIds: [instanceId], DocumentName: 'AWS-RunShellScript', Parameters: { commands } }));
  const CommandId = sent.Command!.CommandId!;
  for (let i = 0; i < 10; i++) {
    sandbox.clock.advance(2);
    const result = await ssm.send(new GetCommandInvocationCommand({ CommandId, InstanceId: instanceId }));
    if (result.Status !== 'Pending' && result.Status !== 'InProgress') return result;
  }
  throw new Error('command did not finish');
}

type World = Awaited<ReturnType<typeof world>>;

/** The blog's steps 1-3 as the workflow does them: bucket policy, key policy (with A's grant statements), default encryption. */
export async function shareBucketAndKey(w: World, options: { keyUse?: boolean } = {}) {
  const names = namesFor(w.request.requestId);
  const statements = bucketStatements(w.request, names, { kind: 'pattern', fileSystemAccountId: w.a, fileSystemRoleArn: w.factory.roleArn('fileSystem', w.a) });
  await w.bucket.s3.send(new PutBucketPolicyCommand({ Bucket: w.request.bucket.name, Policy: serializePolicy(mergeStatements(emptyPolicy(), statements)) }));
  if (options.keyUse !== false) {
    const current = await w.key.kms.send(new GetKeyPolicyCommand({ KeyId: w.request.key.arn, PolicyName: 'default' }));
    const policy = mergeStatements(parsePolicy(current.Policy), keyStatements(w.request, names, w.factory.roleArn('fileSystem', w.a)));
    await w.key.kms.send(new PutKeyPolicyCommand({ KeyId: w.request.key.arn, PolicyName: 'default', Policy: serializePolicy(policy) }));
  }
  await w.bucket.s3.send(
    new PutBucketEncryptionCommand({
      Bucket: w.request.bucket.name,
      ServerSideEncryptionConfiguration: {
        Rules: [
          {
            ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: w.request.key.arn },
            BucketKeyEnabled: w.request.bucket.bucketKeyEnabled,
          },
        ],
      },
    }),
  );
  return names;
}

/** A key the bucket role may write under (its identity policy allows only canary objects). */
export function canaryKey(w: World, file: string): string {
  return `${w.request.bucket.prefix}${namesFor(w.request.requestId).canaryFileName}/${file}`;
}

/** Lets a target role read its account's CloudTrail (an auditor's permission the deployed key and bucket roles do not need). */
export function trailReader(w: World, role: 'key' | 'bucket' = 'key'): World['key'] {
  const account = role === 'key' ? w.c : w.b;
  const state = w.sandbox.state.roles[`arn:aws:iam::${account}:role/fsx-onboard-${role}`]!;
  state.inlinePolicies['test-cloudtrail-reader'] = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'cloudtrail:LookupEvents', Resource: '*' }],
  };
  return role === 'key' ? w.key : w.bucket;
}

/** Moves the virtual clock past CloudTrail's delivery delay, so LookupEvents sees what happened so far. */
export function awaitDelivery(w: World): void {
  w.sandbox.clock.advance(w.sandbox.sim.cloudTrailDeliveryMs / 1000);
}

/** CreateFileSystem's input for a PERSISTENT_2 file system in the request's subnet and security groups. */
export function persistent2FileSystem(
  w: Pick<Awaited<ReturnType<typeof world>>, 'request'>,
  extra: Partial<CreateFileSystemCommandInput> = {},
): CreateFileSystemCommandInput {
  return {
    FileSystemType: 'LUSTRE',
    StorageCapacity: 1200,
    SubnetIds: w.request.fileSystem.subnetIds,
    SecurityGroupIds: w.request.fileSystem.securityGroupIds,
    LustreConfiguration: { DeploymentType: 'PERSISTENT_2', PerUnitStorageThroughput: 125 },
    ...extra,
  };
}
