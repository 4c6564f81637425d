// Stable error names: the state machine's Retry/Catch match on `name`, ops read them in
// the console, and docs/runbook.md explains each. No AWS SDK import here: workflow/ uses
// these names too.

/** Names of the project's own errors, one per failure a step can report. */
export const ErrorNames = {
  RequestInvalid: 'RequestInvalid',
  KeyNotUsable: 'KeyNotUsable',
  ResourceConflict: 'ResourceConflict',
  PrincipalNotYetPropagated: 'PrincipalNotYetPropagated',
  FileSystemFailed: 'FileSystemFailed',
  DataRepositoryAssociationFailed: 'DataRepositoryAssociationFailed',
  PollTimedOut: 'PollTimedOut',
  ServiceLinkedRoleInvalid: 'ServiceLinkedRoleInvalid',
  ExportNotLanded: 'ExportNotLanded',
  ExportTaskFailed: 'ExportTaskFailed',
  DecryptFailed: 'DecryptFailed',
  CanaryNotImported: 'CanaryNotImported',
  ClientCommandFailed: 'ClientCommandFailed',
  ChangeRecordMissing: 'ChangeRecordMissing',
} as const;
export type ErrorName = (typeof ErrorNames)[keyof typeof ErrorNames];

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

/** Base of every error a step throws on purpose: a stable `name` and the underlying cause. */
export class OnboardingError extends Error {
  override readonly name: ErrorName;

  constructor(name: ErrorName, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = name;
  }
}

export const isOnboardingError = (e: unknown): e is OnboardingError => e instanceof OnboardingError;

/** The `name` of any thrown value (SDK exceptions keep their modeled name). */
export function errorName(e: unknown): string {
  return e instanceof Error ? e.name : typeof e;
}
