// Last forward step: once VerifyExport has proven the export (its evidence keeps what the
// canaries showed), the canaries and the export task's report are deleted. Every file system
// linked to the prefix imports what lands under it, so leaving one pair per onboarding on a
// shared prefix would fill each of them with every other onboarding's test files.
import { requireOutput, stepOutput } from '../../core/step-outputs.js';
import { deleteCanary, deleteEarlierCanaries } from '../shared/test-export-objects.js';
import { baselineOf } from '../shared/run-baseline.js';
import { clientsFor } from '../shared/step-support.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from '../shared/step-deps.js';
import type { RemoveTestExportOutput } from '../../core/step-outputs.js';

export async function removeTestExport(input: StepInput, deps: StepDeps<'s3'>): Promise<RemoveTestExportOutput> {
  const start = requireOutput(input, 'StartTestExport', 'canary', 'RemoveTestExport');
  const { s3 } = clientsFor(input, deps, 'bucket');
  const deletedKeys = await deleteCanary(s3, input.request, start, stepOutput(input, 'StartTestExport')?.taskId);
  const startedAt = baselineOf(input)?.startedAt;
  if (startedAt !== undefined) deletedKeys.push(...(await deleteEarlierCanaries(s3, input.request, input.context.names, startedAt)));
  return { changed: deletedKeys.length > 0, deletedKeys };
}
