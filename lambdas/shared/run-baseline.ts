// How a compensation tells this execution's work from an earlier run's: ValidateRequest read
// what of the request existed before this execution changed anything (RunBaseline). Without a
// baseline (the standalone rollback machine) everything of the request is undone.
import type { RunBaseline } from '../../core/step-outputs.js';
import type { PolicyStatement } from '../../policy/types.js';
import type { StepInput } from '../../core/step-io.js';
import { stepOutput } from '../../core/step-outputs.js';

export function baselineOf(input: StepInput): RunBaseline | undefined {
  return stepOutput(input, 'ValidateRequest')?.baseline;
}

/** This request's statements in the bucket or key policy as they were before this execution. */
export function earlierStatements(input: StepInput, document: 'bucketStatements' | 'keyStatements'): PolicyStatement[] {
  return (baselineOf(input)?.[document] ?? []) as unknown as PolicyStatement[];
}

/** Whether an earlier execution made this file system, association or grant: this one leaves it. */
export function madeEarlier(input: StepInput, kind: 'fileSystemIds' | 'associationIds' | 'grantIds', id: string): boolean {
  return baselineOf(input)?.[kind].includes(id) ?? false;
}
