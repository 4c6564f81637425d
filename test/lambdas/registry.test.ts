import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DeleteItemCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetKeyPolicyCommand, KMSClient } from '@aws-sdk/client-kms';
import { allStepNames, handlerFolder, rollbackPath, forwardStepNames } from '../../workflow/steps.js';
import { stepHandlers } from '../../lambdas/registry.js';
import { makeLambdaHandler } from '../../lambdas/shared/lambda-entry.js';
import type { StepDeps } from '../../lambdas/shared/step-deps.js';
import type { StepInput } from '../../core/step-io.js';
import { setup } from './fixtures.js';

describe('stepHandlers', () => {
  it('has a handler for every forward step and every compensation', () => {
    expect(Object.keys(stepHandlers).sort()).toEqual([...allStepNames].sort());
    for (const name of [...forwardStepNames, ...rollbackPath]) expect(typeof stepHandlers[name]).toBe('function');
  });

  it('has a Lambda entry per state in lambdas/<kebab-case-name>/handler.ts', async () => {
    for (const name of allStepNames) {
      const folder = handlerFolder(name);
      expect(existsSync(new URL(`../../lambdas/${folder}/handler.ts`, import.meta.url)), folder).toBe(true);
      const entry = (await import(`../../lambdas/${folder}/handler.ts`)) as { handler?: unknown };
      expect(typeof entry.handler, folder).toBe('function');
    }
    expect(handlerFolder('WaitForDataRepositoryAssociationDeletion')).toBe('wait-for-data-repository-association-deletion');
  });
});

describe('makeLambdaHandler', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('passes the event to the step with a client factory built once per region', async () => {
    const seen: unknown[] = [];
    const handler = makeLambdaHandler(async (input: { request: { region: string } }, deps) => {
      seen.push(deps.clients);
      return { region: input.request.region };
    }, {});
    await expect(handler({ request: { region: 'us-east-1' } })).resolves.toEqual({ region: 'us-east-1' });
    await handler({ request: { region: 'us-east-1' } });
    await handler({ request: { region: 'eu-west-1' } });
    expect(seen[0]).toBe(seen[1]);
    expect(seen[2]).not.toBe(seen[0]);
  });

  it('uses the role names from the environment', async () => {
    vi.stubEnv('FSX_ONBOARD_KEY_ROLE_NAME', 'custom-key-role');
    const handler = makeLambdaHandler(async (_input: { request: { region: string } }, deps) => deps.clients.roleArn('key', '333333333333'), {});
    await expect(handler({ request: { region: 'ap-southeast-2' } })).resolves.toBe('arn:aws:iam::333333333333:role/custom-key-role');
  });

  it('builds only the clients the handler lists, and fails loudly on any other', async () => {
    const handler = makeLambdaHandler(
      async (_input: { request: { region: string } }, deps: StepDeps<'kms'>) => {
        const clients = deps.clients.forTarget('key', '333333333333');
        const built = Object.keys(clients);
        const unlisted = (() => {
          try {
            return (clients as unknown as Record<string, unknown>)['s3'];
          } catch (error) {
            return error;
          }
        })();
        return { isKms: clients.kms instanceof KMSClient, built, unlisted };
      },
      { kms: KMSClient },
    );
    const result = await handler({ request: { region: 'us-east-1' } });
    expect(result.isKms).toBe(true);
    expect(result.built).toEqual(['kms']);
    expect(result.unlisted).toBeInstanceOf(Error);
    expect(String(result.unlisted)).toMatch(/The s3 client was not built/);
  });

  it('does not compile a handler that lists fewer clients than its step uses', () => {
    const step = async (_input: StepInput, deps: StepDeps<'kms' | 's3'>) => deps.clients.orchestrator().s3;
    // @ts-expect-error the step uses s3, which the handler does not list
    const handler = makeLambdaHandler(step, { kms: KMSClient });
    expect(typeof handler).toBe('function');
  });

  it('runs a real step end to end through the entry', async () => {
    const kms = mockClient(KMSClient);
    const locks = mockClient(DynamoDBClient);
    kms.on(GetKeyPolicyCommand).resolves({ Policy: JSON.stringify({ Statement: [] }) });
    const { input } = setup();
    const { handler } = await import('../../lambdas/unshare-key/handler.js');
    await expect(handler(input)).resolves.toEqual({ changed: false, removed: 0 });
    // The entry built the step's lock client too: the key policy was read under its lock.
    expect(locks).toHaveReceivedCommandTimes(PutItemCommand, 1);
    expect(locks).toHaveReceivedCommandTimes(DeleteItemCommand, 1);
    kms.restore();
    locks.restore();
  });
});
