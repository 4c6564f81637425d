// The lock table's contract, shared by the lock code (lambdas/shared/resource-lock.ts), the CDK
// stack that deploys the table and the sandbox that models it. A lock is one item per shared
// document (a bucket policy, a key policy, a bucket's default encryption), keyed by `resource`.

/** The environment variable that names the lock table in a deployed function. */
export const LOCK_TABLE_ENV = 'FSX_ONBOARD_LOCK_TABLE';
/** The table's name where no environment names one (the local runner and its sandbox). */
export const DEFAULT_LOCK_TABLE_NAME = 'fsx-onboard-locks';
/** Partition key (S): which document the item locks. */
export const LOCK_PARTITION_KEY = 'resource';
/** Time to Live attribute (N, epoch seconds): when the lease ends. */
export const LOCK_EXPIRY_ATTRIBUTE = 'expiresAt';
/** Who holds the lock: the execution and state (core: LockOwner). */
export const LOCK_OWNER_ATTRIBUTE = 'owner';
/**
 * How long a lease lasts. A step holds a lock for a few calls (well under a second), but its
 * Lambda may run for up to its timeout (110 s: the 120 s Task less the invoke margin), so the
 * lease is at least that long: a holder that is still running can never lose its lock to
 * another (test/infra/lock-table.test.ts). A crashed holder frees the document after this long.
 */
export const LOCK_LEASE_SECONDS = 120;

/** The documents steps read, change and write whole. */
export type LockedDocument = 'bucket-policy' | 'bucket-encryption' | 'key-policy';

/** The lock item's key for one document: `bucket-policy:arn:aws:s3:::my-bucket`. */
export function lockResourceOf(document: LockedDocument, resourceArn: string): string {
  return `${document}:${resourceArn}`;
}
