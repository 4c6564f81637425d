// Errors as the real clients would raise them: the modeled exception class of the service
// package when there is one (so `name` and `instanceof` hold), otherwise the package's
// ServiceException base carrying the AWS error code as `name`.
import * as cloudtrail from '@aws-sdk/client-cloudtrail';
import * as dynamodb from '@aws-sdk/client-dynamodb';
import * as ec2 from '@aws-sdk/client-ec2';
import * as fsx from '@aws-sdk/client-fsx';
import * as iam from '@aws-sdk/client-iam';
import * as kms from '@aws-sdk/client-kms';
import * as s3 from '@aws-sdk/client-s3';
import * as ssm from '@aws-sdk/client-ssm';
import * as sts from '@aws-sdk/client-sts';

export type ServiceName = 'sts' | 'iam' | 's3' | 'kms' | 'fsx' | 'ssm' | 'cloudtrail' | 'ec2' | 'dynamodb';

const packages: Record<ServiceName, { module: Record<string, unknown>; base: string }> = {
  sts: { module: sts, base: 'STSServiceException' },
  iam: { module: iam, base: 'IAMServiceException' },
  s3: { module: s3, base: 'S3ServiceException' },
  kms: { module: kms, base: 'KMSServiceException' },
  fsx: { module: fsx, base: 'FSxServiceException' },
  ssm: { module: ssm, base: 'SSMServiceException' },
  cloudtrail: { module: cloudtrail, base: 'CloudTrailServiceException' },
  ec2: { module: ec2, base: 'EC2ServiceException' },
  dynamodb: { module: dynamodb, base: 'DynamoDBServiceException' },
};

type ErrorClass = new (options: Record<string, unknown>) => Error & { $metadata: Record<string, unknown> };

export function serviceError(service: ServiceName, name: string, message: string, httpStatusCode = 400, extra: Record<string, unknown> = {}): Error {
  const pkg = packages[service];
  // The SDK names a class after the error code, sometimes with an `Exception` suffix (IAM NoSuchEntity).
  const modeled = (pkg.module[name] ?? pkg.module[`${name}Exception`]) as ErrorClass | undefined;
  const fault = httpStatusCode >= 500 ? 'server' : 'client';
  const metadata = { httpStatusCode, requestId: 'sandbox' };
  if (typeof modeled === 'function' && modeled.prototype instanceof Error && name !== pkg.base) {
    // FSx and others model the text as `Message`; the base class reads `message`.
    const error = new modeled({ message, Message: message, $metadata: metadata, ...extra });
    (error as { $metadata: unknown }).$metadata = metadata;
    return error;
  }
  const Base = pkg.module[pkg.base] as ErrorClass;
  return new Base({ name, message, $fault: fault, $metadata: metadata, ...extra });
}

/** Thrown by handlers; the dispatcher turns it into the service's exception and a CloudTrail errorCode. */
export class SimError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatusCode = 400,
    /** CloudTrail's errorCode when it differs from the API error (KMS logs `AccessDenied`). */
    readonly trailCode?: string,
    /** Modeled fields the exception carries besides its message (DynamoDB's ConditionalCheckFailedException Item). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = code;
  }
}

export const accessDeniedCode: Record<ServiceName, string> = {
  sts: 'AccessDenied',
  iam: 'AccessDenied',
  s3: 'AccessDenied',
  kms: 'AccessDeniedException',
  fsx: 'AccessDeniedException',
  ssm: 'AccessDeniedException',
  cloudtrail: 'AccessDeniedException',
  // EC2's denial of an unauthorized call (EC2 API reference, "Common client error codes").
  ec2: 'UnauthorizedOperation',
  dynamodb: 'AccessDeniedException',
};

/**
 * HTTP status of each service's access-denied error. The JSON-protocol services (KMS, FSx, SSM,
 * CloudTrail, DynamoDB) answer AccessDeniedException with 400 (their API references list it under 400
 * client errors); S3, STS and IAM answer AccessDenied with 403.
 */
export const accessDeniedStatus: Record<ServiceName, number> = {
  sts: 403,
  iam: 403,
  s3: 403,
  kms: 400,
  fsx: 400,
  ssm: 400,
  cloudtrail: 400,
  ec2: 403,
  dynamodb: 400,
};

/** The service's access-denied error; KMS logs its denials in CloudTrail as `AccessDenied`. */
export function accessDenied(service: ServiceName, message: string): SimError {
  return new SimError(accessDeniedCode[service], message, accessDeniedStatus[service], service === 'kms' ? 'AccessDenied' : undefined);
}
