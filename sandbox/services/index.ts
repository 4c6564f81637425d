import type { ServiceName } from '../errors.js';
import { cloudtrail } from './cloudtrail-service.js';
import { dynamodb } from './dynamodb.js';
import { ec2 } from './ec2.js';
import { fsx } from './fsx.js';
import { iam } from './iam.js';
import { kms } from './kms.js';
import { s3Buckets } from './s3.js';
import { s3Objects } from './s3-objects.js';
import { ssm } from './ssm.js';
import { sts } from './sts.js';
import type { ServiceModel } from './types.js';

export const models: Record<ServiceName, ServiceModel> = {
  sts,
  iam,
  s3: { ...s3Buckets, ...s3Objects },
  kms,
  fsx,
  ssm,
  cloudtrail,
  ec2,
  dynamodb,
};
