// Lambda entry of the PutBucketAccessPolicy state.
import { S3Client } from '@aws-sdk/client-s3';
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { forState } from '../shared/per-repository.js';
import { putBucketAccessPolicy } from './put-bucket-access-policy.js';

export const handler = makeLambdaHandler(forState('PutBucketAccessPolicy', putBucketAccessPolicy), { s3: S3Client });
