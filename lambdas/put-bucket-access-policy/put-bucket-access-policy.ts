// FSx validates S3 access when a DRA (or a legacy linked file system) is created, with the
// creating role's credentials, and the SLR does not exist yet: so the first bucket statements
// allow account A's FSx SLRs by ARN pattern plus the file-system role (non-public: account A's
// root as Principal, narrowed by aws:PrincipalArn).
import { bucketStatements } from '../../policy/documents.js';
import { ensureBucketStatements } from '../shared/bucket-policy.js';
import { clientsFor } from '../shared/step-support.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from '../shared/step-deps.js';
import type { PutBucketAccessPolicyOutput } from '../../core/step-outputs.js';

export async function putBucketAccessPolicy(input: StepInput, deps: StepDeps<'s3'>): Promise<PutBucketAccessPolicyOutput> {
  const { request, context } = input;
  const ours = bucketStatements(request, context.names, {
    kind: 'pattern',
    fileSystemAccountId: context.accounts.fileSystem,
    fileSystemRoleArn: context.roleArns.fileSystem,
  });
  const { s3 } = clientsFor(input, deps, 'bucket');
  // The first step that touches the bucket: a policy Block Public Access would refuse or ignore
  // (another team's public statement) is refused here, before anything is created.
  const result = await ensureBucketStatements(s3, request.bucket.name, ours, {
    publicAccessCheck: { crossAccount: context.accounts.fileSystem !== request.bucket.accountId },
  });
  return { ...result, sids: ours.map((s) => s.Sid!) };
}
