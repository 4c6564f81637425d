// Lambda entry of the RemoveTestExport state.
import { S3Client } from '@aws-sdk/client-s3';
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { forState } from '../shared/per-repository.js';
import { removeTestExport } from './remove-test-export.js';

export const handler = makeLambdaHandler(forState('RemoveTestExport', removeTestExport), { s3: S3Client });
