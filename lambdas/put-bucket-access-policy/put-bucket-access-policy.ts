// FSx validates S3 access when a DRA (or a legacy linked file system) is created, with the
// creating role's credentials, and the SLR does not exist yet: so the first bucket statements
// allow account A's FSx SLRs by ARN pattern plus the file-system role (non-public: account A's
// root as Principal, narrowed by aws:PrincipalArn). A re-run whose earlier run already linked the
// bucket keeps that run's statements as they are: widening them again would be a change. An
// earlier run whose association FAILED left no link: the re-run creates a new one, which FSx
// validates with the creating role again, so its statements are widened again (and narrowed after).
import { bucketStatements, containsStatements } from '../../policy/documents.js';
import { ensureBucketStatements, readBucketPolicy } from '../shared/bucket-policy.js';
import { baselineOf, earlierStatements } from '../shared/run-baseline.js';
import { underDocumentLock } from '../shared/shared-document.js';
import { clientsFor } from '../shared/step-support.js';
import { recordReliance } from '../shared/statement-reliance.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from '../shared/step-deps.js';
import type { PutBucketAccessPolicyOutput } from '../../core/step-outputs.js';

/** Whether an earlier execution of this request left its link to the bucket (so FSx will not validate access again). */
function linkedEarlier(input: StepInput): boolean {
  const baseline = baselineOf(input);
  if (!baseline) return false;
  const failed = new Set(baseline.failedAssociationIds ?? []);
  return input.context.legacyLinked ? baseline.fileSystemIds.length > 0 : baseline.associationIds.some((id) => !failed.has(id));
}

export function putBucketAccessPolicy(input: StepInput, deps: StepDeps<'s3' | 'dynamodb' | 'ssm'>): Promise<PutBucketAccessPolicyOutput> {
  return underDocumentLock('PutBucketAccessPolicy', input, deps, () => addStatements(input, deps));
}

async function addStatements(input: StepInput, deps: StepDeps<'s3' | 'ssm'>): Promise<PutBucketAccessPolicyOutput> {
  const { request, context } = input;
  const ours = bucketStatements(request, context.names, {
    kind: 'pattern',
    fileSystemAccountId: context.accounts.fileSystem,
    fileSystemRoleArn: context.roleArns.fileSystem,
  });
  const sids = ours.map((s) => s.Sid!);
  const { s3 } = clientsFor(input, deps, 'bucket');
  const earlier = earlierStatements(input, 'bucketStatements');
  if (linkedEarlier(input) && earlier.length === ours.length) {
    const current = await readBucketPolicy(s3, request.bucket.name);
    if (current && containsStatements(current, earlier)) return { changed: false, sids, statementCount: current.Statement.length };
  }
  // Shared statements: the reliance is recorded first, so no compensation removes them under us.
  const relied = context.shared
    ? await recordReliance(deps.clients.orchestrator().ssm, context.shared.bucket, input, `the bucket policy of ${request.bucket.name}`)
    : false;
  // The first step that touches the bucket: a policy Block Public Access would refuse or ignore
  // (another team's public statement) is refused here, before anything is created.
  const result = await ensureBucketStatements(s3, request.bucket.name, ours, {
    publicAccessCheck: { crossAccount: context.accounts.fileSystem !== request.bucket.accountId },
  });
  return { ...result, changed: result.changed || relied, sids };
}
