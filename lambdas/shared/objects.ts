// Objects the export check reads and writes in the bucket (account B).
import { HeadObjectCommand, type HeadObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { isErrorNamed } from './step-support.js';

/**
 * The object's metadata, or undefined when it is not there. The bucket role may read the
 * canary objects but not list the bucket, and without s3:ListBucket S3 answers a HEAD of a
 * missing key with 403 instead of 404 (the SDK names a body-less 403 `Forbidden`), so a 403
 * here means "missing" too.
 */
export async function headObject(s3: S3Client, bucket: string, key: string): Promise<HeadObjectCommandOutput | undefined> {
  try {
    return await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  } catch (e) {
    if (isErrorNamed(e, 'NotFound', 'NoSuchKey', 'Forbidden', 'AccessDenied')) return undefined;
    throw e;
  }
}
