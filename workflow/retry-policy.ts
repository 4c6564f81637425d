// The one retry policy every Task carries, and the error names it retries. Two layers, as on
// AWS: the SDK's standard retry (3 attempts per call) inside the handler, then this Retry on
// the state. No hand-written backoff loop sits on top of either.
import { ErrorNames } from '../core/errors.js';
import type { AslState } from './asl.js';

/**
 * AWS error names that mean "try again": throttling, server faults, concurrent bucket
 * configuration writes (OperationAborted) and IAM/KMS eventual consistency. The SDK
 * retries some of these itself; the state machine's Retry covers the rest.
 */
const transientAwsErrorNames = [
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalError',
  'InternalFailure',
  'InternalServerError',
  'KMSInternalException',
  'DependencyTimeoutException',
  'OperationAborted',
  'ConcurrentModificationException',
  'ConflictException',
  // DynamoDB's throttling of the lock table (on-demand tables too, above their current peak).
  'ProvisionedThroughputExceededException',
] as const;

/**
 * Another execution holds the lock on the shared document (ResourceLocked), or the re-read after
 * a write did not show it whole (SharedDocumentChanged): both clear once the other writer is
 * done. A holder keeps a lock for well under a second, so the retries start fast: 1 s growing
 * by 1.5 to at most 15 s with full jitter (contenders spread out), 30 attempts, ~6 minutes in
 * all (half that on average with the jitter), which outlasts a crashed holder's 120 s lease.
 */
const lockContentionErrorNames = [ErrorNames.ResourceLocked, ErrorNames.SharedDocumentChanged] as const;

/** Errors that clear once IAM or KMS has propagated a just-created principal or grant. */
export const propagationErrorNames = ['InvalidArnException', ErrorNames.PrincipalNotYetPropagated] as const;

/** Lambda service errors that AWS recommends retrying on every Lambda task. */
const lambdaServiceErrorNames = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const;

/**
 * How Step Functions reports an attempt whose result never came back, though the handler may
 * have done its work: the function ran out of time (`Sandbox.Timedout`, the errorType Lambda
 * gives a timed-out invocation; `Lambda.Unknown` where Lambda gives none, as after a crash or
 * an out-of-memory kill), the Invoke call itself timed out on the client side
 * (`Lambda.ClientExecutionTimeoutException`), or the state's TimeoutSeconds passed
 * (`States.Timeout`, an Invoke stuck beyond the function's timeout). Retrying them is safe
 * because every step is idempotent: it reads before it writes, acts only on a difference and
 * finds its earlier work by the request's Sids, grant name, client token and tags.
 */
export const interruptedAttemptErrorNames = ['Sandbox.Timedout', 'Lambda.Unknown', 'Lambda.ClientExecutionTimeoutException', 'States.Timeout'] as const;

/** Retries of an interrupted attempt: each costs up to a whole Task timeout, so few. */
const INTERRUPTED_ATTEMPT_RETRIES = 2;

/**
 * Lambda service errors; throttling and other transient AWS errors, which can outlast the SDK's
 * own 3 attempts per call when another workload shares the quota (KMS: per account and Region):
 * 6 more attempts, 2 s doubling with full jitter and capped at 60 s, wait up to ~2 minutes in all;
 * IAM/KMS propagation; a shared document's lock held by another execution; and two more tries after an interrupted attempt (see above).
 */
export function retryPolicy(): AslState[] {
  return [
    { ErrorEquals: [...lambdaServiceErrorNames], IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, JitterStrategy: 'FULL' },
    { ErrorEquals: [...transientAwsErrorNames], IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, MaxDelaySeconds: 60, JitterStrategy: 'FULL' },
    { ErrorEquals: [...propagationErrorNames], IntervalSeconds: 5, MaxAttempts: 8, BackoffRate: 1.5, MaxDelaySeconds: 30 },
    { ErrorEquals: [...lockContentionErrorNames], IntervalSeconds: 1, MaxAttempts: 30, BackoffRate: 1.5, MaxDelaySeconds: 15, JitterStrategy: 'FULL' },
    { ErrorEquals: [...interruptedAttemptErrorNames], IntervalSeconds: 2, MaxAttempts: INTERRUPTED_ATTEMPT_RETRIES, BackoffRate: 2 },
  ];
}
