// Lambda entry of the ShareKey state.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SSMClient } from '@aws-sdk/client-ssm';
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { shareKey } from './share-key.js';

export const handler = makeLambdaHandler(shareKey, { kms: KMSClient, dynamodb: DynamoDBClient, ssm: SSMClient });
