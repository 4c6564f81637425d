// Lambda entry of the StartTestExport state.
import { FSxClient } from '@aws-sdk/client-fsx';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { startTestExport } from './start-test-export.js';

export const handler = makeLambdaHandler(startTestExport, { s3: S3Client, fsx: FSxClient, ssm: SSMClient });
