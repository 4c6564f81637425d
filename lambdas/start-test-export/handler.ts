// Lambda entry of the StartTestExport state.
import { FSxClient } from '@aws-sdk/client-fsx';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { forState } from '../shared/per-repository.js';
import { startTestExport } from './start-test-export.js';

export const handler = makeLambdaHandler(forState('StartTestExport', startTestExport), { s3: S3Client, fsx: FSxClient, ssm: SSMClient });
