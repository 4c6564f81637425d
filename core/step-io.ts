// What every task receives and what the CLI reads back. The state carries the request, the
// context ValidateRequest derives, and each step's result under `steps.<StateName>`.
import type { OnboardingNames, SharedPieces } from './naming.js';
import type { OnboardingRequest } from './request.js';
import type { EncryptionInTransit, StepResults } from './step-outputs.js';

export type { StepResults } from './step-outputs.js';

/** What differs per repository: its names, and the accounts (and roles) of its bucket and key. */
export interface LinkContext {
  names: OnboardingNames;
  accounts: { bucket: string; key: string };
  roleArns: { bucket: string; key: string };
  /** Sid stems of the statement groups this link shares with others (bucket.access "file-systems-of-account"). */
  shared?: SharedPieces;
}

/**
 * `names`, `accounts` and `roleArns` are the link a step acts on: `repositories[0]`'s in the
 * state, the repository at hand inside a per-repository step (lambdas/shared/per-repository.ts).
 */
export interface OnboardingContext {
  names: OnboardingNames;
  accounts: { fileSystem: string; bucket: string; key: string };
  /** ARNs of the target-account roles the steps act through. */
  roleArns: { fileSystem: string; bucket: string; key: string };
  legacyLinked: boolean;
  /** One per request repository, in order, when the request has several (one repository's is the fields above). */
  repositories?: LinkContext[];
  /** Sid stems of the statement groups the link shares with others (bucket.access "file-systems-of-account"). */
  shared?: SharedPieces;
}

export interface PollInput {
  delaySeconds: number;
  maxAttempts: number;
  /** $$.Execution.RedriveCount: how often the execution was redriven (0 before any), so a redrive gets a new budget. */
  redriveCount?: number;
}

/** Who asks for a lock: the execution ($$.Execution.Id) and the state, as the state machine passes them. */
interface LockInput {
  execution: string;
  state: string;
}

export interface StepInput {
  request: OnboardingRequest;
  context: OnboardingContext;
  steps: StepResults;
  poll?: PollInput;
  /** Set on the steps that edit a shared document under a lock (lambdas/shared/resource-lock.ts). */
  lock?: LockInput;
}

/** One repository's link, as `run --json` reports it under outputs.repositories. */
export interface RepositoryOutputs {
  fileSystemPath: string;
  /** s3://bucket/prefix */
  dataRepositoryPath: string;
  keyArn: string;
  /** This repository's bucket-wide default-encryption change, as outputs.defaultEncryptionChange says it for one. */
  defaultEncryptionChange?: { bucket: string; before: string; after: string; affects: string[] };
  dataRepositoryAssociationId?: string;
  /** The grant on this repository's key for the file system's service-linked role. */
  grantId?: string;
  exportCheck?: Record<string, unknown>;
}

/** The outputs the CLI summarises, read from the step results. */
export interface OnboardingOutputs {
  /** One per repository; the single-link fields below are those of repositories[0]. */
  repositories?: RepositoryOutputs[];
  fileSystemId?: string;
  /** The file system's at-rest key as FSx reports it (DescribeFileSystems KmsKeyId), when it has a customer managed one. */
  fileSystemKmsKeyId?: string;
  dataRepositoryAssociationId?: string;
  serviceLinkedRoleArn?: string;
  grantId?: string;
  exportCheck?: Record<string, unknown>;
  /** The Lustre client's instance type and whether it encrypts in transit (lustre-client mode with an EC2 instance only). */
  encryptionInTransit?: EncryptionInTransit;
}
