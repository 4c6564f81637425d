// A lease lock on one shared document, held in the orchestrator's DynamoDB table. S3 and KMS
// offer no precondition on PutBucketPolicy / PutKeyPolicy / PutBucketEncryption, so two
// executions that read, change and write the same document at once lose one update; each
// such read-modify-write runs inside withResourceLock instead.
//
// Acquire is one conditional PutItem: free, or its lease has ended, or already ours (a retried
// attempt of the same execution and state). The lease is compared here, not left to TTL: TTL
// deletes expired items only days later. Release is a DeleteItem conditional on the owner, so
// a holder whose lease ran out can never free a lock someone else has taken since.
import { randomUUID } from 'node:crypto';
import { DeleteItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ErrorNames, OnboardingError } from '../../core/errors.js';
import {
  DEFAULT_LOCK_TABLE_NAME,
  LOCK_EXPIRY_ATTRIBUTE,
  LOCK_LEASE_SECONDS,
  LOCK_OWNER_ATTRIBUTE,
  LOCK_PARTITION_KEY,
  LOCK_TABLE_ENV,
} from '../../core/resource-locks.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from './step-deps.js';
import { isErrorNamed } from './step-support.js';

export interface LockSettings {
  dynamodb: DynamoDBClient;
  tableName: string;
  /** Epoch ms on the clock the leases are read against. */
  now: () => number;
  leaseSeconds?: number;
}

/** The lock settings of a step: the orchestrator's table (FSX_ONBOARD_LOCK_TABLE), its clock. */
export function lockSettingsFor(deps: StepDeps<'dynamodb'>, env: NodeJS.ProcessEnv = process.env): LockSettings {
  return {
    dynamodb: deps.clients.orchestrator().dynamodb,
    tableName: env[LOCK_TABLE_ENV] || DEFAULT_LOCK_TABLE_NAME,
    now: deps.now ?? Date.now,
  };
}

/**
 * Who holds the lock: the execution and state the state machine passed. A step invoked without
 * them (a test, a direct invocation) is an owner of its own, unique to the invocation.
 */
export function lockOwnerOf(input: StepInput): string {
  return input.lock ? `${input.lock.execution}#${input.lock.state}` : `direct:${input.request.requestId}:${randomUUID()}`;
}

const epochSeconds = (ms: number) => String(Math.floor(ms / 1000));

/** Takes the lock on `resource` for `owner`, or fails with ResourceLocked naming the holder. */
export async function acquireLock(settings: LockSettings, resource: string, owner: string): Promise<{ expiresAtMs: number }> {
  const now = settings.now();
  const expiresAtMs = now + (settings.leaseSeconds ?? LOCK_LEASE_SECONDS) * 1000;
  try {
    await settings.dynamodb.send(
      new PutItemCommand({
        TableName: settings.tableName,
        Item: {
          [LOCK_PARTITION_KEY]: { S: resource },
          [LOCK_OWNER_ATTRIBUTE]: { S: owner },
          [LOCK_EXPIRY_ATTRIBUTE]: { N: epochSeconds(expiresAtMs) },
        },
        ConditionExpression: 'attribute_not_exists(#r) OR #exp < :now OR #owner = :me',
        ExpressionAttributeNames: { '#r': LOCK_PARTITION_KEY, '#exp': LOCK_EXPIRY_ATTRIBUTE, '#owner': LOCK_OWNER_ATTRIBUTE },
        ExpressionAttributeValues: { ':now': { N: epochSeconds(now) }, ':me': { S: owner } },
        // AWS returns the holder's item; not every implementation does (dynalite), so it is optional below.
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
  } catch (e) {
    if (!isErrorNamed(e, 'ConditionalCheckFailedException')) throw e;
    const item = (e as { Item?: Record<string, { S?: string; N?: string }> }).Item;
    const holder = item?.[LOCK_OWNER_ATTRIBUTE]?.S;
    const until = Number(item?.[LOCK_EXPIRY_ATTRIBUTE]?.N);
    throw new OnboardingError(
      ErrorNames.ResourceLocked,
      `${resource} is being changed by ${holder ?? 'another execution'}${Number.isFinite(until) ? ` (lease until ${new Date(until * 1000).toISOString()})` : ''}; nothing was changed, and the state machine retries`,
      { cause: e },
    );
  }
  return { expiresAtMs };
}

/** Frees the lock if `owner` still holds it; 'not-held' when its lease ran out and it was taken (or it was freed) since. */
export async function releaseLock(settings: LockSettings, resource: string, owner: string): Promise<'released' | 'not-held'> {
  try {
    await settings.dynamodb.send(
      new DeleteItemCommand({
        TableName: settings.tableName,
        Key: { [LOCK_PARTITION_KEY]: { S: resource } },
        ConditionExpression: '#owner = :me',
        ExpressionAttributeNames: { '#owner': LOCK_OWNER_ATTRIBUTE },
        ExpressionAttributeValues: { ':me': { S: owner } },
      }),
    );
    return 'released';
  } catch (e) {
    if (isErrorNamed(e, 'ConditionalCheckFailedException')) return 'not-held';
    throw e;
  }
}

/**
 * Runs `work` holding the lock on `resource`, and always releases it. When the release itself
 * fails, the error says so and when the lock frees itself; a failure of `work` stays the error
 * the step reports, with what the lock left behind added to its message.
 */
export async function withResourceLock<T>(settings: LockSettings, resource: string, owner: string, work: () => Promise<T>): Promise<T> {
  const { expiresAtMs } = await acquireLock(settings, resource, owner);
  let result: T;
  try {
    result = await work();
  } catch (e) {
    await releaseLock(settings, resource, owner).catch((releaseError: unknown) => {
      if (e instanceof Error)
        e.message += ` (the lock on ${resource} could not be released: ${String((releaseError as Error)?.message ?? releaseError)}; it frees itself at ${new Date(expiresAtMs).toISOString()})`;
    });
    throw e;
  }
  try {
    await releaseLock(settings, resource, owner);
  } catch (e) {
    if (e instanceof Error)
      e.message = `${resource} was changed, but its lock could not be released: ${e.message}; it frees itself at ${new Date(expiresAtMs).toISOString()}, and a retry finds the change made`;
    throw e;
  }
  return result;
}
