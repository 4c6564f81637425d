// Lambda entry of the UnshareKey state.
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { unshareKey } from './unshare-key.js';

export const handler = makeLambdaHandler(unshareKey);
