// Lambda entry of the NarrowBucketPolicy state.
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { narrowBucketPolicy } from './narrow-bucket-policy.js';

export const handler = makeLambdaHandler(narrowBucketPolicy);
