// DynamoDB, as far as the resource locks use it: PutItem and DeleteItem on a table with a
// string partition key, with condition expressions (dynamodb-expressions.ts), the
// ConditionalCheckFailedException AWS answers (with the item when asked for it), and Time to
// Live. TTL deletion is a background sweep on AWS that can lag expiry by days, so an expired
// item stays readable and still counts in conditions until it is swept: a lock must compare
// the expiry itself.
import { SimError } from '../errors.js';
import type { Call, Sim } from '../sim.js';
import type { TableState, WorldState } from '../state.js';
import { conditionHolds, type ExpressionInput, type Item } from './dynamodb-expressions.js';
import type { ServiceModel } from './types.js';

/**
 * How long after its TTL an expired item is deleted. AWS deletes "typically within a few days";
 * the sandbox assumption is two days, long enough that code trusting TTL to free a lock fails.
 */
export const TTL_DELETION_LAG_MS = 2 * 86_400_000;

const tableKey = (account: string, region: string, name: string): string => `${account}:${region}:${name}`;

/** Creates the table unless it exists (the world builder's, as a deployed stack's). */
export function ensureTable(state: WorldState, table: Omit<TableState, 'items'>): TableState {
  const tables = (state.tables ??= {});
  const key = tableKey(table.account, table.region, table.name);
  return (tables[key] ??= { ...table, items: {} });
}

interface ItemCall extends ExpressionInput {
  TableName?: string;
  ReturnValues?: string;
  ReturnValuesOnConditionCheckFailure?: string;
}

function tableOf(call: Call<ItemCall>, action: string): TableState {
  const name = String(call.input.TableName ?? '');
  const arn = `arn:aws:dynamodb:${call.region}:${call.caller.account}:table/${name}`;
  call.resources.push({ ARN: arn, accountId: call.caller.account, type: 'AWS::DynamoDB::Table' });
  call.sim.authorize('dynamodb', call.caller, { action, resource: arn, resourceAccount: call.caller.account });
  const table = call.sim.state.tables?.[tableKey(call.caller.account, call.region, name)];
  if (!table) throw new SimError('ResourceNotFoundException', 'Requested resource not found');
  return table;
}

/** The key value of an item or Key map: exactly the partition key, of type S. */
function keyValue(table: TableState, attributes: Item | undefined, what: 'item' | 'key'): string {
  const value = attributes?.[table.partitionKey];
  if (!value) throw new SimError('ValidationException', `One or more parameter values were invalid: Missing the key ${table.partitionKey} in the ${what}`);
  const [type] = Object.keys(value);
  if (type !== 'S')
    throw new SimError(
      'ValidationException',
      `One or more parameter values were invalid: Type mismatch for key ${table.partitionKey} expected: S actual: ${type}`,
    );
  if (what === 'key' && Object.keys(attributes!).length !== 1) throw new SimError('ValidationException', 'The provided key element does not match the schema');
  return String(value['S']);
}

function checkReturnValues(input: ItemCall): void {
  for (const [field, value] of [
    ['ReturnValues', input.ReturnValues],
    ['ReturnValuesOnConditionCheckFailure', input.ReturnValuesOnConditionCheckFailure],
  ] as const) {
    if (value !== undefined && value !== 'NONE' && value !== 'ALL_OLD')
      throw new SimError(
        'ValidationException',
        `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]`,
      );
  }
}

/** Applies the call's condition to the current item; a failed one is AWS's ConditionalCheckFailedException. */
function requireCondition(call: Call<ItemCall>, current: Item | undefined): void {
  if (conditionHolds(call.input, current)) return;
  const withItem = call.input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && current;
  throw new SimError('ConditionalCheckFailedException', 'The conditional request failed', 400, undefined, withItem ? { Item: structuredClone(current) } : {});
}

function answer(input: ItemCall, previous: Item | undefined): Record<string, unknown> {
  return input.ReturnValues === 'ALL_OLD' && previous ? { Attributes: structuredClone(previous) } : {};
}

/** TTL's background deletion: items whose TTL passed more than TTL_DELETION_LAG_MS ago are removed. */
export function sweepExpiredItems(sim: Sim): void {
  for (const table of Object.values(sim.state.tables ?? {})) {
    const ttl = table.ttlAttribute;
    if (!ttl) continue;
    for (const [key, item] of Object.entries(table.items)) {
      // TTL ignores items whose attribute is not a Number (DynamoDB developer guide, "Time to Live").
      const seconds = Number(item[ttl]?.['N']);
      if (Number.isFinite(seconds) && seconds * 1000 + TTL_DELETION_LAG_MS <= sim.now()) delete table.items[key];
    }
  }
}

export const dynamodb: ServiceModel = {
  PutItem(call: Call<ItemCall & { Item?: Item }>) {
    const table = tableOf(call, 'dynamodb:PutItem');
    checkReturnValues(call.input);
    const key = keyValue(table, call.input.Item, 'item');
    const current = table.items[key];
    requireCondition(call, current);
    table.items[key] = structuredClone(call.input.Item!);
    return answer(call.input, current);
  },

  DeleteItem(call: Call<ItemCall & { Key?: Item }>) {
    const table = tableOf(call, 'dynamodb:DeleteItem');
    checkReturnValues(call.input);
    const key = keyValue(table, call.input.Key, 'key');
    const current = table.items[key];
    requireCondition(call, current);
    delete table.items[key];
    return answer(call.input, current);
  },
};
