// Local execution records: what `run` did, kept so that ops can resume or roll back a run by
// its execution name (the request id), as they would with an execution on AWS.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunReport } from './run-report.js';

export interface ExecutionRecord {
  executionName: string;
  /** The request document exactly as submitted. */
  request: unknown;
  report: PublicReport;
}

type PublicReport = ReturnType<typeof publicReport>;

/** The `--json` document: no internal bookkeeping, times rounded. */
export function publicReport(report: RunReport) {
  const { finalState: _finalState, steps, ...rest } = report;
  return {
    ...rest,
    steps: steps.map(({ name, status, attempts, durationMs, simulatedSeconds, error, cause }) => ({
      name,
      status,
      attempts,
      durationMs: Math.round(durationMs * 10) / 10,
      simulatedSeconds: Math.round(simulatedSeconds * 1000) / 1000,
      ...(error ? { error, cause } : {}),
    })),
  };
}

const recordPath = (stateDir: string, name: string) => join(stateDir, 'executions', `${name}.json`);

export async function saveExecutionRecord(stateDir: string, request: unknown, report: RunReport): Promise<void> {
  await mkdir(join(stateDir, 'executions'), { recursive: true });
  const record: ExecutionRecord = { executionName: report.executionName, request, report: publicReport(report) };
  await writeFile(recordPath(stateDir, report.executionName), JSON.stringify(record, null, 2));
}

export async function loadExecutionRecord(stateDir: string, name: string): Promise<ExecutionRecord | undefined> {
  try {
    return JSON.parse(await readFile(recordPath(stateDir, name), 'utf8')) as ExecutionRecord;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
