// One factory for every AWS client a step uses. Each target account is reached by assuming
// the role the target-account stack deploys there; the orchestrator's own account (change
// records) uses the function's own credentials. Whatever `plugins` are given are applied to
// every client, including the STS client that assumes the roles: the local runner plugs the
// sandbox in this way, so handlers run unchanged against AWS, the sandbox or AWS_ENDPOINT_URL.
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { EC2Client } from '@aws-sdk/client-ec2';
import { FSxClient } from '@aws-sdk/client-fsx';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, Pluggable, RetryStrategyV2 } from '@smithy/types';
import { defaultTargetRoleNames, type TargetRole } from '../../core/roles.js';

export type { TargetRole } from '../../core/roles.js';

export interface AccountClients {
  s3: S3Client;
  kms: KMSClient;
  iam: IAMClient;
  fsx: FSxClient;
  ssm: SSMClient;
  cloudtrail: CloudTrailClient;
  /** Who the clients act as (preflight's check that the target role can be assumed). */
  sts: STSClient;
  /** Preflight's reads of the network and the client instance. */
  ec2: EC2Client;
}

/** Client settings that every SDK v3 client accepts. */
export interface SharedClientConfig {
  retryStrategy?: RetryStrategyV2;
  requestChecksumCalculation?: 'WHEN_SUPPORTED' | 'WHEN_REQUIRED';
  responseChecksumValidation?: 'WHEN_SUPPORTED' | 'WHEN_REQUIRED';
  useFipsEndpoint?: boolean;
  useDualstackEndpoint?: boolean;
  defaultsMode?: 'standard' | 'in-region' | 'cross-region' | 'mobile' | 'auto' | 'legacy';
  maxAttempts?: number;
  authSchemePreference?: string[];
  ignoreConfiguredEndpointUrls?: boolean;
  userAgentAppId?: string;
}

export interface ClientFactoryOptions {
  region: string;
  /** Base identity; the standard credential chain when omitted. */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  // biome-ignore lint/suspicious/noExplicitAny: SDK plugins are generic over every client's input and output types
  plugins?: Pluggable<any, any>[];
  /** Settings every client gets; the local runner uses it to keep the SDK's retries from sleeping in real time. */
  clientConfig?: SharedClientConfig;
  roleNames?: Partial<Record<TargetRole, string>>;
  /** Sent with every AssumeRole when the target roles require one. */
  externalId?: string;
  sessionName?: string;
}

export interface ClientFactory {
  /** Clients acting in `accountId` through the target role for `role`. */
  forTarget(role: TargetRole, accountId: string): AccountClients;
  /** Clients acting as the orchestrator itself (its own account). */
  orchestrator(): AccountClients;
  roleArn(role: TargetRole, accountId: string): string;
}

/** One client per service, sharing a config, each with the given plugins. */
export function accountClients(
  config: SharedClientConfig & { region: string; credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider },
  // biome-ignore lint/suspicious/noExplicitAny: SDK plugins are generic over every client's input and output types
  plugins: Pluggable<any, any>[] = [],
): AccountClients {
  const clients: AccountClients = {
    s3: new S3Client(config),
    kms: new KMSClient(config),
    iam: new IAMClient(config),
    fsx: new FSxClient(config),
    ssm: new SSMClient(config),
    cloudtrail: new CloudTrailClient(config),
    sts: new STSClient(config),
    ec2: new EC2Client(config),
  };
  for (const client of Object.values(clients)) for (const plugin of plugins) client.middlewareStack.use(plugin);
  return clients;
}

export function createClientFactory(options: ClientFactoryOptions): ClientFactory {
  const roleNames = { ...defaultTargetRoleNames, ...options.roleNames };
  const plugins = options.plugins ?? [];
  const cache = new Map<string, AccountClients>();

  const build = (credentials: ClientFactoryOptions['credentials']): AccountClients =>
    accountClients({ ...options.clientConfig, region: options.region, ...(credentials ? { credentials } : {}) }, plugins);

  const roleArn = (role: TargetRole, accountId: string) => `arn:aws:iam::${accountId}:role/${roleNames[role]}`;

  return {
    roleArn,
    orchestrator() {
      const key = 'orchestrator';
      let clients = cache.get(key);
      if (!clients) cache.set(key, (clients = build(options.credentials)));
      return clients;
    },
    forTarget(role, accountId) {
      const key = `${role}@${accountId}`;
      let clients = cache.get(key);
      if (!clients) {
        const credentials = fromTemporaryCredentials({
          params: {
            RoleArn: roleArn(role, accountId),
            RoleSessionName: options.sessionName ?? 'fsx-onboard',
            ...(options.externalId ? { ExternalId: options.externalId } : {}),
          },
          ...(options.credentials ? { masterCredentials: options.credentials } : {}),
          clientConfig: { ...options.clientConfig, region: options.region },
          clientPlugins: plugins,
        });
        cache.set(key, (clients = build(credentials)));
      }
      return clients;
    },
  };
}

/** Factory settings for a deployed function, read from its environment. */
export function clientFactoryFromEnvironment(env: NodeJS.ProcessEnv, region: string): ClientFactory {
  const roleNames: Partial<Record<TargetRole, string>> = {};
  if (env['FSX_ONBOARD_FILESYSTEM_ROLE_NAME']) roleNames.fileSystem = env['FSX_ONBOARD_FILESYSTEM_ROLE_NAME'];
  if (env['FSX_ONBOARD_BUCKET_ROLE_NAME']) roleNames.bucket = env['FSX_ONBOARD_BUCKET_ROLE_NAME'];
  if (env['FSX_ONBOARD_KEY_ROLE_NAME']) roleNames.key = env['FSX_ONBOARD_KEY_ROLE_NAME'];
  const externalId = env['FSX_ONBOARD_EXTERNAL_ID'];
  return createClientFactory({ region, roleNames, ...(externalId ? { externalId } : {}) });
}
