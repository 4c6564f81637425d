// The lock code against dynalite, a DynamoDB implementation independent of the sandbox, through
// a real DynamoDBClient over HTTP: the conditional writes mean on it what they mean on the sandbox.
// dynalite does not return the holder's item on a failed condition; the lock does without it.
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, PutItemCommand, type PutItemCommandInput } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorNames } from '../../core/errors.js';
import { acquireLock, releaseLock, withResourceLock, type LockSettings } from '../../lambdas/shared/resource-lock.js';
import { world } from '../sandbox/world.js';

const server = dynalite({ createTableMs: 0, deleteTableMs: 0 });
let dynamodb: DynamoDBClient;
const TABLE = 'fsx-onboard-locks';
let clockMs = Date.parse('2026-03-01T00:00:00Z');

const settings = (): LockSettings => ({ dynamodb, tableName: TABLE, now: () => clockMs, leaseSeconds: 60 });

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  dynamodb = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'dynalite', secretAccessKey: 'dynalite' },
    maxAttempts: 1,
  });
  await dynamodb.send(
    new CreateTableCommand({
      TableName: TABLE,
      AttributeDefinitions: [{ AttributeName: 'resource', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'resource', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
});

afterAll(async () => {
  dynamodb?.destroy();
  await new Promise((resolve) => server.close(resolve));
});

describe('resource lock on dynalite', () => {
  it('acquires a free lock, refuses a second owner with ResourceLocked, and lets the holder acquire again', async () => {
    await acquireLock(settings(), 'bucket-policy:a', 'exec-1#PutBucketAccessPolicy');
    await expect(acquireLock(settings(), 'bucket-policy:a', 'exec-2#PutBucketAccessPolicy')).rejects.toMatchObject({
      name: ErrorNames.ResourceLocked,
      message: expect.stringContaining('bucket-policy:a is being changed by another execution'),
    });
    await expect(acquireLock(settings(), 'bucket-policy:a', 'exec-1#PutBucketAccessPolicy')).resolves.toBeDefined();
  });

  it('lets another owner take the lock once the lease has ended, though the item is still there', async () => {
    await acquireLock(settings(), 'key-policy:b', 'crashed');
    clockMs += 61_000;
    await expect(acquireLock(settings(), 'key-policy:b', 'next')).resolves.toBeDefined();
    // The old holder's late release frees nothing: the lock is the new owner's now.
    await expect(releaseLock(settings(), 'key-policy:b', 'crashed')).resolves.toBe('not-held');
    await expect(acquireLock(settings(), 'key-policy:b', 'third')).rejects.toMatchObject({ name: ErrorNames.ResourceLocked });
  });

  it('releases only for the owner, and always releases after the work, even when it fails', async () => {
    await acquireLock(settings(), 'bucket-encryption:c', 'owner');
    await expect(releaseLock(settings(), 'bucket-encryption:c', 'someone-else')).resolves.toBe('not-held');
    await expect(acquireLock(settings(), 'bucket-encryption:c', 'someone-else')).rejects.toMatchObject({ name: ErrorNames.ResourceLocked });
    await expect(releaseLock(settings(), 'bucket-encryption:c', 'owner')).resolves.toBe('released');
    await expect(withResourceLock(settings(), 'bucket-encryption:c', 'worker', () => Promise.reject(new Error('write failed')))).rejects.toThrow(
      'write failed',
    );
    await expect(acquireLock(settings(), 'bucket-encryption:c', 'after')).resolves.toBeDefined();
  });

  it('serialises concurrent read-modify-writes of one item: 20 increments, none lost', async () => {
    let shared = 0;
    const increment = async (i: number) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await withResourceLock(settings(), 'document:counter', `exec-${i}`, async () => {
            const read = shared;
            await new Promise((resolve) => setTimeout(resolve, 1));
            shared = read + 1;
          });
        } catch (e) {
          if ((e as Error).name !== ErrorNames.ResourceLocked || attempt > 500) throw e;
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      }
    };
    await Promise.all(Array.from({ length: 20 }, (_, i) => increment(i)));
    expect(shared).toBe(20);
  });

  it('answers every condition the sandbox models as the sandbox does (precedence, types, missing attributes)', async () => {
    const w = await world();
    const item = { resource: { S: 'conditions' }, a: { S: 'x' }, n: { N: '10' } };
    const cases: [string, Record<string, string>, PutItemCommandInput['ExpressionAttributeValues']?][] = [
      ['attribute_exists(#a) OR attribute_exists(#b) AND attribute_exists(#c)', { '#a': 'a', '#b': 'b', '#c': 'c' }],
      ['NOT attribute_exists(#a)', { '#a': 'a' }],
      ['NOT (attribute_exists(#b) AND attribute_exists(#a))', { '#a': 'a', '#b': 'b' }],
      ['#n > :v', { '#n': 'n' }, { ':v': { N: '9' } }],
      ['#n = :v', { '#n': 'n' }, { ':v': { S: '10' } }],
      ['#n <> :v', { '#n': 'n' }, { ':v': { S: '10' } }],
      ['#n < :v', { '#n': 'n' }, { ':v': { S: '10' } }],
      ['#m < :v', { '#m': 'missing' }, { ':v': { N: '10' } }],
      ['#m <> :v', { '#m': 'missing' }, { ':v': { N: '10' } }],
      ['#a < :v', { '#a': 'a' }, { ':v': { S: 'y' } }],
    ];
    const answer =
      (client: DynamoDBClient, tableName: string) =>
      async ([ConditionExpression, names, values]: (typeof cases)[number]) => {
        await client.send(new PutItemCommand({ TableName: tableName, Item: item }));
        return client
          .send(
            new PutItemCommand({
              TableName: tableName,
              Item: item,
              ConditionExpression,
              ExpressionAttributeNames: names,
              ...(values ? { ExpressionAttributeValues: values } : {}),
            }),
          )
          .then(
            () => true,
            (e: Error) => e.name,
          );
      };
    const onDynalite: unknown[] = [];
    const onSandbox: unknown[] = [];
    for (const c of cases) {
      onDynalite.push(await answer(dynamodb, TABLE)(c));
      onSandbox.push(await answer(w.orchestrator.dynamodb, TABLE)(c));
    }
    expect(onSandbox).toEqual(onDynalite);
    expect(onDynalite).toEqual([
      true,
      'ConditionalCheckFailedException',
      true,
      true,
      'ConditionalCheckFailedException',
      true,
      'ConditionalCheckFailedException',
      'ConditionalCheckFailedException',
      true,
      true,
    ]);
  });
});
