// Blog step 2: the key in C is shared with accounts A and B, usable only through S3 in the
// request's region and only for this bucket prefix.
import { containsStatements, keyUseStatement, mergeStatements } from '../../policy/documents.js';
import { readKeyPolicy, writeKeyPolicy } from '../shared/key-policy.js';
import { clientsFor } from '../shared/step-support.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from '../shared/step-deps.js';
import type { ShareKeyOutput } from '../../core/step-outputs.js';

export async function shareKey(input: StepInput, deps: StepDeps): Promise<ShareKeyOutput> {
  const { request, context } = input;
  const { kms } = clientsFor(input, deps, 'key');
  const ours = [keyUseStatement(request, context.names)];
  const current = await readKeyPolicy(kms, request.key.arn);
  if (containsStatements(current, ours)) return { changed: false, sid: context.names.keyUseSid };
  await writeKeyPolicy(kms, request.key.arn, mergeStatements(current, ours));
  return { changed: true, sid: context.names.keyUseSid };
}
