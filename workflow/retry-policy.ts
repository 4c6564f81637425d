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
export const transientAwsErrorNames = [
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
] as const;

/** Errors that clear once IAM or KMS has propagated a just-created principal or grant. */
export const propagationErrorNames = ['InvalidArnException', ErrorNames.PrincipalNotYetPropagated] as const;

/** Lambda service errors that AWS recommends retrying on every Lambda task. */
export const lambdaServiceErrorNames = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const;

/**
 * Lambda service errors; throttling and other transient AWS errors, which can outlast the SDK's
 * own 3 attempts per call when another workload shares the quota (KMS: per account and Region):
 * 6 more attempts, 2 s doubling with full jitter and capped at 60 s, wait up to ~2 minutes in all;
 * IAM/KMS propagation; and one more try after a Task timeout, since every step is idempotent.
 */
export function retryPolicy(): AslState[] {
  return [
    { ErrorEquals: [...lambdaServiceErrorNames], IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, JitterStrategy: 'FULL' },
    { ErrorEquals: [...transientAwsErrorNames], IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, MaxDelaySeconds: 60, JitterStrategy: 'FULL' },
    { ErrorEquals: [...propagationErrorNames], IntervalSeconds: 5, MaxAttempts: 8, BackoffRate: 1.5, MaxDelaySeconds: 30 },
    { ErrorEquals: ['States.Timeout'], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2 },
  ];
}
