// First state: checks the raw request against the one schema and, read-only, that the keys
// can serve FSx (key-checks.ts: the bucket's key and the file system's own), that the bucket
// is in the request's region, and what the shared bucket holds (bucket-checks.ts). Returns the
// whole state the later steps receive, with its report under steps.ValidateRequest.
import { GetBucketLocationCommand, type S3Client } from '@aws-sdk/client-s3';
import { ErrorNames, OnboardingError } from '../../core/errors.js';
import { listAssociations } from '../shared/associations.js';
import { readBucketPolicy } from '../shared/bucket-policy.js';
import { readKeyPolicy } from '../shared/key-policy.js';
import { overBudget, projectedPolicySizes, type PolicySize } from '../../policy/size-budget.js';
import { bucketKeyFor, encryptionFor, readEncryption } from '../shared/encryption.js';
import { checkFileSystemKey, describeKey, keyProblems } from './key-checks.js';
import { encryptionChange, refuseUnlistedKeys, sampleObjectEncryption } from './bucket-checks.js';
import { linkNamesFor, sharedPiecesFor, withSharedSids } from '../../core/naming.js';
import { linkRequest } from '../../core/link-request.js';
import { parse as parseArn } from '@aws-sdk/util-arn-parser';
import { readBaseline } from './baseline.js';
import { overlapMessage, overlappingAssociation } from '../shared/preflight/association-paths.js';
import { withRepository } from '../../core/link-request.js';
import { formatProblems, isLegacyLinked, validateRequest, type OnboardingRequest } from '../../core/request.js';
import type { ValidateRequestReport } from '../../core/step-outputs.js';
import { linkInput } from '../shared/per-repository.js';
import type { ClientFactory } from '../shared/clients.js';
import type { LinkContext, OnboardingContext, StepResults } from '../../core/step-io.js';
import type { StepDeps } from '../shared/step-deps.js';

export interface ValidateRequestOutput {
  request: OnboardingRequest;
  context: OnboardingContext;
  steps: StepResults;
}

export interface ValidateRequestInput {
  request: unknown;
  /** The standalone rollback machine validates the schema only: it must run even when AWS checks would fail. */
  mode?: 'rollback';
  /** Rollback machine: undo only the link of the repository at this fileSystemPath (offboard --repository). */
  repository?: string | null;
}

export function contextFor(request: OnboardingRequest, clients: Pick<ClientFactory, 'roleArn'>): OnboardingContext {
  const repositories: LinkContext[] = request.repositories.map((r, i) => {
    const accounts = { bucket: r.bucket.accountId, key: parseArn(r.key.arn).accountId };
    const shared = sharedPiecesFor(linkRequest(request, i), accounts.key);
    return {
      names: withSharedSids(linkNamesFor(request.requestId, i), shared),
      ...(shared ? { shared } : {}),
      accounts,
      roleArns: { bucket: clients.roleArn('bucket', accounts.bucket), key: clients.roleArn('key', accounts.key) },
    };
  });
  const first = repositories[0]!;
  const fileSystem = request.fileSystem.accountId;
  return {
    names: first.names,
    ...(first.shared ? { shared: first.shared } : {}),
    accounts: { fileSystem, ...first.accounts },
    roleArns: { fileSystem: clients.roleArn('fileSystem', fileSystem), ...first.roleArns },
    legacyLinked: isLegacyLinked(request),
    // One repository's context is the fields above, as it always was.
    ...(repositories.length > 1 ? { repositories } : {}),
  };
}

/** S3 reports us-east-1 as no constraint and eu-west-1 by its legacy name "EU". */
export function bucketRegion(locationConstraint: string | undefined): string {
  if (!locationConstraint) return 'us-east-1';
  return locationConstraint === 'EU' ? 'eu-west-1' : locationConstraint;
}

export async function validateRequestStep(input: ValidateRequestInput, deps: StepDeps<'s3' | 'kms' | 'fsx'>): Promise<ValidateRequestOutput> {
  const validation = validateRequest(input.request);
  if (!validation.ok) {
    throw new OnboardingError(ErrorNames.RequestInvalid, formatProblems(validation.problems));
  }
  const request = validation.request;
  const context = contextFor(request, deps.clients);
  if (input.mode === 'rollback')
    return typeof input.repository === 'string' ? oneRepository(request, context, input.repository) : { request, context, steps: {} };

  const links = request.repositories.map((_, i) => linkInput({ request, context, steps: {} }, i));
  for (const link of links) await checkKey(link);
  await checkFileSystemKey(request, context, deps);

  // Each repository's bucket, read-only; an absent bucketKeyEnabled is resolved per bucket.
  let resolved = request;
  const reports: ValidateRequestReport[] = [];
  for (const [i, link] of links.entries()) {
    const { s3 } = deps.clients.forTarget('bucket', link.context.accounts.bucket);
    await refuseOtherRegion(link.request, s3);
    await refuseOverlappingAssociation(link.request, link.context, deps);
    const checked = await checkSharedBucket(link.request, link.context, s3, deps);
    resolved = withRepository(resolved, i, { ...request.repositories[i]!, bucket: checked.bucket });
    reports.push(checked.report);
  }
  return { request: resolved, context, steps: { ValidateRequest: combineReports(reports) } };

  async function checkKey(link: { request: OnboardingRequest; context: OnboardingContext }): Promise<void> {
    const { kms } = deps.clients.forTarget('key', link.context.accounts.key);
    const problems = keyProblems(await describeKey(kms, link.request.key.arn), request.region);
    if (problems.length) {
      throw new OnboardingError(
        ErrorNames.KeyNotUsable,
        `${fieldOf(request, link.request, 'key.arn')}: key ${link.request.key.arn} cannot encrypt the bucket for FSx: ${problems.join('; ')}`,
      );
    }
  }
}

/**
 * The state of one repository's link alone, as a request of that one repository with that
 * link's names: every compensation then undoes that link and nothing of the others.
 */
function oneRepository(request: OnboardingRequest, context: OnboardingContext, fileSystemPath: string): ValidateRequestOutput {
  const index = request.repositories.findIndex((r) => r.fileSystemPath === fileSystemPath);
  if (index < 0) {
    throw new OnboardingError(
      ErrorNames.RequestInvalid,
      `repository: request ${request.requestId} has no repository at fileSystemPath "${fileSystemPath}" (it has ${request.repositories.map((r) => `"${r.fileSystemPath}"`).join(', ')})`,
    );
  }
  const link = linkInput({ request, context, steps: {} }, index);
  const { repositories: _all, ...linkContext } = link.context;
  return { request: { ...link.request, repositories: [request.repositories[index]!] }, context: linkContext, steps: {} };
}

/** How a message names a field of one repository: as the request wrote it. */
function fieldOf(request: OnboardingRequest, link: OnboardingRequest, field: string): string {
  if (request.repositories.length <= 1) return field;
  return `repositories[${request.repositories.findIndex((r) => r.fileSystemPath === link.fileSystem.fileSystemPath)}].${field}`;
}

async function refuseOtherRegion(request: OnboardingRequest, s3: S3Client): Promise<void> {
  const location = await s3.send(new GetBucketLocationCommand({ Bucket: request.bucket.name }));
  const region = bucketRegion(location.LocationConstraint);
  if (region !== request.region) {
    throw new OnboardingError(
      ErrorNames.RequestInvalid,
      `${request.repositories.length > 1 ? 'repositories[].' : ''}bucket.name: bucket ${request.bucket.name} is in ${region}, not the request region ${request.region}`,
    );
  }
}

/** One report of several repositories': the first's fields, each one's under repositories, one runId for the execution. */
function combineReports(reports: ValidateRequestReport[]): ValidateRequestReport {
  const first = reports[0]!;
  if (reports.length === 1) return first;
  const runId = first.baseline?.runId;
  const own = reports.map((r) => (r.baseline && runId ? { ...r, baseline: { ...r.baseline, runId } } : r));
  return { ...own[0]!, repositories: own };
}

/**
 * The bucket is shared: sample the objects under the prefix (refusing a key the SLR will not
 * be granted) and report what the bucket-wide default encryption change means, both before
 * any change. An absent bucketKeyEnabled is resolved here from the bucket, so ShareKey's
 * encryption-context condition and SetDefaultEncryption agree on it.
 */
async function checkSharedBucket(
  request: OnboardingRequest,
  context: OnboardingContext,
  s3: S3Client,
  deps: StepDeps<'s3' | 'kms' | 'fsx'>,
): Promise<{ bucket: OnboardingRequest['bucket']; report: ValidateRequestReport }> {
  const objectSample = await sampleObjectEncryption(s3, request);
  refuseUnlistedKeys(request, objectSample);
  const current = await readEncryption(s3, request.bucket.name);
  const planned = encryptionFor(request, current);
  const bucket = { ...request.bucket, bucketKeyEnabled: bucketKeyFor(request, current) };
  const bucketPolicy = await readBucketPolicy(s3, request.bucket.name);
  const { kms } = deps.clients.forTarget('key', context.accounts.key);
  const keyPolicy = await readKeyPolicy(kms, request.key.arn);
  refuseOverBudget(
    projectedPolicySizes({
      request: { ...request, bucket },
      names: context.names,
      fileSystemAccountId: context.accounts.fileSystem,
      fileSystemRoleArn: context.roleArns.fileSystem,
      bucketPolicy,
      keyPolicy,
    }),
  );
  const defaultEncryption = encryptionChange(request, context.names, current, planned, bucketPolicy);
  const baseline = await readBaseline(request, context, deps, { bucket: bucketPolicy, key: keyPolicy });
  return { bucket, report: { defaultEncryption, objectSample, baseline } };
}

const FIELD_OF: Record<PolicySize['document'], string> = { 'bucket policy': 'bucket.name', 'key policy': 'key.arn' };
const LIMIT_OWNER: Record<PolicySize['document'], string> = { 'bucket policy': 'S3', 'key policy': 'KMS' };

/** Refuses, before any change, a request whose statements would not fit in the bucket or key policy. */
function refuseOverBudget(sizes: PolicySize[]): void {
  const over = overBudget(sizes);
  if (!over.length) return;
  const lines = over.map(
    (s) =>
      `${FIELD_OF[s.document]}: the ${s.document} of ${s.resource} would be ${s.bytesAfter.toLocaleString('en-US')} bytes with this request's statements (${s.bytesBefore.toLocaleString('en-US')} now), over ${LIMIT_OWNER[s.document]}'s limit of ${s.limitBytes.toLocaleString('en-US')} bytes`,
  );
  throw new OnboardingError(
    ErrorNames.PolicyTooLarge,
    `${lines.join('; ')}. Nothing was changed; remove statements that are no longer used from the document and run again.`,
  );
}

/**
 * An adopted file system's other DRAs must not nest in or contain this request's path: FSx would
 * refuse it only after the bucket and key have changed (preflight/association-paths.ts).
 */
async function refuseOverlappingAssociation(request: OnboardingRequest, context: OnboardingContext, deps: StepDeps<'s3' | 'kms' | 'fsx'>): Promise<void> {
  const fileSystemId = request.fileSystem.existingFileSystemId;
  if (!fileSystemId || context.legacyLinked) return;
  const { fsx } = deps.clients.forTarget('fileSystem', context.accounts.fileSystem);
  const clash = overlappingAssociation(request, await listAssociations(fsx, fileSystemId));
  if (clash) throw new OnboardingError(ErrorNames.RequestInvalid, overlapMessage(request, fileSystemId, clash));
}
