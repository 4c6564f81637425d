// Every client class a step may use, for whatever runs all steps in one process (the local
// runner, the tests). A Lambda function never imports this: its handler lists its own few.
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { FSxClient } from '@aws-sdk/client-fsx';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import type { ClientClasses } from './clients.js';

export const everyClient: ClientClasses = {
  s3: S3Client,
  kms: KMSClient,
  iam: IAMClient,
  fsx: FSxClient,
  ssm: SSMClient,
  cloudtrail: CloudTrailClient,
  sts: STSClient,
  ec2: EC2Client,
  dynamodb: DynamoDBClient,
};
