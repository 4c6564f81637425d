// Who relies on a shared statement group (bucket.access "file-systems-of-account"). Each
// onboarding records its reliance in the orchestrator's Parameter Store before it writes the
// shared statements, and a compensation removes them only when, its own record gone, no other
// onboarding's record remains under the group. A record carries the execution that wrote it
// (RunBaseline.runId): a failed re-run leaves an earlier, successful run's reliance in place.
import { paginateGetParametersByPath, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { RELIANCE_RECORD_ROOT, relianceRecordParameter } from '../../core/naming.js';
import type { StepInput } from '../../core/step-io.js';
import { deleteParameterIfPresent, readParameter } from './parameters.js';
import { baselineOf } from './run-baseline.js';
import { isErrorNamed } from './step-support.js';

interface RelianceRecord {
  requestId: string;
  /** The statement group, e.g. "bucket policy of genomics-reference-data". */
  on: string;
  runId?: string;
}

/** How many other reliers a compensation names; one is enough to keep the statements. */
const RELIERS_NAMED = 10;

/** Records, unless already recorded, that this request relies on `piece`. */
export async function recordReliance(ssm: SSMClient, piece: string, input: StepInput, on: string): Promise<boolean> {
  const name = relianceRecordParameter(piece, input.request.requestId);
  if (await readParameter(ssm, name)) return false;
  const runId = baselineOf(input)?.runId;
  const record: RelianceRecord = { requestId: input.request.requestId, on, ...(runId ? { runId } : {}) };
  try {
    await ssm.send(
      new PutParameterCommand({ Name: name, Type: 'String', Value: JSON.stringify(record), Overwrite: false, Description: `fsx-onboard: ${on} relied on` }),
    );
    return true;
  } catch (e) {
    if (isErrorNamed(e, 'ParameterAlreadyExists')) return false;
    throw e;
  }
}

export type Release =
  /** An earlier execution of this request recorded the reliance: it stays, and so do the statements. */
  { kind: 'kept-for-earlier-run' } | { kind: 'released'; recordDeleted: boolean; otherReliers: string[] };

/** Drops this request's reliance on `piece` and says who else still relies on it. */
export async function releaseReliance(ssm: SSMClient, piece: string, input: StepInput): Promise<Release> {
  const name = relianceRecordParameter(piece, input.request.requestId);
  const value = await readParameter(ssm, name);
  const runId = baselineOf(input)?.runId;
  const record = value ? (JSON.parse(value) as RelianceRecord) : undefined;
  if (record && runId && record.runId !== runId) return { kind: 'kept-for-earlier-run' };
  const recordDeleted = record ? await deleteParameterIfPresent(ssm, name) : false;
  return { kind: 'released', recordDeleted, otherReliers: await reliersOf(ssm, piece, input.request.requestId) };
}

async function reliersOf(ssm: SSMClient, piece: string, self: string): Promise<string[]> {
  const reliers: string[] = [];
  for await (const page of paginateGetParametersByPath({ client: ssm, pageSize: 10 }, { Path: `${RELIANCE_RECORD_ROOT}/${piece}` })) {
    for (const p of page.Parameters ?? []) {
      const requestId = p.Name?.slice(p.Name.lastIndexOf('/') + 1);
      if (requestId && requestId !== self) reliers.push(requestId);
    }
    if (reliers.length > 0) break;
  }
  return reliers.slice(0, RELIERS_NAMED);
}
