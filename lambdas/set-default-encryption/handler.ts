// Lambda entry of the SetDefaultEncryption state.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { forState } from '../shared/per-repository.js';
import { setDefaultEncryption } from './set-default-encryption.js';

export const handler = makeLambdaHandler(forState('SetDefaultEncryption', setDefaultEncryption), { s3: S3Client, ssm: SSMClient, dynamodb: DynamoDBClient });
