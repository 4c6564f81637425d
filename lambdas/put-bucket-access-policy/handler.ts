// Lambda entry of the PutBucketAccessPolicy state.
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { putBucketAccessPolicy } from './put-bucket-access-policy.js';

export const handler = makeLambdaHandler(putBucketAccessPolicy);
