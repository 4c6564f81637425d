// Lambda entry of the UnshareKey state.
import { KMSClient } from '@aws-sdk/client-kms';
import { SSMClient } from '@aws-sdk/client-ssm';
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { unshareKey } from './unshare-key.js';

export const handler = makeLambdaHandler(unshareKey, { kms: KMSClient, ssm: SSMClient });
