// Lambda entry of the PutBucketAccessPolicy state.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { forState } from '../shared/per-repository.js';
import { putBucketAccessPolicy } from './put-bucket-access-policy.js';

export const handler = makeLambdaHandler(forState('PutBucketAccessPolicy', putBucketAccessPolicy), { s3: S3Client, dynamodb: DynamoDBClient, ssm: SSMClient });
