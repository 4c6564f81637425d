// Lambda entry of the UnshareKey state.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SSMClient } from '@aws-sdk/client-ssm';
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { unshareKey } from './unshare-key.js';

export const handler = makeLambdaHandler(unshareKey, { kms: KMSClient, dynamodb: DynamoDBClient, ssm: SSMClient });
