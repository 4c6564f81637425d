// Lambda entry of the UnshareKey state.
import { KMSClient } from '@aws-sdk/client-kms';
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { forState } from '../shared/per-repository.js';
import { unshareKey } from './unshare-key.js';

export const handler = makeLambdaHandler(forState('UnshareKey', unshareKey), { kms: KMSClient });
