// Lambda entry of the ValidateRequest state.
import { EC2Client } from '@aws-sdk/client-ec2';
import { FSxClient } from '@aws-sdk/client-fsx';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { validateRequestStep } from './validate-request.js';

export const handler = makeLambdaHandler(validateRequestStep, { s3: S3Client, kms: KMSClient, fsx: FSxClient, ec2: EC2Client });
