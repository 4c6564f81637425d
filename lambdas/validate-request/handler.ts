// Lambda entry of the ValidateRequest state.
import { FSxClient } from '@aws-sdk/client-fsx';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { validateRequestStep } from './validate-request.js';

export const handler = makeLambdaHandler(validateRequestStep, { s3: S3Client, kms: KMSClient, fsx: FSxClient });
