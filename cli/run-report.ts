// The result of one local execution, as `run --json` prints it.
import type { OnboardingOutputs, RepositoryOutputs } from '../core/step-io.js';
import type { OnboardingRequest } from '../core/request.js';
import { beforeAnyChange, Steps, type StepName } from '../workflow/steps.js';
import { stepOutput, type CreateDataRepositoryAssociationOutput, type StepResults, type ValidateRequestReport } from '../core/step-outputs.js';

export interface LocalStepRecord {
  name: string;
  status: 'running' | 'succeeded' | 'failed';
  /** Handler invocations: retries and poll checks included. */
  attempts: number;
  durationMs: number;
  simulatedSeconds: number;
  failures?: number;
  lastError?: string;
  lastCause?: string;
  error?: string;
  cause?: string;
  /** Whether the step changed anything (stepChanged); absent until it has exited once. */
  changed?: boolean | null;
  /** When its first invocation started and its latest ended (the progress lines' clocks). */
  startedAt?: Moment;
  endedAt?: Moment;
}

/** A point in a local run: `performance.now()` and the sandbox's virtual clock, in ms. */
export interface Moment {
  wallMs: number;
  simMs: number;
}

/**
 * Whether a step changed anything in this execution, from what it reports: a step that can
 * change something says `changed` in its output (it reads before it writes and acts only on a
 * difference); ValidateRequest and the polls only read. null when that cannot be told: a step
 * that can change something ended without an output, or reports "no change" after a failed
 * attempt (which may have made the change the retry then found in place).
 */
export function stepChanged(record: Pick<LocalStepRecord, 'name' | 'failures'>, output: Record<string, unknown> | undefined): boolean | null {
  const reported = output?.['changed'];
  const readsOnly = (beforeAnyChange as readonly string[]).includes(record.name) || (record.name in Steps && !!Steps[record.name as StepName].poll);
  if (readsOnly) return reported === true;
  if (typeof reported !== 'boolean') return null;
  return reported === false && (record.failures ?? 0) > 0 ? null : reported;
}

interface RunMetrics {
  stateTransitions: number;
  lambdaInvocations: number;
  awsCalls: number;
  simulatedSeconds: number;
  /** Succeeded runs on the sandbox: what FSx alone spends on this run's file system, associations and export (no orchestration can be faster). */
  floorSeconds?: number;
  wallMs: number;
}

export interface RunReport {
  executionName: string;
  machine: string;
  status: 'SUCCEEDED' | 'FAILED';
  error?: string;
  cause?: string;
  steps: LocalStepRecord[];
  outputs: RunOutputs;
  metrics: RunMetrics;
  finalState: unknown;
}

/** A bucket-wide default-encryption change ValidateRequest reported before it was made. */
export interface EncryptionChangeReport {
  bucket: string;
  before: string;
  after: string;
  affects: string[];
}

export interface RunOutputs extends OnboardingOutputs {
  defaultEncryptionChange?: EncryptionChangeReport;
}

/** The change ValidateRequest reported, when the request changes the bucket's default encryption. */
export function encryptionChangeOf(result: ValidateRequestReport | undefined): EncryptionChangeReport | undefined {
  const change = result?.defaultEncryption;
  return change?.changes ? { bucket: change.bucket, before: change.before, after: change.after, affects: change.affects } : undefined;
}

interface EventBase {
  step: string;
  wallMs: number;
  simulatedSeconds: number;
}

export type RunEvent =
  | (EventBase & { kind: 'entered' })
  | (EventBase & { kind: 'retried'; error: string; cause: string; attempt: number })
  | (EventBase & { kind: 'done'; record: LocalStepRecord; output: Record<string, unknown> | undefined })
  /** A Wait state of the forward path ended, having spent `seconds` of simulated time. */
  | (EventBase & { kind: 'waited'; seconds: number })
  | (EventBase & { kind: 'failed'; error: string; cause: string });

/** A per-repository step's result for each repository (one result stands for one repository). */
function perRepository<T>(result: T | undefined, count: number): (T | undefined)[] {
  const each = (result as { repositories?: T[] } | undefined)?.repositories;
  return Array.from({ length: count }, (_, i) => (Array.isArray(each) ? each[i] : i === 0 ? result : undefined));
}

/** Each repository's link: path, bucket prefix, key, association, grant and export proof. */
function repositoryOutputs(steps: StepResults, request: OnboardingRequest): RepositoryOutputs[] {
  const count = request.repositories.length;
  const input = { steps };
  const associations = perRepository(stepOutput(input, 'CreateDataRepositoryAssociation'), count);
  const grants = perRepository(stepOutput(input, 'CreateGrant'), count);
  const exports = perRepository(stepOutput(input, 'VerifyExport'), count);
  const reports = perRepository(stepOutput(input, 'ValidateRequest'), count);
  return request.repositories.map((r, i) => {
    const encryptionChange = encryptionChangeOf(reports[i]);
    const association = associations[i];
    const associationId = association && hasAssociationId(association) ? association.associationId : undefined;
    const grantId = grants[i]?.grantId;
    const exportCheck = exports[i];
    return {
      fileSystemPath: r.fileSystemPath,
      dataRepositoryPath: `s3://${r.bucket.name}/${r.bucket.prefix}`,
      keyArn: r.key.arn,
      ...(encryptionChange ? { defaultEncryptionChange: encryptionChange } : {}),
      ...(associationId ? { dataRepositoryAssociationId: associationId } : {}),
      ...(grantId ? { grantId } : {}),
      ...(exportCheck ? { exportCheck: withoutRepositories(exportCheck) } : {}),
    };
  });
}

function withoutRepositories(result: object): Record<string, unknown> {
  const { repositories: _repositories, ...own } = result as Record<string, unknown>;
  return own;
}

/** The identifiers a user needs afterwards, read from the step results. */
export function outputsOf(steps: StepResults, request?: OnboardingRequest): RunOutputs {
  const input = { steps };
  const outputs: RunOutputs = {};
  const change = encryptionChangeOf(stepOutput(input, 'ValidateRequest'));
  if (change) outputs.defaultEncryptionChange = change;
  const client = stepOutput(input, 'CheckClientInstance')?.encryptionInTransit;
  if (client) outputs.encryptionInTransit = { ...client };
  const fileSystemId = stepOutput(input, 'CreateFileSystem')?.fileSystemId;
  const association = stepOutput(input, 'CreateDataRepositoryAssociation');
  const associationId = association && hasAssociationId(association) ? association.associationId : undefined;
  const roleArn = stepOutput(input, 'WaitForServiceLinkedRole')?.roleArn;
  const grantId = stepOutput(input, 'CreateGrant')?.grantId;
  const exportCheck = stepOutput(input, 'VerifyExport');
  if (fileSystemId) outputs.fileSystemId = fileSystemId;
  const fileSystemKmsKeyId = stepOutput(input, 'WaitForFileSystem')?.kmsKeyId;
  if (fileSystemKmsKeyId) outputs.fileSystemKmsKeyId = fileSystemKmsKeyId;
  if (associationId) outputs.dataRepositoryAssociationId = associationId;
  if (roleArn) outputs.serviceLinkedRoleArn = roleArn;
  if (grantId) outputs.grantId = grantId;
  if (exportCheck) outputs.exportCheck = withoutRepositories(exportCheck);
  if (request?.repositories) outputs.repositories = repositoryOutputs(steps, request);
  return outputs;
}

function hasAssociationId(output: CreateDataRepositoryAssociationOutput): output is Extract<CreateDataRepositoryAssociationOutput, { associationId: string }> {
  return 'associationId' in output;
}
