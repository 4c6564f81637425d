// The objects a test export leaves in the bucket: the canary of each direction and, for an
// export task, its completion report. Objects that are not there are skipped, so a second
// deletion sends no delete.
import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { canaryFor } from '../../core/canary.js';
import type { OnboardingNames } from '../../core/naming.js';
import type { OnboardingRequest } from '../../core/request.js';
import { reportKey } from './export-report.js';
import { headObject } from './objects.js';

/** Deletes the canaries and, with `taskId`, the export task's report; returns the keys deleted. */
export async function deleteTestExportObjects(s3: S3Client, request: OnboardingRequest, names: OnboardingNames, taskId: string | undefined): Promise<string[]> {
  const canary = canaryFor(request, names);
  const deletedKeys: string[] = [];
  for (const key of [canary.toS3.s3Key, canary.fromS3.s3Key, ...(taskId ? [reportKey(request, taskId)] : [])]) {
    if (!(await headObject(s3, request.bucket.name, key))) continue;
    await s3.send(new DeleteObjectCommand({ Bucket: request.bucket.name, Key: key }));
    deletedKeys.push(key);
  }
  return deletedKeys;
}
