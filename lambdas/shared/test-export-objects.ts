// The objects a test export leaves in the bucket: the canary of each direction and, for an
// export task, its completion report. Objects that are not there are skipped, so a second
// deletion sends no delete.
import { DeleteObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import type { Canary } from '../../core/canary.js';
import type { OnboardingNames } from '../../core/naming.js';
import type { OnboardingRequest } from '../../core/request.js';
import { reportKey } from './export-report.js';
import { headObject } from './objects.js';

/** Deletes `keys` where they exist; returns the keys deleted. */
async function deleteExisting(s3: S3Client, bucket: string, keys: string[]): Promise<string[]> {
  const deletedKeys: string[] = [];
  for (const key of keys) {
    if (!(await headObject(s3, bucket, key))) continue;
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    deletedKeys.push(key);
  }
  return deletedKeys;
}

/** Deletes one execution's canaries and, with `taskId`, the export task's report. */
export function deleteCanary(s3: S3Client, request: OnboardingRequest, canary: Canary, taskId: string | undefined): Promise<string[]> {
  return deleteExisting(s3, request.bucket.name, [canary.toS3.s3Key, canary.fromS3.s3Key, ...(taskId ? [reportKey(request, taskId)] : [])]);
}

/** The keys under the request's canary directory (one subdirectory per execution). */
async function canaryObjects(s3: S3Client, request: OnboardingRequest, names: OnboardingNames): Promise<{ key: string; lastModified?: Date | undefined }[]> {
  const objects: { key: string; lastModified?: Date | undefined }[] = [];
  const Prefix = `${request.bucket.prefix}${names.canaryFileName}/`;
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: request.bucket.name, Prefix })) {
    for (const object of page.Contents ?? []) if (object.Key) objects.push({ key: object.Key, lastModified: object.LastModified });
  }
  return objects;
}

/**
 * Canaries earlier executions of this request left (a run stopped or crashed before removing its
 * own): those written before this execution began. A concurrent execution's are newer: its own.
 */
export async function deleteEarlierCanaries(s3: S3Client, request: OnboardingRequest, names: OnboardingNames, before: number): Promise<string[]> {
  const earlier = (await canaryObjects(s3, request, names)).filter((o) => o.lastModified !== undefined && o.lastModified.getTime() < before);
  return deleteExisting(
    s3,
    request.bucket.name,
    earlier.map((o) => o.key),
  );
}

/**
 * Every execution's canaries of this request (its canary directory holds one per execution), and
 * the export task's report: for a rollback that does not know which execution wrote them.
 */
export async function deleteEveryCanary(s3: S3Client, request: OnboardingRequest, names: OnboardingNames, taskId: string | undefined): Promise<string[]> {
  const keys = (await canaryObjects(s3, request, names)).map((o) => o.key);
  return deleteExisting(s3, request.bucket.name, [...keys, ...(taskId ? [reportKey(request, taskId)] : [])]);
}
