// Once the SLR exists, S3 accepts its exact ARN as Principal: this request's statements are
// narrowed from "any FSx SLR of account A" to this file system's SLR (blog step 1).
import { requireOutput } from '../../core/step-outputs.js';
import { bucketStatements } from '../../policy/documents.js';
import { serviceLinkedRoleArnPattern } from '../../core/naming.js';
import { partitionOf } from '../../core/partition.js';
import { ensureBucketStatements, readBucketPolicy } from '../shared/bucket-policy.js';
import { underDocumentLock } from '../shared/shared-document.js';
import { clientsFor } from '../shared/step-support.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from '../shared/step-deps.js';
import type { NarrowBucketPolicyOutput } from '../../core/step-outputs.js';

export function narrowBucketPolicy(input: StepInput, deps: StepDeps<'s3' | 'dynamodb'>): Promise<NarrowBucketPolicyOutput> {
  return underDocumentLock('NarrowBucketPolicy', input, deps, () => narrow(input, deps));
}

async function narrow(input: StepInput, deps: StepDeps<'s3'>): Promise<NarrowBucketPolicyOutput> {
  const { request, context } = input;
  const roleArn = requireOutput(input, 'WaitForServiceLinkedRole', 'roleArn', 'NarrowBucketPolicy');
  // Shared statements match every FSx S3-access role of account A by pattern, and stay so.
  const { s3 } = clientsFor(input, deps, 'bucket');
  if (context.shared) {
    const current = await readBucketPolicy(s3, request.bucket.name);
    return {
      changed: false,
      principal: serviceLinkedRoleArnPattern(partitionOf(request.region), context.accounts.fileSystem),
      statementCount: current?.Statement.length ?? 0,
    };
  }
  const ours = bucketStatements(request, context.names, { kind: 'serviceLinkedRole', serviceLinkedRoleArn: roleArn });
  const result = await ensureBucketStatements(s3, request.bucket.name, ours, { newPrincipal: roleArn });
  return { ...result, principal: roleArn };
}
