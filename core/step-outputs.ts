// One map from state name to what that step writes at `$.steps.<StateName>`. Handlers
// declare their return type from it and later steps read it through `stepOutput` /
// `requireOutput`, so a field renamed in one step fails to compile in its readers.
import type { Canary } from './canary.js';
import { ErrorNames, OnboardingError } from './errors.js';

/** Every poll step's result: the state machine loops until `done`. */
interface PollOutput {
  done: boolean;
  attempts: number;
  /** Seconds the machine waits before the next check (the Wait state's SecondsPath; workflow/poll-schedule.ts). */
  waitSeconds: number;
  /** After a redrive: the redrive these attempts were counted in (lambdas/shared/step-support.ts pollCount). */
  redriveCount?: number;
}

export interface ObjectSample {
  /** Always true: only the first `limit` keys (in S3's key order) are read. */
  sample: true;
  limit: number;
  checked: number;
  /** False when the prefix holds more keys than the sample read. */
  wholePrefix: boolean;
  sseS3: number;
  /** KMS key ARN → number of sampled objects under it, and the first one. */
  kmsKeys: Record<string, { objects: number; example: string }>;
  /** Objects HeadObject could not read (e.g. denied by a bucket policy), with the error name. */
  unchecked: { key: string; error: string }[];
}

export interface EncryptionChange {
  /** False when the bucket's default encryption already is the one this request sets. */
  changes: boolean;
  bucket: string;
  before: string;
  after: string;
  /** Who else writes to the bucket and will from now on need the key (or write SSE-S3 explicitly). */
  affects: string[];
}

/** A policy statement as read (core/ does not know policy/'s types). */
export type StatementSnapshot = { Sid?: string } & Record<string, unknown>;

/**
 * What of this request already existed when this execution began, read by ValidateRequest
 * before any change. A compensation leaves these as they were: a failed re-run undoes only what
 * its own execution changed. It lives in the execution's state, so it survives a step whose
 * Lambda did its work and crashed (the retry finds the work done, and it is not in here).
 * The standalone rollback machine has none: it undoes everything of the request.
 */
export interface RunBaseline {
  /** Random id of this execution, stable across its retries and redrives; marks the records it writes. */
  runId: string;
  /** When ValidateRequest read it (epoch ms, on the clock S3's LastModified is on): what is older was left by earlier executions. */
  startedAt?: number;
  fileSystemIds: string[];
  associationIds: string[];
  /** Those of them FSx reports FAILED: the run deletes and recreates them, and FSx validates S3 access again. */
  failedAssociationIds?: string[];
  grantIds: string[];
  /** This request's bucket and key statements as they were (by Sid), to put back exactly (policy/types.ts PolicyStatement). */
  bucketStatements: StatementSnapshot[];
  keyStatements: StatementSnapshot[];
}

/** The Lustre client's instance type and whether it encrypts its traffic to the file system (NetworkInfo.EncryptionInTransitSupported). */
export interface EncryptionInTransit {
  instanceType: string;
  supported: boolean;
}

/** What ValidateRequest reports under steps.ValidateRequest (its output is the whole state). */
export interface ValidateRequestReport {
  defaultEncryption: EncryptionChange;
  objectSample: ObjectSample;
  /** Absent in the standalone rollback machine. */
  baseline?: RunBaseline;
  /** A request of several repositories: each one's report (the fields above are repositories[0]'s; one runId). */
  repositories?: ValidateRequestReport[];
}

/** CheckClientInstance only reads. */
export interface CheckClientInstanceOutput {
  changed: false;
  /** lustre-client mode with an EC2 client instance; absent in data-repository-task mode (no client) and for a managed instance outside EC2 (mi-…). */
  encryptionInTransit?: EncryptionInTransit;
}

export interface PutBucketAccessPolicyOutput {
  changed: boolean;
  sids: string[];
  statementCount: number;
}

export interface ShareKeyOutput {
  changed: boolean;
  sid: string;
}

export interface SetDefaultEncryptionOutput {
  changed: boolean;
  changeRecordParameter: string;
  /** Whether the bucket had a default encryption configuration before this request. */
  hadPreviousConfiguration: boolean;
}

export interface CreateFileSystemOutput {
  changed: boolean;
  fileSystemId: string;
  /** False when the file system was adopted: rollback never deletes it. */
  created: boolean;
}

export interface WaitForFileSystemOutput extends PollOutput {
  lifecycle: string;
  /** Legacy linked types: DataRepositoryConfiguration.Lifecycle. */
  linkLifecycle?: string;
  misconfiguredChecks?: number;
  dnsName?: string;
  mountName?: string;
  /** KmsKeyId as FSx reports it for a persistent file system created with fileSystem.kmsKeyArn. */
  kmsKeyId?: string;
  /** When a check first found it AVAILABLE (epoch ms on the services' clock): its DRAs start about then. */
  seenAvailableAt?: number;
}

export type CreateDataRepositoryAssociationOutput =
  | { changed: false; skipped: true }
  | {
      changed: boolean;
      associationId: string;
      /** A FAILED association at the path that this run deleted and replaced. */
      replacedFailed?: string;
    };

export interface WaitForDataRepositoryAssociationOutput extends PollOutput {
  lifecycle?: string;
  /** Consecutive checks that found it MISCONFIGURED. */
  misconfiguredChecks?: number;
  failureDetails?: string;
  skipped?: true;
}

export interface WaitForServiceLinkedRoleOutput extends PollOutput {
  roleArn?: string;
}

export interface NarrowBucketPolicyOutput {
  changed: boolean;
  principal: string;
  statementCount: number;
}

export interface KeyGrant {
  keyArn: string;
  changed: boolean;
  grantId: string;
  /** Absent when an earlier run created the grant: ListGrants does not return tokens. */
  grantToken?: string;
}

export interface CreateGrantOutput {
  changed: boolean;
  /** The grant on request.key.arn. */
  grantId: string;
  grantToken?: string;
  granteePrincipal: string;
  /** One per key: request.key.arn first, then bucket.additionalKeyArns. */
  grants: KeyGrant[];
}

export interface StartTestExportOutput {
  changed: boolean;
  mode: 'lustre-client' | 'data-repository-task';
  /** lustre-client: the SSM command that writes and archives the canary (absent when it had already landed). */
  commandId?: string;
  /** data-repository-task: the export task. */
  taskId?: string;
  /** ISO time the export started; VerifyExport searches CloudTrail from here. */
  startedAt: string;
  canary: Canary;
}

/** The S3-side canary read back through the mount. */
export interface CatResult {
  path: string;
  ok: boolean;
  /** The file did not exist after CANARY_IMPORT_CHECKS checks: FSx never imported the S3 object. */
  notImported?: true;
  stdout: string;
  stderr: string;
  responseCode?: number;
}

export type TestExportPhase = 'start' | 'hsm_action' | 'cat';

export interface WaitForTestExportOutput extends PollOutput {
  /** lustre-client: what is being waited for, and the command doing it. */
  phase?: TestExportPhase;
  commandId?: string;
  hsmAction?: string;
  /** cat answers "No such file or directory" so far (the S3-side canary is not imported yet). */
  catNotFound?: number;
  cat?: CatResult;
  /** data-repository-task: the task's lifecycle. */
  lifecycle?: string;
  /** data-repository-task: what the ended task exercised. */
  exported?: { total: number; succeeded: number; failed: number; note?: string };
}

export interface VerifyExportOutput {
  done: true;
  attempts: number;
  changed: false;
  proof: 'export-and-decrypt' | 'analysis';
  evidence: Record<string, unknown>;
}

/** A failure whose CloudTrail evidence has not been delivered yet: check again after the poll's pause. */
export interface VerifyExportWaiting {
  done: false;
  attempts: number;
  waitingFor: string;
}

export interface RevokeGrantOutput {
  changed: boolean;
  revokedGrantIds: string[];
  /** Keys A may not list grants on and where this request cannot have made one. */
  skippedKeyArns?: string[];
}

export interface CleanUpTestExportOutput {
  changed: boolean;
  deletedKeys: string[];
}

/** The canaries and export report RemoveTestExport deleted once the export was proven. */
export type RemoveTestExportOutput = CleanUpTestExportOutput;

export interface RemoveBucketAccessOutput {
  changed: boolean;
  removed: number;
  policyDeleted: boolean;
  /** Shared statements kept: the request ids (at most 10) that still rely on them. */
  keptFor?: string[];
}

export interface DeleteDataRepositoryAssociationOutput {
  changed: boolean;
  /** Associations being deleted (now or by an earlier run); the wait step polls these. */
  associationIds: string[];
}

/** Result of a poll that waits for resources to disappear. */
export interface DeletionPollOutput extends PollOutput {
  remaining: string[];
}

export interface DeleteFileSystemOutput {
  changed: boolean;
  /** The file systems being deleted (now or by an earlier run); the wait step polls these. */
  fileSystemIds: string[];
  /** File systems this request created but kept: they carry other data repository associations. */
  kept?: { fileSystemId: string; associationIds: string[] }[];
  /** File systems an earlier execution of this request created: this execution's rollback keeps them. */
  keptFromEarlierRun?: string[];
}

export interface RestoreDefaultEncryptionOutput {
  changed: boolean;
  restored: boolean;
  /** Why nothing was restored, when nothing was. */
  reason?: string;
  /** Other onboardings (request ids, at most 10) whose default encryption this kept. */
  reliedOnBy?: string[];
}

export interface UnshareKeyOutput {
  changed: boolean;
  removed: number;
  /** Shared statements kept: the request ids (at most 10) that still rely on them. */
  keptFor?: string[];
}

/** What each state writes at `$.steps.<StateName>`. */
export interface StepOutputs {
  ValidateRequest: ValidateRequestReport;
  CheckClientInstance: CheckClientInstanceOutput;
  PutBucketAccessPolicy: PutBucketAccessPolicyOutput;
  ShareKey: ShareKeyOutput;
  SetDefaultEncryption: SetDefaultEncryptionOutput;
  CreateFileSystem: CreateFileSystemOutput;
  WaitForFileSystem: WaitForFileSystemOutput;
  CreateDataRepositoryAssociation: CreateDataRepositoryAssociationOutput;
  WaitForDataRepositoryAssociation: WaitForDataRepositoryAssociationOutput;
  WaitForServiceLinkedRole: WaitForServiceLinkedRoleOutput;
  NarrowBucketPolicy: NarrowBucketPolicyOutput;
  CreateGrant: CreateGrantOutput;
  StartTestExport: StartTestExportOutput;
  WaitForTestExport: WaitForTestExportOutput;
  VerifyExport: VerifyExportOutput | VerifyExportWaiting;
  RevokeGrant: RevokeGrantOutput;
  RemoveTestExport: RemoveTestExportOutput;
  CleanUpTestExport: CleanUpTestExportOutput;
  RemoveBucketAccess: RemoveBucketAccessOutput;
  DeleteDataRepositoryAssociation: DeleteDataRepositoryAssociationOutput;
  WaitForDataRepositoryAssociationDeletion: DeletionPollOutput;
  DeleteFileSystem: DeleteFileSystemOutput;
  WaitForFileSystemDeletion: DeletionPollOutput;
  RestoreDefaultEncryption: RestoreDefaultEncryptionOutput;
  UnshareKey: UnshareKeyOutput;
}

export type OutputStepName = keyof StepOutputs;

/** The results so far, one optional entry per step that has run. */
export type StepResults = { [S in OutputStepName]?: StepOutputs[S] };

type AllKeys<T> = T extends unknown ? keyof T : never;
type FieldOf<T, K extends PropertyKey> = T extends unknown ? (K extends keyof T ? T[K] : never) : never;

/** What `step` wrote, or undefined when it has not run (yet, or in this execution). */
export function stepOutput<S extends OutputStepName>(input: { steps: StepResults }, step: S): StepOutputs[S] | undefined {
  return input.steps[step] as StepOutputs[S] | undefined;
}

/**
 * A field a later step cannot do without. Throws PrerequisiteMissing, naming the field and the
 * step that should have written it, when that step has not run or did not write it.
 */
export function requireOutput<S extends OutputStepName, F extends AllKeys<StepOutputs[S]> & string>(
  input: { steps: StepResults },
  step: S,
  field: F,
  reader: string,
): NonNullable<FieldOf<StepOutputs[S], F>> {
  const output = stepOutput(input, step) as Record<string, unknown> | undefined;
  const value = output?.[field];
  if (value === undefined || value === null) {
    throw new OnboardingError(ErrorNames.PrerequisiteMissing, `${reader} needs ${field} from ${step}, which ${output ? 'did not report it' : 'has not run'}`);
  }
  return value as NonNullable<FieldOf<StepOutputs[S], F>>;
}
