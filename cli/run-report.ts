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
  outputs: OnboardingOutputs;
  metrics: RunMetrics;
  finalState: unknown;
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
export function outputsOf(steps: Results): OnboardingOutputs {
  const outputs: OnboardingOutputs = {};
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
