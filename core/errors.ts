// Stable error names: the state machine's Retry/Catch match on `name`, ops read them in
// the console, and docs/runbook.md explains each. No AWS SDK import here: workflow/ uses
// these names too.

/** Names of the project's own errors, one per failure a step can report. */
export const ErrorNames = {
  RequestInvalid: 'RequestInvalid',
  KeyNotUsable: 'KeyNotUsable',
  KeyGrantNotAllowed: 'KeyGrantNotAllowed',
  ObjectsUnderUnlistedKey: 'ObjectsUnderUnlistedKey',
  ResourceConflict: 'ResourceConflict',
  /** The bucket or key policy would exceed its size limit with this request's statements (refused before any change). */
  PolicyTooLarge: 'PolicyTooLarge',
  /** The bucket's Block Public Access would refuse (or ignore) its policy, because of a public statement. */
  BucketPolicyPublic: 'BucketPolicyPublic',
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
  PrerequisiteMissing: 'PrerequisiteMissing',
} as const;
export type ErrorName = (typeof ErrorNames)[keyof typeof ErrorNames];

/** Base of every error a step throws on purpose: a stable `name` and the underlying cause. */
export class OnboardingError extends Error {
  override readonly name: ErrorName;

  constructor(name: ErrorName, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = name;
  }
}

/** The `name` of any thrown value (SDK exceptions keep their modeled name). */
export function errorName(e: unknown): string {
  return e instanceof Error ? e.name : typeof e;
}
