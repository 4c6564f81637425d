// What `fsx-onboard plan` reads before it plans: every document and resource the steps would
// change, and the checks that need a read of their own (key, region, objects, network, client).
// A read that fails is a failed check, and leaves its field undefined.
import { GetBucketLocationCommand, type ServerSideEncryptionConfiguration } from '@aws-sdk/client-s3';
import type { DataRepositoryAssociation, FileSystem } from '@aws-sdk/client-fsx';
import type { GrantListEntry } from '@aws-sdk/client-kms';
import type { OnboardingRequest } from '../../../core/request.js';
import type { StepInput } from '../../../core/step-io.js';
import { keyGrantSids } from '../../../policy/documents.js';
import type { PolicyDocument } from '../../../policy/types.js';
import { refuseUnlistedKeys, sampleObjectEncryption } from '../../validate-request/bucket-checks.js';
import { bucketRegion } from '../../validate-request/validate-request.js';
import { listAssociations } from '../associations.js';
import { readBucketPolicy } from '../bucket-policy.js';
import type { ClientFactory } from '../clients.js';
import { readEncryption } from '../encryption.js';
import { describeFileSystem, findTaggedFileSystems } from '../file-systems.js';
import { listGrants } from '../grants.js';
import { readKeyPolicy } from '../key-policy.js';
import { readPublicAccessBlock, type PublicAccessBlock } from '../public-access.js';
import { clientManagedCheck, encryptionInTransitCheck } from './client-instance.js';
import { fileSystemKeyCheck, keyCheck } from './key-checks.js';
import { networkCheck } from './network.js';
import type { CheckResult } from './types.js';

/** What the plan could read; a read that failed is a failed check and leaves its field undefined. */
export interface Current {
  bucketPolicy?: PolicyDocument | null | undefined;
  encryption?: ServerSideEncryptionConfiguration | null | undefined;
  publicAccess?: PublicAccessBlock | undefined;
  keyPolicy?: PolicyDocument | undefined;
  grants?: GrantListEntry[] | undefined;
  fileSystem?: FileSystem | null | undefined;
  associations?: DataRepositoryAssociation[] | undefined;
}

const describeError = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

export async function readCurrent(
  request: OnboardingRequest,
  input: StepInput,
  factory: ClientFactory,
  checks: CheckResult[],
  usable: Set<string>,
): Promise<Current> {
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
    found(await read('fileSystem', 'client instance type', () => encryptionInTransitCheck(ec2, request, instanceId)));
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
