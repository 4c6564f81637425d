// Lambda entry of the RemoveBucketAccess state.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { forState } from '../shared/per-repository.js';
import { removeBucketAccess } from './remove-bucket-access.js';

export const handler = makeLambdaHandler(forState('RemoveBucketAccess', removeBucketAccess), { s3: S3Client, dynamodb: DynamoDBClient, ssm: SSMClient });
