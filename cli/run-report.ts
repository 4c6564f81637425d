// The result of one local execution, as `run --json` prints it.
import type { OnboardingOutputs } from '../core/step-io.js';

export interface StepRecord {
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

export interface RunMetrics {
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
  steps: StepRecord[];
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
export function encryptionChangeOf(result: Record<string, unknown> | undefined): EncryptionChangeReport | undefined {
  const change = result?.['defaultEncryption'] as (EncryptionChangeReport & { changes?: boolean }) | undefined;
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
  | (EventBase & { kind: 'done'; record: StepRecord; output: Record<string, unknown> | undefined })
  | (EventBase & { kind: 'failed'; error: string; cause: string });

type Results = Record<string, Record<string, unknown> | undefined>;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The identifiers a user needs afterwards, read from the step results. */
export function outputsOf(steps: Results): RunOutputs {
  const outputs: RunOutputs = {};
  const change = encryptionChangeOf(steps['ValidateRequest']);
  if (change) outputs.defaultEncryptionChange = change;
  const fileSystemId = str(steps['CreateFileSystem']?.['fileSystemId']);
  const associationId = str(steps['CreateDataRepositoryAssociation']?.['associationId']);
  const roleArn = str(steps['WaitForServiceLinkedRole']?.['roleArn']);
  const grantId = str(steps['CreateGrant']?.['grantId']);
  if (fileSystemId) outputs.fileSystemId = fileSystemId;
  if (associationId) outputs.dataRepositoryAssociationId = associationId;
  if (roleArn) outputs.serviceLinkedRoleArn = roleArn;
  if (grantId) outputs.grantId = grantId;
  if (steps['VerifyExport']) outputs.exportCheck = steps['VerifyExport'];
  return outputs;
}
