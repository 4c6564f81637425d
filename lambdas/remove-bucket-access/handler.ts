// Lambda entry of the RemoveBucketAccess state.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { removeBucketAccess } from './remove-bucket-access.js';

export const handler = makeLambdaHandler(removeBucketAccess, { s3: S3Client, dynamodb: DynamoDBClient, ssm: SSMClient });
