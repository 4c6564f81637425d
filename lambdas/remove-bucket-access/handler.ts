// Lambda entry of the RemoveBucketAccess state.
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { removeBucketAccess } from './remove-bucket-access.js';

export const handler = makeLambdaHandler(removeBucketAccess);
