// Lambda entry of the ShareKey state.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SSMClient } from '@aws-sdk/client-ssm';
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { forState } from '../shared/per-repository.js';
import { shareKey } from './share-key.js';

export const handler = makeLambdaHandler(forState('ShareKey', shareKey), { kms: KMSClient, dynamodb: DynamoDBClient, ssm: SSMClient });
