// Lambda entry of the RestoreDefaultEncryption state.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { forState } from '../shared/per-repository.js';
import { restoreDefaultEncryption } from './restore-default-encryption.js';

export const handler = makeLambdaHandler(forState('RestoreDefaultEncryption', restoreDefaultEncryption), {
  s3: S3Client,
  ssm: SSMClient,
  dynamodb: DynamoDBClient,
});
