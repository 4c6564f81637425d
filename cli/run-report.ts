// The result of one local execution, as `run --json` prints it.
import type { OnboardingOutputs } from '../core/step-io.js';
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
}

interface RunMetrics {
  stateTransitions: number;
  lambdaInvocations: number;
  awsCalls: number;
  simulatedSeconds: number;
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
  | (EventBase & { kind: 'failed'; error: string; cause: string });

/** The identifiers a user needs afterwards, read from the step results. */
export function outputsOf(steps: StepResults): RunOutputs {
  const input = { steps };
  const outputs: RunOutputs = {};
  const change = encryptionChangeOf(stepOutput(input, 'ValidateRequest'));
  if (change) outputs.defaultEncryptionChange = change;
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
  if (exportCheck) outputs.exportCheck = { ...exportCheck };
  return outputs;
}

function hasAssociationId(output: CreateDataRepositoryAssociationOutput): output is Extract<CreateDataRepositoryAssociationOutput, { associationId: string }> {
  return 'associationId' in output;
}
