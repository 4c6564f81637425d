// Compensation: removes this request's key statements (key use and grant administration) by
// Sid; every other statement stays.
import { keyStatementSids, mergeStatements, removeStatements, serializePolicy } from '../../policy/documents.js';
import { earlierStatements } from '../shared/run-baseline.js';
import { readKeyPolicy, writeKeyPolicy } from '../shared/key-policy.js';
import { provePolicy, underDocumentLock } from '../shared/shared-document.js';
import { clientsFor } from '../shared/step-support.js';
import { releaseReliance } from '../shared/statement-reliance.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from '../shared/step-deps.js';
import type { UnshareKeyOutput } from '../../core/step-outputs.js';

export function unshareKey(input: StepInput, deps: StepDeps<'kms' | 'dynamodb' | 'ssm'>): Promise<UnshareKeyOutput> {
  return underDocumentLock('UnshareKey', input, deps, () => removeKeyStatements(input, deps));
}

async function removeKeyStatements(input: StepInput, deps: StepDeps<'kms' | 'ssm'>): Promise<UnshareKeyOutput> {
  const { request, context } = input;
  // Shared statements go only with the last onboarding that relies on them.
  if (context.shared) {
    const release = await releaseReliance(deps.clients.orchestrator().ssm, context.shared.key, input);
    if (release.kind === 'kept-for-earlier-run') return { changed: false, removed: 0, keptFor: [request.requestId] };
    if (release.otherReliers.length) return { changed: release.recordDeleted, removed: 0, keptFor: release.otherReliers };
  }
  const { kms } = clientsFor(input, deps, 'key');
  const current = await readKeyPolicy(kms, request.key.arn);
  const sids = keyStatementSids(context.names);
  const { document: without, removed } = removeStatements(current, sids);
  // The statements an earlier execution of this request left are put back exactly as they were.
  const earlier = earlierStatements(input, 'keyStatements');
  const document = earlier.length ? mergeStatements(without, earlier) : without;
  if (removed === 0 || serializePolicy(document) === serializePolicy(current)) return { changed: false, removed: 0 };
  await writeKeyPolicy(kms, request.key.arn, document);
  provePolicy(await readKeyPolicy(kms, request.key.arn), `The key policy of ${request.key.arn}`, {
    present: earlier,
    absentSids: sids.filter((sid) => !earlier.some((s) => s.Sid === sid)),
    before: current,
    ownSids: sids,
  });
  return { changed: true, removed };
}
