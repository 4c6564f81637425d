// SDK clients of the ops commands, built from the standard credential chain, and the one
// place that turns an SDK failure into a sentence an operator can act on (never a stack trace).
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { SFNClient } from '@aws-sdk/client-sfn';
import { ExitCode } from '../context.js';

/** Options every AWS-side command takes. */
export interface AwsOptions {
  region?: string;
  profile?: string;
  /** The orchestrator stack whose outputs name the state machines. */
  stackName?: string;
  /** Skips the stack lookup: the machine this command starts, or the execution ran on. */
  stateMachineArn?: string;
  json?: boolean;
}

export const DEFAULT_STACK_NAME = 'FsxOnboardOrchestrator';

export interface AwsClients {
  sfn: SFNClient;
  cloudformation: CloudFormationClient;
  cloudtrail: CloudTrailClient;
  region: string;
}

/** A failure the command explains itself: the message is for the operator, the code for scripts. */
export class AwsCommandError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.BadInput,
  ) {
    super(message);
    this.name = 'AwsCommandError';
  }
}

const NO_REGION = 'no AWS region: pass --region, set AWS_REGION, or set "region" in the profile (~/.aws/config)';

/**
 * `profile` is the SDK's own client setting (AWS_PROFILE for this client only): it selects
 * both the credentials and the region of that profile. AWS_ENDPOINT_URL[_SFN|…] is read by
 * the SDK itself, which is how the tests point the clients at moto_server.
 */
export async function createAwsClients(opts: AwsOptions, regionFallback?: string): Promise<AwsClients> {
  const config = {
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.profile ? { profile: opts.profile } : {}),
  };
  const probe = new SFNClient(config);
  let region: string | undefined;
  try {
    region = await probe.config.region();
  } catch {
    // The SDK throws "Region is missing" when no source names one.
  }
  probe.destroy();
  region ||= regionFallback;
  if (!region) throw new AwsCommandError(NO_REGION);
  const withRegion = { ...config, region };
  return {
    sfn: new SFNClient(withRegion),
    cloudformation: new CloudFormationClient(withRegion),
    cloudtrail: new CloudTrailClient(withRegion),
    region,
  };
}

/** A CloudTrail client for another account's trail, by profile, in the same region. */
export const trailClientFor = (profile: string, region: string): CloudTrailClient => new CloudTrailClient({ profile, region });

export const awsErrorName = (e: unknown): string => (e instanceof Error ? e.name : String(e));

const REJECTED_CREDENTIALS = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
]);
const DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation']);

/** Explains a failed call of `operation` (e.g. "states:StartExecution"); errors already explained pass through. */
export function explainAwsError(e: unknown, operation: string, opts: AwsOptions): AwsCommandError {
  if (e instanceof AwsCommandError) return e;
  const name = awsErrorName(e);
  const message = e instanceof Error ? e.message : String(e);
  const profile = opts.profile ?? process.env['AWS_PROFILE'];
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    if (profile) {
      return new AwsCommandError(
        `AWS profile "${profile}" has no usable credentials (${message}): check that it exists in ~/.aws/config or ~/.aws/credentials ` +
          `(or AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE), or run "aws sso login --profile ${profile}"`,
      );
    }
    return new AwsCommandError(
      'no AWS credentials found: pass --profile (or set AWS_PROFILE), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or run "aws sso login"',
    );
  }
  if (/region is missing/i.test(message)) return new AwsCommandError(NO_REGION);
  if (REJECTED_CREDENTIALS.has(name)) {
    return new AwsCommandError(
      `AWS rejected the credentials (${name}: ${message}): refresh them (e.g. "aws sso login${profile ? ` --profile ${profile}` : ''}") and try again`,
    );
  }
  if (DENIED.has(name))
    return new AwsCommandError(`your identity may not call ${operation} (${name}: ${message}); see docs/deploy.md for the permissions the ops commands need`);
  const code = (e as { code?: unknown }).code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || name === 'TimeoutError') {
    return new AwsCommandError(
      `cannot reach the AWS endpoint for ${operation} (${String(code ?? name)}): check --region${process.env['AWS_ENDPOINT_URL'] ? ' and AWS_ENDPOINT_URL' : ''} and the network`,
    );
  }
  return new AwsCommandError(`${operation} failed: ${name}: ${message}`);
}
