// `fsx-onboard plan`: reads the current documents through the same clients the steps use and
// computes, with the same pure functions the steps build their documents with, what each step
// would change, then runs the preflight checks on the planned documents. It only reads
// (current.ts): no Put*, Create* or Delete* call is made anywhere.
import { partitionOf } from '../../../core/partition.js';
import { canaryFor } from '../../../core/canary.js';
import { ErrorNames, OnboardingError } from '../../../core/errors.js';
import { serviceLinkedRoleArn } from '../../../core/naming.js';
import type { OnboardingRequest } from '../../../core/request.js';
import type { OnboardingContext, StepInput } from '../../../core/step-io.js';
import { linkInput } from '../per-repository.js';
import {
  BUCKET_POLICY_MAX_BYTES,
  bucketStatements,
  containsStatements,
  emptyPolicy,
  KEY_POLICY_MAX_BYTES,
  keyStatements,
  keyStatementSids,
  mergeStatements,
  policyBytes,
} from '../../../policy/documents.js';
import type { PolicyDocument, PolicyStatement } from '../../../policy/types.js';
import { encryptionChange } from '../../validate-request/bucket-checks.js';
import { contextFor } from '../../validate-request/validate-request.js';
import { createAssociationInput } from '../associations.js';
import type { ClientFactory } from '../clients.js';
import { bucketKeyFor, describeEncryption, encryptionFor } from '../encryption.js';
import { createFileSystemInput } from '../file-systems.js';
import { grantedKeyArns, grantInput } from '../grants.js';
import { overlapMessage, overlappingAssociation } from './association-paths.js';
import { publicAccessCheck, sizeCheck } from './policy-checks.js';
import { stalePrincipalsCheck } from './principals.js';
import { plannedGrant, slrBucketAccessCheck, slrKeyAccessCheck } from './slr-access.js';
import { readCurrent } from './current.js';
import { targetRoleCheck } from './target-roles.js';
import type { ChangeAction, CheckResult, PlannedChange } from './types.js';

export interface OnboardingPlan {
  changes: PlannedChange[];
  checks: CheckResult[];
}

/** A file system id of the shape FSx assigns, standing for the one CreateFileSystem will return. */
const PLANNED_FILE_SYSTEM_ID = 'fs-xxxxxxxxxxxxxxxxx';

/** This request's statements as they are in `document` (by Sid), or null when none are. */
function ourStatements(document: PolicyDocument | null | undefined, sids: string[]): PolicyStatement[] | null {
  const found = (document?.Statement ?? []).filter((s) => s.Sid !== undefined && sids.includes(s.Sid));
  return found.length ? found : null;
}

function statementAction(current: PolicyDocument | null | undefined, ours: PolicyStatement[]): ChangeAction {
  if (current && containsStatements(current, ours)) return 'none';
  return ourStatements(
    current,
    ours.map((s) => s.Sid!),
  )
    ? 'update'
    : 'create';
}

/**
 * The plan of every repository's link (each on its own view, as the per-repository steps act),
 * the file system's changes and checks once.
 */
export async function planOnboarding(request: OnboardingRequest, factory: ClientFactory): Promise<OnboardingPlan> {
  const context = contextFor(request, factory);
  if (request.repositories.length <= 1) return planLink(request, context, factory);
  const plans: OnboardingPlan[] = [];
  for (const index of request.repositories.keys()) {
    const link = linkInput({ request, context, steps: {} }, index);
    plans.push(await planLink(link.request, link.context, factory));
  }
  const once = <T>(items: T[]) => items.filter((item, i) => items.findIndex((other) => JSON.stringify(other) === JSON.stringify(item)) === i);
  return { changes: once(plans.flatMap((p) => p.changes)), checks: once(plans.flatMap((p) => p.checks)) };
}

async function planLink(request: OnboardingRequest, context: OnboardingContext, factory: ClientFactory): Promise<OnboardingPlan> {
  const { names, accounts } = context;
  const checks: CheckResult[] = [];
  const usable = new Set<string>();
  for (const role of ['fileSystem', 'bucket', 'key'] as const) {
    const check = await targetRoleCheck(factory, role, accounts[role]);
    checks.push(check);
    if (check.status !== 'fail') usable.add(role);
  }
  const current = await readCurrent(request, { request, context, steps: {} }, factory, checks, usable);

  // As ValidateRequest does: an absent bucketKeyEnabled takes the bucket's setting, so the key
  // statement's encryption-context condition and the default encryption agree.
  const resolved: OnboardingRequest = { ...request, bucket: { ...request.bucket, bucketKeyEnabled: bucketKeyFor(request, current.encryption ?? null) } };
  const input: StepInput = { request: resolved, context, steps: {} };
  const fileSystemId = current.fileSystem?.FileSystemId;
  const slrArn = serviceLinkedRoleArn(partitionOf(request.region), accounts.fileSystem, fileSystemId ?? PLANNED_FILE_SYSTEM_ID);
  const changes: PlannedChange[] = [];
  const bucket = request.bucket.name;

  // Bucket policy: written first by ARN pattern (the SLR does not exist yet), then narrowed to the SLR.
  const bucketBefore = current.bucketPolicy ?? emptyPolicy();
  const pattern = bucketStatements(resolved, names, {
    kind: 'pattern',
    fileSystemAccountId: accounts.fileSystem,
    fileSystemRoleArn: context.roleArns.fileSystem,
  });
  // Shared statements (bucket.access "file-systems-of-account") keep the pattern: no narrowing.
  const narrowed = context.shared ? [] : bucketStatements(resolved, names, { kind: 'serviceLinkedRole', serviceLinkedRoleArn: slrArn });
  const afterPut = mergeStatements(bucketBefore, pattern);
  const afterNarrow = mergeStatements(afterPut, narrowed);
  const bucketSids = pattern.map((s) => s.Sid!);
  const bucketChange = (step: string, ours: PolicyStatement[], after: PolicyDocument, how: string): PlannedChange => ({
    kind: 'bucketPolicy',
    account: accounts.bucket,
    resource: `arn:aws:s3:::${bucket}`,
    action: current.bucketPolicy === undefined ? 'update' : statementAction(current.bucketPolicy, ours),
    step,
    summary: `${how}: statements ${ours.map((s) => s.Sid).join(', ')}`,
    before: ourStatements(current.bucketPolicy, bucketSids),
    after: ours,
    bytes: policyBytes(after),
    limitBytes: BUCKET_POLICY_MAX_BYTES,
  });
  changes.push(
    bucketChange(
      'PutBucketAccessPolicy',
      pattern,
      afterPut,
      `allow account ${accounts.fileSystem}'s FSx S3-access roles (ARN pattern) and ${context.roleArns.fileSystem}`,
    ),
    ...(narrowed.length
      ? [bucketChange('NarrowBucketPolicy', narrowed, afterNarrow, `narrow to the service-linked role ${slrArn}${fileSystemId ? '' : ' (the id FSx assigns)'}`)]
      : []),
  );

  const keyOurs = keyStatements(resolved, names, context.roleArns.fileSystem);
  const keyAfter = mergeStatements(current.keyPolicy ?? emptyPolicy(), keyOurs);
  changes.push({
    kind: 'keyPolicy',
    account: accounts.key,
    resource: request.key.arn,
    action: current.keyPolicy ? statementAction(current.keyPolicy, keyOurs) : 'update',
    step: 'ShareKey',
    summary: `share the key with account(s) ${[...new Set([accounts.fileSystem, accounts.bucket])].join(', ')} through S3, and let ${context.roleArns.fileSystem} manage the SLR's grant: statements ${keyOurs.map((s) => s.Sid).join(', ')}`,
    before: ourStatements(current.keyPolicy, keyStatementSids(names)),
    after: keyOurs,
    bytes: policyBytes(keyAfter),
    limitBytes: KEY_POLICY_MAX_BYTES,
  });

  const plannedEncryption = encryptionFor(resolved, current.encryption ?? null);
  const encryption = encryptionChange(resolved, names, current.encryption ?? null, plannedEncryption, current.bucketPolicy ?? undefined);
  changes.push({
    kind: 'defaultEncryption',
    account: accounts.bucket,
    resource: `arn:aws:s3:::${bucket}`,
    action: encryption.changes ? 'update' : 'none',
    step: 'SetDefaultEncryption',
    summary: `${describeEncryption(current.encryption ?? null)} → ${describeEncryption(plannedEncryption)}`,
    before: current.encryption ?? null,
    after: plannedEncryption,
    affects: encryption.affects,
  });

  for (const keyArn of grantedKeyArns(request)) {
    const wanted = grantInput(keyArn, slrArn, names.grantName);
    const existing = keyArn === request.key.arn ? current.grants?.find((g) => g.Name === names.grantName && g.GranteePrincipal === slrArn) : undefined;
    changes.push({
      kind: 'grant',
      account: keyArn.split(':')[4]!,
      resource: keyArn,
      action: existing ? 'none' : 'create',
      step: 'CreateGrant',
      summary: `grant ${slrArn} ${wanted.Operations.join(', ')}, created from account ${accounts.fileSystem} by ${context.roleArns.fileSystem}`,
      before: existing ?? null,
      after: wanted,
    });
  }

  const fileSystem = current.fileSystem;
  changes.push({
    kind: 'fileSystem',
    account: accounts.fileSystem,
    resource: fileSystemId ?? `(new ${request.fileSystem.deploymentType} file system)`,
    action: request.fileSystem.existingFileSystemId ? 'adopt' : fileSystem ? 'none' : 'create',
    step: 'CreateFileSystem',
    summary: request.fileSystem.existingFileSystemId
      ? `adopt ${request.fileSystem.existingFileSystemId} (rollback never deletes it)`
      : fileSystem
        ? `${fileSystemId} already exists for this request`
        : `create a ${request.fileSystem.deploymentType} file system of ${request.fileSystem.storageCapacityGiB} GiB in ${request.fileSystem.subnetIds.join(', ')}`,
    before: fileSystem
      ? { FileSystemId: fileSystem.FileSystemId, Lifecycle: fileSystem.Lifecycle, DeploymentType: fileSystem.LustreConfiguration?.DeploymentType }
      : null,
    after: fileSystem ? { FileSystemId: fileSystem.FileSystemId } : createFileSystemInput(input),
  });

  const atPath = current.associations?.find((a) => a.FileSystemPath === request.fileSystem.fileSystemPath && a.Lifecycle !== 'DELETING');
  changes.push({
    kind: 'dataRepositoryAssociation',
    account: accounts.fileSystem,
    resource: atPath?.AssociationId ?? `${fileSystemId ?? PLANNED_FILE_SYSTEM_ID}:${request.fileSystem.fileSystemPath}`,
    action: context.legacyLinked ? 'skip' : atPath ? 'none' : 'create',
    step: 'CreateDataRepositoryAssociation',
    summary: context.legacyLinked
      ? `none: ${request.fileSystem.deploymentType} links the bucket at creation (ImportPath/ExportPath)`
      : `link s3://${bucket}/${request.bucket.prefix} at ${request.fileSystem.fileSystemPath}`,
    before: atPath ? { AssociationId: atPath.AssociationId, DataRepositoryPath: atPath.DataRepositoryPath, Lifecycle: atPath.Lifecycle } : null,
    after: context.legacyLinked ? null : createAssociationInput(input, fileSystemId ?? PLANNED_FILE_SYSTEM_ID, names.dataRepositoryAssociationToken),
  });

  const canary = canaryFor(resolved, names);
  changes.push({
    kind: 'testExport',
    account: accounts.bucket,
    resource: `s3://${bucket}/${canary.directory.s3Prefix}`,
    action: 'create',
    step: 'StartTestExport',
    summary:
      request.testExport.mode === 'lustre-client'
        ? `write ${canary.toS3.clientPath} on ${request.testExport.clientInstanceId} and export it to s3://${bucket}/${canary.toS3.s3Key}; put s3://${bucket}/${canary.fromS3.s3Key} and read it through the mount`
        : `put s3://${bucket}/${canary.fromS3.s3Key}, then run an EXPORT_TO_REPOSITORY task on ${request.fileSystem.fileSystemPath}`,
    before: null,
    after: { mode: request.testExport.mode, objects: [canary.toS3.s3Key, canary.fromS3.s3Key], removedBy: 'CleanUpTestExport on rollback' },
  });

  if (current.publicAccess)
    checks.push(publicAccessCheck([afterPut, afterNarrow], bucket, current.publicAccess, accounts.fileSystem !== request.bucket.accountId));
  if (current.bucketPolicy !== undefined) {
    checks.push(stalePrincipalsCheck('bucket', current.bucketPolicy ?? undefined, bucketSids, 'PutBucketPolicy ("Invalid principal in policy")'));
    checks.push(sizeCheck('bucket', [afterPut, afterNarrow], BUCKET_POLICY_MAX_BYTES));
  }
  if (current.keyPolicy) {
    checks.push(stalePrincipalsCheck('key', current.keyPolicy, keyStatementSids(names), 'PutKeyPolicy (MalformedPolicyDocumentException)'));
    checks.push(sizeCheck('key', [keyAfter], KEY_POLICY_MAX_BYTES));
    const access = {
      request: resolved,
      serviceLinkedRoleArn: slrArn,
      objectKey: canary.toS3.s3Key,
      bucketKeyEnabled: resolved.bucket.bucketKeyEnabled ?? false,
      bucketPolicy: afterNarrow,
      keyPolicy: keyAfter,
      grants: [plannedGrant(request.key.arn, slrArn, names.grantName)],
    };
    checks.push(slrKeyAccessCheck(access));
    if (current.bucketPolicy !== undefined) checks.push(slrBucketAccessCheck(access));
  }
  if (request.fileSystem.existingFileSystemId && !context.legacyLinked && current.associations) {
    const clash = overlappingAssociation(request, current.associations);
    checks.push(
      clash
        ? { name: 'associationPaths', status: 'fail', detail: overlapMessage(request, request.fileSystem.existingFileSystemId, clash) }
        : {
            name: 'associationPaths',
            status: 'pass',
            detail: `${request.fileSystem.fileSystemPath} overlaps none of the ${current.associations.length} association(s) on ${request.fileSystem.existingFileSystemId}`,
          },
    );
  }
  if (request.fileSystem.existingFileSystemId && current.fileSystem === null) {
    checks.push({
      name: 'adoptedFileSystem',
      status: 'fail',
      detail: new OnboardingError(
        ErrorNames.ResourceConflict,
        `fileSystem.existingFileSystemId ${request.fileSystem.existingFileSystemId} does not exist in account ${accounts.fileSystem}`,
      ).message,
    });
  }
  return { changes, checks };
}
