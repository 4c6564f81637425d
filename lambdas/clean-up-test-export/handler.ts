// Lambda entry of the CleanUpTestExport state.
import { FSxClient } from '@aws-sdk/client-fsx';
import { S3Client } from '@aws-sdk/client-s3';
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { forState } from '../shared/per-repository.js';
import { cleanUpTestExport } from './clean-up-test-export.js';

export const handler = makeLambdaHandler(forState('CleanUpTestExport', cleanUpTestExport), { s3: S3Client, fsx: FSxClient });
