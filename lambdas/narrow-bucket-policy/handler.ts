// Lambda entry of the NarrowBucketPolicy state.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { forState } from '../shared/per-repository.js';
import { narrowBucketPolicy } from './narrow-bucket-policy.js';

export const handler = makeLambdaHandler(forState('NarrowBucketPolicy', narrowBucketPolicy), { s3: S3Client, dynamodb: DynamoDBClient });
