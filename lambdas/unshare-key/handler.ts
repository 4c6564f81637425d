// Lambda entry of the UnshareKey state.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SSMClient } from '@aws-sdk/client-ssm';
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { forState } from '../shared/per-repository.js';
import { unshareKey } from './unshare-key.js';

export const handler = makeLambdaHandler(forState('UnshareKey', unshareKey), { kms: KMSClient, dynamodb: DynamoDBClient, ssm: SSMClient });
