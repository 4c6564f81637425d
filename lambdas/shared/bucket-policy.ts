// Read-modify-write of a bucket policy that other teams also edit. S3 has no version
// precondition on PutBucketPolicy, so each write is computed from a fresh read, only touches
// this request's Sids, runs under the bucket policy's lock (the calling step takes it) and is
// proven by a re-read.
import { DeleteBucketPolicyCommand, GetBucketPolicyCommand, PutBucketPolicyCommand, type S3Client } from '@aws-sdk/client-s3';
import { assertBucketPolicySize, containsStatements, mergeStatements, parsePolicy, serializePolicy } from '../../policy/documents.js';
import type { PolicyDocument, PolicyStatement } from '../../policy/types.js';
import { ErrorNames, OnboardingError } from '../../core/errors.js';
import { assertPolicyUsable, blockedPublicPolicyError, readPublicAccessBlock } from './public-access.js';
import { provePolicy } from './shared-document.js';
import { isErrorNamed } from './step-support.js';

/** The bucket's policy, or undefined when it has none. */
export async function readBucketPolicy(s3: S3Client, bucket: string): Promise<PolicyDocument | undefined> {
  try {
    const { Policy } = await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }));
    return Policy ? parsePolicy(Policy) : undefined;
  } catch (e) {
    if (isErrorNamed(e, 'NoSuchBucketPolicy')) return undefined;
    throw e;
  }
}

export interface WriteOptions {
  /** A principal this write names for the first time, which IAM may not have propagated yet. */
  newPrincipal?: string;
}

export interface EnsureOptions extends WriteOptions {
  /** Read Block Public Access first and refuse, before any change, a policy it would refuse or ignore. */
  publicAccessCheck?: { crossAccount: boolean };
}

export async function writeBucketPolicy(s3: S3Client, bucket: string, document: PolicyDocument, options: WriteOptions = {}): Promise<void> {
  assertBucketPolicySize(document, bucket);
  try {
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: serializePolicy(document) }));
  } catch (e) {
    const blocked = blockedPublicPolicyError(e, bucket);
    if (blocked) throw blocked;
    if (!(isErrorNamed(e, 'MalformedPolicy') && /invalid principal/i.test((e as Error).message))) throw e;
    // S3 rejects a principal IAM has not propagated yet: worth retrying only when this write
    // names a just-created one (the SLR). Otherwise the invalid principal is in a statement
    // someone else wrote, for a role since deleted, and only they can fix it.
    if (options.newPrincipal) {
      throw new OnboardingError(
        ErrorNames.PrincipalNotYetPropagated,
        `S3 does not know ${options.newPrincipal} yet (IAM propagation): ${(e as Error).message}`,
        { cause: e },
      );
    }
    throw new OnboardingError(
      ErrorNames.ResourceConflict,
      `The bucket policy of ${bucket} names a principal that no longer exists, in a statement this request did not write; S3 refuses every update until it is fixed: ${(e as Error).message}`,
      { cause: e },
    );
  }
}

export async function deleteBucketPolicy(s3: S3Client, bucket: string): Promise<void> {
  await s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
}

/** Puts `ours` into the bucket policy unless an equivalent copy is already there. */
export async function ensureBucketStatements(
  s3: S3Client,
  bucket: string,
  ours: PolicyStatement[],
  options: EnsureOptions = {},
): Promise<{ changed: boolean; statementCount: number }> {
  const current = await readBucketPolicy(s3, bucket);
  const next = mergeStatements(current ?? { Version: '2012-10-17', Statement: [] }, ours);
  if (options.publicAccessCheck) assertPolicyUsable(next, bucket, await readPublicAccessBlock(s3, bucket), options.publicAccessCheck.crossAccount);
  if (current && containsStatements(current, ours)) return { changed: false, statementCount: current.Statement.length };
  await writeBucketPolicy(s3, bucket, next, options);
  const ownSids = ours.flatMap((s) => (s.Sid ? [s.Sid] : []));
  provePolicy(await readBucketPolicy(s3, bucket), `The bucket policy of ${bucket}`, { present: ours, before: current, ownSids });
  return { changed: true, statementCount: next.Statement.length };
}
