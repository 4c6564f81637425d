// The sandbox's DynamoDB: conditional PutItem / DeleteItem on the orchestrator's lock table as
// AWS answers them, and TTL deletion that lags expiry (docs/sandbox.md, "DynamoDB").
import { DeleteItemCommand, PutItemCommand, type PutItemCommandInput } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LOCK_TABLE_NAME } from '../../core/resource-locks.js';
import { TTL_DELETION_LAG_MS } from '../../sandbox/services/dynamodb.js';
import { world } from './world.js';

const TableName = DEFAULT_LOCK_TABLE_NAME;
const epochSeconds = (ms: number) => String(Math.floor(ms / 1000));

/** The lock's acquire: free, expired, or already ours. */
function acquire(resource: string, owner: string, nowMs: number, leaseSeconds = 60): PutItemCommandInput {
  return {
    TableName,
    Item: { resource: { S: resource }, owner: { S: owner }, expiresAt: { N: epochSeconds(nowMs + leaseSeconds * 1000) } },
    ConditionExpression: 'attribute_not_exists(#r) OR #exp < :now OR #owner = :me',
    ExpressionAttributeNames: { '#r': 'resource', '#exp': 'expiresAt', '#owner': 'owner' },
    ExpressionAttributeValues: { ':now': { N: epochSeconds(nowMs) }, ':me': { S: owner } },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

describe('sandbox DynamoDB', () => {
  it('refuses a second conditional PutItem with ConditionalCheckFailedException, returning the item only when asked', async () => {
    const w = await world();
    const { dynamodb } = w.orchestrator;
    const now = w.sandbox.clock.now();
    await dynamodb.send(new PutItemCommand(acquire('bucket-policy:b', 'exec-1', now)));
    const refused = dynamodb.send(new PutItemCommand(acquire('bucket-policy:b', 'exec-2', now)));
    await expect(refused).rejects.toMatchObject({
      name: 'ConditionalCheckFailedException',
      message: 'The conditional request failed',
      $metadata: { httpStatusCode: 400 },
      Item: { owner: { S: 'exec-1' } },
    });
    const { ReturnValuesOnConditionCheckFailure: _, ...withoutItem } = acquire('bucket-policy:b', 'exec-2', now);
    const silent = await dynamodb.send(new PutItemCommand(withoutItem)).catch((e: { Item?: unknown; name: string }) => e);
    expect(silent).toMatchObject({ name: 'ConditionalCheckFailedException' });
    expect((silent as { Item?: unknown }).Item).toBeUndefined();
    // The owner itself may acquire again (a retried step).
    await expect(dynamodb.send(new PutItemCommand(acquire('bucket-policy:b', 'exec-1', now)))).resolves.toBeDefined();
  });

  it('keeps an expired item until TTL sweeps it days later: conditions still see it, and only the expiry comparison frees it', async () => {
    const w = await world();
    const { dynamodb } = w.orchestrator;
    await dynamodb.send(new PutItemCommand(acquire('key-policy:k', 'crashed', w.sandbox.clock.now(), 60)));
    w.sandbox.clock.advance(120);
    const table = Object.values(w.sandbox.state.tables!)[0]!;
    const put = (condition: string) =>
      dynamodb.send(
        new PutItemCommand({
          TableName,
          Item: { resource: { S: 'key-policy:k' }, owner: { S: 'probe' } },
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#r': 'resource' },
        }),
      );
    // Past its expiry the item lingers: attribute_not_exists alone does not free the lock.
    await expect(put('attribute_not_exists(#r)')).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    expect(table.items['key-policy:k']?.['owner']).toEqual({ S: 'crashed' });
    await expect(dynamodb.send(new PutItemCommand(acquire('key-policy:k', 'next', w.sandbox.clock.now())))).resolves.toBeDefined();
    // TTL's own deletion comes only after the lag.
    w.sandbox.clock.advance(TTL_DELETION_LAG_MS / 1000 + 120);
    await dynamodb.send(new DeleteItemCommand({ TableName, Key: { resource: { S: 'other' } } }));
    expect(table.items['key-policy:k']).toBeUndefined();
  });

  it('deletes an item only when the delete condition holds', async () => {
    const w = await world();
    const { dynamodb } = w.orchestrator;
    await dynamodb.send(new PutItemCommand(acquire('bucket-encryption:b', 'exec-1', w.sandbox.clock.now())));
    const release = (owner: string) =>
      new DeleteItemCommand({
        TableName,
        Key: { resource: { S: 'bucket-encryption:b' } },
        ConditionExpression: '#owner = :me',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':me': { S: owner } },
      });
    await expect(dynamodb.send(release('exec-2'))).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    await dynamodb.send(release('exec-1'));
    // Gone: the same condition now fails on the missing item.
    await expect(dynamodb.send(release('exec-1'))).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
  });

  it('refuses expression names or values that are undefined or unused, before any change', async () => {
    const w = await world();
    const { dynamodb } = w.orchestrator;
    const base = acquire('r', 'me', w.sandbox.clock.now());
    await expect(dynamodb.send(new PutItemCommand({ ...base, ExpressionAttributeNames: { '#r': 'resource', '#exp': 'expiresAt' } }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('attribute name used in the document path is not defined; attribute name: #owner'),
    });
    await expect(
      dynamodb.send(new PutItemCommand({ ...base, ExpressionAttributeValues: { ...base.ExpressionAttributeValues, ':extra': { S: 'x' } } })),
    ).rejects.toMatchObject({ name: 'ValidationException', message: 'Value provided in ExpressionAttributeValues unused in expressions: keys: {:extra}' });
    await expect(dynamodb.send(new PutItemCommand({ ...base, ExpressionAttributeValues: { ':now': { N: '1' } } }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('attribute value used in expression is not defined; attribute value: :me'),
    });
    expect(Object.values(w.sandbox.state.tables!)[0]!.items).toEqual({});
  });

  it('refuses an item without its key, an unknown table, and a caller whose policy does not allow the write', async () => {
    const w = await world();
    await expect(w.orchestrator.dynamodb.send(new PutItemCommand({ TableName, Item: { owner: { S: 'x' } } }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'One or more parameter values were invalid: Missing the key resource in the item',
    });
    await expect(w.orchestrator.dynamodb.send(new DeleteItemCommand({ TableName, Key: { resource: { S: 'x' }, owner: { S: 'me' } } }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'The provided key element does not match the schema',
    });
    await expect(w.orchestrator.dynamodb.send(new PutItemCommand({ TableName, Item: { resource: { N: '1' } } }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'One or more parameter values were invalid: Type mismatch for key resource expected: S actual: N',
    });
    await expect(
      w.orchestrator.dynamodb.send(new PutItemCommand({ TableName, Item: { resource: { S: 'x' } }, ReturnValuesOnConditionCheckFailure: 'ALL_NEW' as never })),
    ).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining("Value 'ALL_NEW' at 'ReturnValuesOnConditionCheckFailure'") });
    // ReturnValues ALL_OLD: the item replaced (or deleted) comes back as Attributes.
    const replaced = await w.orchestrator.dynamodb.send(
      new PutItemCommand({ TableName, Item: { resource: { S: 'x' }, v: { N: '2' } }, ReturnValues: 'ALL_OLD' }),
    );
    expect(replaced.Attributes).toBeUndefined();
    const again = await w.orchestrator.dynamodb.send(new DeleteItemCommand({ TableName, Key: { resource: { S: 'x' } }, ReturnValues: 'ALL_OLD' }));
    expect(again.Attributes).toEqual({ resource: { S: 'x' }, v: { N: '2' } });
    // Authorization comes first: a table the policy does not name is AccessDenied, even when absent.
    await expect(w.orchestrator.dynamodb.send(new PutItemCommand({ TableName: 'no-such-table', Item: { resource: { S: 'x' } } }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    w.sandbox.state.tables = {};
    await expect(w.orchestrator.dynamodb.send(new PutItemCommand({ TableName, Item: { resource: { S: 'x' } } }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Requested resource not found',
    });
    // The bucket role (account B) has no DynamoDB permission at all.
    await expect(w.bucket.dynamodb.send(new PutItemCommand({ TableName, Item: { resource: { S: 'x' } } }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('throttles with ProvisionedThroughputExceededException when transient faults are injected', async () => {
    const w = await world();
    w.sandbox.sim.faults = { transientRate: 1, seed: 7 };
    await expect(w.orchestrator.dynamodb.send(new PutItemCommand(acquire('r', 'me', w.sandbox.clock.now())))).rejects.toMatchObject({
      name: 'ProvisionedThroughputExceededException',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('evaluates conditions with AND before OR, NOT, numbers as numbers, and no comparison across types', async () => {
    const w = await world();
    const { dynamodb } = w.orchestrator;
    await dynamodb.send(new PutItemCommand({ TableName, Item: { resource: { S: 'c' }, a: { S: 'x' }, n: { N: '10' } } }));
    const holds = (ConditionExpression: string, names: Record<string, string>, values?: Record<string, { S: string } | { N: string }>) =>
      dynamodb
        .send(
          new PutItemCommand({
            TableName,
            Item: { resource: { S: 'c' }, a: { S: 'x' }, n: { N: '10' } },
            ConditionExpression,
            ExpressionAttributeNames: names,
            ...(values ? { ExpressionAttributeValues: values } : {}),
          }),
        )
        .then(
          () => true,
          (e: Error) => (e.name === 'ConditionalCheckFailedException' ? false : Promise.reject(e)),
        );
    // a OR (b AND c): true because a exists; read left to right it would be false.
    await expect(holds('attribute_exists(#a) OR attribute_exists(#b) AND attribute_exists(#c)', { '#a': 'a', '#b': 'b', '#c': 'c' })).resolves.toBe(true);
    await expect(holds('NOT attribute_exists(#a)', { '#a': 'a' })).resolves.toBe(false);
    await expect(holds('NOT (attribute_exists(#b) AND attribute_exists(#a))', { '#a': 'a', '#b': 'b' })).resolves.toBe(true);
    // 10 > 9 as numbers (as strings "10" < "9").
    await expect(holds('#n > :nine', { '#n': 'n' }, { ':nine': { N: '9' } })).resolves.toBe(true);
    // An S never equals an N, even with the same digits, so they differ; a missing attribute is neither equal nor ordered.
    await expect(holds('#n = :ten', { '#n': 'n' }, { ':ten': { S: '10' } })).resolves.toBe(false);
    await expect(holds('#n <> :ten', { '#n': 'n' }, { ':ten': { S: '10' } })).resolves.toBe(true);
    await expect(holds('#n < :ten', { '#n': 'n' }, { ':ten': { S: '10' } })).resolves.toBe(false);
    await expect(holds('#missing < :ten', { '#missing': 'missing' }, { ':ten': { N: '10' } })).resolves.toBe(false);
    await expect(holds('#missing <> :ten', { '#missing': 'missing' }, { ':ten': { N: '10' } })).resolves.toBe(true);
  });
});
