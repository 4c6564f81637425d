// `fsx-onboard plan`: reads the current documents through the same clients the steps use and
// computes, with the same pure functions the steps build their documents with, what each step
// would change, then runs the preflight checks on the planned documents. It only reads: no
// Put*, Create* or Delete* call is made anywhere.
import { GetBucketLocationCommand, type ServerSideEncryptionConfiguration } from '@aws-sdk/client-s3';
import type { DataRepositoryAssociation, FileSystem } from '@aws-sdk/client-fsx';
import type { GrantListEntry } from '@aws-sdk/client-kms';
import { canaryFor } from '../../../core/canary.js';
import { ErrorNames, OnboardingError } from '../../../core/errors.js';
import { serviceLinkedRoleArn } from '../../../core/naming.js';
import type { OnboardingRequest } from '../../../core/request.js';
import type { StepInput } from '../../../core/step-io.js';
import {
  BUCKET_POLICY_MAX_BYTES,
  bucketStatements,
  containsStatements,
  emptyPolicy,
  KEY_POLICY_MAX_BYTES,
  keyStatements,
  keyGrantSids,
  keyStatementSids,
  mergeStatements,
  policyBytes,
} from '../../../policy/documents.js';
import type { PolicyDocument, PolicyStatement } from '../../../policy/types.js';
import { encryptionChange, refuseUnlistedKeys, sampleObjectEncryption } from '../../validate-request/bucket-checks.js';
import { bucketRegion, contextFor } from '../../validate-request/validate-request.js';
import { createAssociationInput, listAssociations } from '../associations.js';
import { readBucketPolicy } from '../bucket-policy.js';
import type { ClientFactory } from '../clients.js';
import { bucketKeyFor, describeEncryption, encryptionFor, readEncryption } from '../encryption.js';
import { createFileSystemInput, describeFileSystem, findTaggedFileSystems } from '../file-systems.js';
import { grantedKeyArns, grantInput, listGrants } from '../grants.js';
import { readKeyPolicy } from '../key-policy.js';
import { readPublicAccessBlock, type PublicAccessBlock } from '../public-access.js';
import { overlapMessage, overlappingAssociation } from './association-paths.js';
import { clientManagedCheck, encryptionInTransitCheck } from './client-instance.js';
import { fileSystemKeyCheck, keyCheck } from './key-checks.js';
import { networkCheck } from './network.js';
import { publicAccessCheck, sizeCheck } from './policy-checks.js';
import { stalePrincipalsCheck } from './principals.js';
import { plannedGrant, slrBucketAccessCheck, slrKeyAccessCheck } from './slr-access.js';
import { targetRoleCheck } from './target-roles.js';
import type { ChangeAction, CheckResult, PlannedChange } from './types.js';

export interface OnboardingPlan {
  changes: PlannedChange[];
  checks: CheckResult[];
}

/** A file system id of the shape FSx assigns, standing for the one CreateFileSystem will return. */
const PLANNED_FILE_SYSTEM_ID = 'fs-xxxxxxxxxxxxxxxxx';

/** What the plan could read; a read that failed is a failed check and leaves its field undefined. */
interface Current {
  bucketPolicy?: PolicyDocument | null | undefined;
  encryption?: ServerSideEncryptionConfiguration | null | undefined;
  publicAccess?: PublicAccessBlock | undefined;
  keyPolicy?: PolicyDocument | undefined;
  grants?: GrantListEntry[] | undefined;
  fileSystem?: FileSystem | null | undefined;
  associations?: DataRepositoryAssociation[] | undefined;
}

const describeError = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

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

async function readCurrent(request: OnboardingRequest, input: StepInput, factory: ClientFactory, checks: CheckResult[], usable: Set<string>): Promise<Current> {
  const { context } = input;
  const current: Current = {};
  const read = async <T>(role: 'fileSystem' | 'bucket' | 'key', what: string, work: () => Promise<T>): Promise<T | undefined> => {
    if (!usable.has(role)) return undefined;
    try {
      return await work();
    } catch (e) {
      checks.push({ name: `read:${what}`, status: 'fail', detail: `could not read ${what}: ${describeError(e)}` });
      return undefined;
    }
  };
  const { kms } = factory.forTarget('key', context.accounts.key);
  const key = await read('key', 'key', () => keyCheck(kms, request));
  if (key) checks.push(key);
  current.keyPolicy = await read('key', 'key policy', () => readKeyPolicy(kms, request.key.arn));

  const { s3 } = factory.forTarget('bucket', context.accounts.bucket);
  const bucket = request.bucket.name;
  const location = await read('bucket', 'bucket location', () => s3.send(new GetBucketLocationCommand({ Bucket: bucket })));
  if (location) {
    const region = bucketRegion(location.LocationConstraint);
    checks.push(
      region === request.region
        ? { name: 'bucketRegion', status: 'pass', detail: `${bucket} is in ${region}` }
        : { name: 'bucketRegion', status: 'fail', detail: `bucket.name: bucket ${bucket} is in ${region}, not the request region ${request.region}` },
    );
  }
  const bucketPolicy = await read('bucket', 'bucket policy', async () => (await readBucketPolicy(s3, bucket)) ?? null);
  if (bucketPolicy !== undefined) current.bucketPolicy = bucketPolicy;
  const encryption = await read('bucket', 'default encryption', () => readEncryption(s3, bucket));
  if (encryption !== undefined) current.encryption = encryption;
  current.publicAccess = await read('bucket', 'Block Public Access', () => readPublicAccessBlock(s3, bucket));
  const sample = await read('bucket', 'objects under the prefix', () => sampleObjectEncryption(s3, request));
  if (sample) {
    try {
      refuseUnlistedKeys(request, sample);
      checks.push({
        name: 'objectKeys',
        status: 'pass',
        detail: `${sample.checked} sampled object(s) under "${request.bucket.prefix}" use SSE-S3 or a granted key`,
      });
    } catch (e) {
      checks.push({ name: 'objectKeys', status: 'fail', detail: (e as Error).message });
    }
  }

  const { fsx, kms: kmsFromA, ec2, ssm } = factory.forTarget('fileSystem', context.accounts.fileSystem);
  const found = (check: CheckResult | undefined) => check && checks.push(check);
  // An adopted file system already has its network; a new one is refused by FSx without the Lustre ports.
  if (!request.fileSystem.existingFileSystemId) found(await read('fileSystem', 'network', () => networkCheck(ec2, request)));
  // The file system's own key is read through the role of its account (A or C).
  const fileSystemKeyRole = request.fileSystem.kmsKeyArn?.split(':')[4] === context.accounts.fileSystem ? 'fileSystem' : 'key';
  found(await read(fileSystemKeyRole, 'file system key', () => fileSystemKeyCheck(request, context, factory)));
  const instanceId = request.testExport.mode === 'lustre-client' ? request.testExport.clientInstanceId : undefined;
  if (instanceId) {
    found(await read('fileSystem', 'client instance', () => clientManagedCheck(ssm, instanceId)));
    found(await read('fileSystem', 'client instance type', () => encryptionInTransitCheck(ec2, instanceId)));
  }
  const existingId = request.fileSystem.existingFileSystemId;
  const fileSystem = await read('fileSystem', 'file system', async () =>
    existingId
      ? ((await describeFileSystem(fsx, existingId)) ?? null)
      : ((await findTaggedFileSystems(fsx, request.requestId)).find((fs) => fs.Lifecycle !== 'DELETING') ?? null),
  );
  if (fileSystem !== undefined) current.fileSystem = fileSystem;
  if (fileSystem?.FileSystemId) current.associations = await read('fileSystem', 'associations', () => listAssociations(fsx, fileSystem.FileSystemId!));
  // The file-system role may list grants only once ShareKey has written its statement: before
  // that, a denial is expected and there is no grant of this request to find.
  const manageGrants = keyGrantSids(context.names).manageGrants;
  if (current.keyPolicy?.Statement.some((s) => s.Sid === manageGrants))
    current.grants = await read('fileSystem', 'grants', () => listGrants(kmsFromA, request.key.arn));
  return current;
}

export async function planOnboarding(request: OnboardingRequest, factory: ClientFactory): Promise<OnboardingPlan> {
  const context = contextFor(request, factory);
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
  const slrArn = serviceLinkedRoleArn(accounts.fileSystem, fileSystemId ?? PLANNED_FILE_SYSTEM_ID);
  const changes: PlannedChange[] = [];
  const bucket = request.bucket.name;

  // Bucket policy: written first by ARN pattern (the SLR does not exist yet), then narrowed to the SLR.
  const bucketBefore = current.bucketPolicy ?? emptyPolicy();
  const pattern = bucketStatements(resolved, names, {
    kind: 'pattern',
    fileSystemAccountId: accounts.fileSystem,
    fileSystemRoleArn: context.roleArns.fileSystem,
  });
  const narrowed = bucketStatements(resolved, names, { kind: 'serviceLinkedRole', serviceLinkedRoleArn: slrArn });
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
    bucketChange('NarrowBucketPolicy', narrowed, afterNarrow, `narrow to the service-linked role ${slrArn}${fileSystemId ? '' : ' (the id FSx assigns)'}`),
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
