// Stable error names: the state machine's Retry/Catch match on `name`, ops read them in
// the console, and docs/runbook.md explains each. No AWS SDK import here: workflow/ uses
// these names too.

/** Names of the project's own errors, one per failure a step can report. */
export const ErrorNames = {
  RequestInvalid: 'RequestInvalid',
  KeyNotUsable: 'KeyNotUsable',
  /** testExport.requireEncryptionInTransit, and the client instance's type does not encrypt in transit (or is not an EC2 type). */
  EncryptionInTransitUnsupported: 'EncryptionInTransitUnsupported',
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
  /** Another execution holds the lock on a shared document (bucket policy, key policy, default encryption): retried. */
  ResourceLocked: 'ResourceLocked',
  /** The re-read after a write did not show this step's change and everyone else's: the write is redone (retried). */
  SharedDocumentChanged: 'SharedDocumentChanged',
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
