// Local execution records: what `run` did, kept so that ops can resume or roll back a run by
// its execution name (the request id), as they would with an execution on AWS.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { noteStateFile } from '../sandbox/state-dir.js';
import { localExecutionNameProblem } from './ids.js';
import { stepChanged, type RunReport } from './run-report.js';

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
    steps: steps.map((record) => ({
      name: record.name,
      status: record.status,
      attempts: record.attempts,
      durationMs: Math.round(record.durationMs * 10) / 10,
      simulatedSeconds: Math.round(record.simulatedSeconds * 1000) / 1000,
      // true, false, or null when it cannot be told (docs/json-output.md).
      changed: record.changed ?? stepChanged(record, undefined),
      ...(record.error ? { error: record.error, cause: record.cause } : {}),
    })),
  };
}

function recordPath(stateDir: string, name: string): string {
  // The commands check names first (cli/ids.ts); this keeps any other caller inside the folder too.
  const problem = localExecutionNameProblem(name);
  if (problem) throw new Error(problem.message);
  return join(stateDir, 'executions', `${name}.json`);
}

export async function saveExecutionRecord(stateDir: string, request: unknown, report: RunReport): Promise<void> {
  const path = recordPath(stateDir, report.executionName);
  await noteStateFile(stateDir, join('executions', `${report.executionName}.json`));
  const record: ExecutionRecord = { executionName: report.executionName, request, report: publicReport(report) };
  await writeFile(path, JSON.stringify(record, null, 2));
}

export async function loadExecutionRecord(stateDir: string, name: string): Promise<ExecutionRecord | undefined> {
  try {
    return JSON.parse(await readFile(recordPath(stateDir, name), 'utf8')) as ExecutionRecord;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
