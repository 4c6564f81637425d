// Lambda entry of the VerifyExport state.
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { FSxClient } from '@aws-sdk/client-fsx';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { forState } from '../shared/per-repository.js';
import { verifyExport } from './verify-export.js';

export const handler = makeLambdaHandler(forState('VerifyExport', verifyExport), {
  s3: S3Client,
  kms: KMSClient,
  fsx: FSxClient,
  cloudtrail: CloudTrailClient,
});
