// Read-only checks of the shared bucket, made before the first change: which keys the objects
// already under the prefix use (a sample), and what switching the bucket-wide default
// encryption to this key means for everyone else who writes to the bucket.
import { HeadObjectCommand, paginateListObjectsV2, type S3Client, type ServerSideEncryptionConfiguration } from '@aws-sdk/client-s3';
import { ErrorNames, errorName, OnboardingError } from '../../core/errors.js';
import type { OnboardingNames } from '../../core/naming.js';
import type { OnboardingRequest } from '../../core/request.js';
import { asList, statementActionMatches } from '../../policy/matching.js';
import type { PolicyDocument } from '../../policy/types.js';
import { describeEncryption, sameEncryption } from '../shared/encryption.js';
import type { EncryptionChange, ObjectSample } from '../../core/step-outputs.js';

/** How many keys of the prefix are checked: a bound on the time and calls, not a proof. */
export const OBJECT_SAMPLE_SIZE = 100;
/** HeadObject calls in flight at once. */
const HEAD_CONCURRENCY = 10;

/** ListObjectsV2 under the prefix (first OBJECT_SAMPLE_SIZE keys), then HeadObject each for its encryption. */
export async function sampleObjectEncryption(s3: S3Client, request: OnboardingRequest, limit = OBJECT_SAMPLE_SIZE): Promise<ObjectSample> {
  const keys: string[] = [];
  let wholePrefix = true;
  const pages = paginateListObjectsV2({ client: s3, pageSize: limit }, { Bucket: request.bucket.name, Prefix: request.bucket.prefix });
  for await (const page of pages) {
    const contents = page.Contents ?? [];
    const room = limit - keys.length;
    for (const object of contents.slice(0, room)) if (object.Key !== undefined) keys.push(object.Key);
    if (keys.length >= limit) {
      wholePrefix = contents.length <= room && !page.IsTruncated;
      break;
    }
  }
  const sample: ObjectSample = { sample: true, limit, checked: 0, wholePrefix, sseS3: 0, kmsKeys: {}, unchecked: [] };
  for (let i = 0; i < keys.length; i += HEAD_CONCURRENCY) {
    const batch = keys.slice(i, i + HEAD_CONCURRENCY);
    const heads = await Promise.allSettled(batch.map((Key) => s3.send(new HeadObjectCommand({ Bucket: request.bucket.name, Key }))));
    heads.forEach((head, j) => {
      const key = batch[j]!;
      if (head.status === 'rejected') {
        sample.unchecked.push({ key, error: errorName(head.reason) });
        return;
      }
      sample.checked++;
      const keyArn = head.value.SSEKMSKeyId;
      // SSE-S3 needs no KMS: the SLR reads those objects with its S3 permissions alone.
      if (!head.value.ServerSideEncryption?.startsWith('aws:kms') || !keyArn) {
        sample.sseS3++;
        return;
      }
      const seen = (sample.kmsKeys[keyArn] ??= { objects: 0, example: key });
      seen.objects++;
    });
  }
  return sample;
}

/** Refuses, before any change, a sampled object under a key the SLR will not be granted. */
export function refuseUnlistedKeys(request: OnboardingRequest, sample: ObjectSample): void {
  const granted = new Set([request.key.arn, ...request.bucket.additionalKeyArns]);
  const unlisted = Object.entries(sample.kmsKeys).filter(([arn]) => !granted.has(arn));
  if (!unlisted.length) return;
  const lines = unlisted.map(([arn, { objects, example }]) => `key ${arn} encrypts ${objects} sampled object(s), e.g. s3://${request.bucket.name}/${example}`);
  throw new OnboardingError(
    ErrorNames.ObjectsUnderUnlistedKey,
    `bucket.additionalKeyArns: ${lines.join('; ')}. The file system's service-linked role would be granted only ${[...granted].join(', ')}, so FSx would read these objects as "No data available". ` +
      `Add the key(s) to bucket.additionalKeyArns (the role is then granted them too), or re-encrypt the objects with key.arn. Sampled the first ${sample.checked} of the keys under "${request.bucket.prefix}"; nothing was changed.`,
  );
}

const WRITE_ACTION = 's3:PutObject';
const MAX_LISTED_WRITERS = 20;

/**
 * Default encryption is bucket-wide: after the switch every other writer's new objects are
 * encrypted with this key, so each of them needs kms:GenerateDataKey on it. Their names come
 * from the bucket policy's other Allow statements that may write; identities of the bucket's
 * own account can also write through their IAM policies, which this role does not read.
 */
export function encryptionChange(
  request: OnboardingRequest,
  names: OnboardingNames,
  current: ServerSideEncryptionConfiguration | null,
  planned: ServerSideEncryptionConfiguration,
  policy: PolicyDocument | undefined,
): EncryptionChange {
  const writers = new Set<string>();
  for (const statement of policy?.Statement ?? []) {
    const ours =
      statement.Sid !== undefined && (statement.Sid.startsWith(names.sid) || [names.bucketAccessSid, names.bucketObjectAccessSid].includes(statement.Sid));
    if (statement.Effect !== 'Allow' || ours || !statementActionMatches(statement, WRITE_ACTION)) continue;
    const principal = statement.Principal;
    const who =
      principal === '*'
        ? [`anyone the conditions of statement ${statement.Sid ?? '(no Sid)'} allow`]
        : [...asList(principal?.AWS), ...asList(principal?.Service), ...asList(principal?.Federated)];
    for (const w of who) writers.add(w);
  }
  const listed = [...writers].slice(0, MAX_LISTED_WRITERS);
  if (writers.size > listed.length) listed.push(`… and ${writers.size - listed.length} more in the bucket policy`);
  listed.push(`identities of account ${request.bucket.accountId} whose IAM policies allow ${WRITE_ACTION} (not read by this tool)`);
  const changes = !sameEncryption(current, planned);
  return { changes, bucket: request.bucket.name, before: describeEncryption(current), after: describeEncryption(planned), affects: changes ? listed : [] };
}
