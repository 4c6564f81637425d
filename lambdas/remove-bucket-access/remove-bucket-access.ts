// Compensation: removes this request's statements by Sid and nothing else, or puts back the
// form an earlier execution of the request left (lambdas/shared/run-baseline.ts). S3 refuses an
// empty Statement list, so the policy is deleted when ours were the only statements.
import { mergeStatements, removeStatements, serializePolicy } from '../../policy/documents.js';
import { earlierStatements } from '../shared/run-baseline.js';
import { deleteBucketPolicy, readBucketPolicy, writeBucketPolicy } from '../shared/bucket-policy.js';
import { provePolicy, underDocumentLock } from '../shared/shared-document.js';
import { clientsFor } from '../shared/step-support.js';
import { releaseReliance } from '../shared/statement-reliance.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from '../shared/step-deps.js';
import type { RemoveBucketAccessOutput } from '../../core/step-outputs.js';

export function removeBucketAccess(input: StepInput, deps: StepDeps<'s3' | 'dynamodb' | 'ssm'>): Promise<RemoveBucketAccessOutput> {
  return underDocumentLock('RemoveBucketAccess', input, deps, () => removeStatementsOf(input, deps));
}

async function removeStatementsOf(input: StepInput, deps: StepDeps<'s3' | 'ssm'>): Promise<RemoveBucketAccessOutput> {
  const { request, context } = input;
  // Shared statements go only with the last onboarding that relies on them.
  if (context.shared) {
    const release = await releaseReliance(deps.clients.orchestrator().ssm, context.shared.bucket, input);
    if (release.kind === 'kept-for-earlier-run') return { changed: false, removed: 0, policyDeleted: false, keptFor: [request.requestId] };
    if (release.otherReliers.length) return { changed: release.recordDeleted, removed: 0, policyDeleted: false, keptFor: release.otherReliers };
  }
  const { s3 } = clientsFor(input, deps, 'bucket');
  const current = await readBucketPolicy(s3, request.bucket.name);
  if (!current) return { changed: false, removed: 0, policyDeleted: false };
  const { document: without, removed } = removeStatements(current, [context.names.bucketAccessSid, context.names.bucketObjectAccessSid]);
  // The statements as they were before this execution (an earlier run's) are put back exactly.
  const earlier = earlierStatements(input, 'bucketStatements');
  const document = earlier.length ? mergeStatements(without, earlier) : without;
  if (removed === 0 || serializePolicy(document) === serializePolicy(current)) return { changed: false, removed: 0, policyDeleted: false };
  const sids = [context.names.bucketAccessSid, context.names.bucketObjectAccessSid];
  const policyDeleted = document.Statement.length === 0;
  if (policyDeleted) await deleteBucketPolicy(s3, request.bucket.name);
  else await writeBucketPolicy(s3, request.bucket.name, document);
  // Ours gone (or back as the earlier run left them), everyone else's still there.
  provePolicy(await readBucketPolicy(s3, request.bucket.name), `The bucket policy of ${request.bucket.name}`, {
    present: earlier,
    absentSids: sids.filter((sid) => !earlier.some((s) => s.Sid === sid)),
    before: current,
    ownSids: sids,
  });
  return { changed: true, removed, policyDeleted };
}
