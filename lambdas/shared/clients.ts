// One factory for the AWS clients a step uses. Each target account is reached by assuming
// the role the target-account stack deploys there; the orchestrator's own account (change
// records) uses the function's own credentials. Whatever `plugins` are given are applied to
// every client, including the STS client that assumes the roles: the local runner plugs the
// sandbox in this way, so handlers run unchanged against AWS, the sandbox or AWS_ENDPOINT_URL.
//
// The factory builds only the client classes it is given and imports none itself: a Lambda
// bundle then holds the SDK clients its handler names (lambdas/<step>/handler.ts) and no
// others. The full set, for the local runner and the tests, is in ./every-client.ts.
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { FSxClient } from '@aws-sdk/client-fsx';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { STSClient } from '@aws-sdk/client-sts';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, Pluggable, RetryStrategyV2 } from '@smithy/types';
import { SESSION_NAME_PREFIX } from '../../core/naming.js';
import { defaultTargetRoleNames, type TargetRole } from '../../core/roles.js';
import { partitionOf } from '../../core/partition.js';

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
  /** The resource locks (orchestrator's account only): lambdas/shared/resource-lock.ts. */
  dynamodb: DynamoDBClient;
}

export type ClientName = keyof AccountClients;

/** The clients named by `K`, acting in one account. */
export type Clients<K extends ClientName = ClientName> = Pick<AccountClients, K>;

/** Client settings that every SDK v3 client accepts. */
interface SharedClientConfig {
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

type ClientSettings = SharedClientConfig & { region: string; credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider };

/** The SDK class of each client named by `K`, e.g. `{ fsx: FSxClient }`: what a function may build. */
export type ClientClasses<K extends ClientName = ClientName> = { readonly [N in K]: new (config: ClientSettings) => AccountClients[N] };

export interface ClientFactoryOptions<K extends ClientName = ClientName> {
  /** The clients to build, by name; only these are constructed (and bundled). */
  clients: ClientClasses<K>;
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
  /** RoleSessionName and SourceIdentity of the target-role sessions: core/naming.ts sessionNameFor(requestId). */
  sessionName?: string;
}

/** For a factory built without a request (tests, tools): still an fsx-onboard source identity the trust accepts. */
const DEFAULT_SOURCE_IDENTITY = `${SESSION_NAME_PREFIX}session`;

export interface ClientFactory<K extends ClientName = ClientName> {
  /** Clients acting in `accountId` through the target role for `role`. */
  forTarget(role: TargetRole, accountId: string): Clients<K>;
  /** Clients acting as the orchestrator itself (its own account). */
  orchestrator(): Clients<K>;
  roleArn(role: TargetRole, accountId: string): string;
}

const clientNames: readonly ClientName[] = ['s3', 'kms', 'iam', 'fsx', 'ssm', 'cloudtrail', 'sts', 'ec2', 'dynamodb'];

/**
 * One client per given class, sharing a config, each with the given plugins. A client that was
 * not given fails loudly when read (a typed step cannot reach one; this guards untyped callers).
 */
export function accountClients<K extends ClientName>(
  classes: ClientClasses<K>,
  config: ClientSettings,
  // biome-ignore lint/suspicious/noExplicitAny: SDK plugins are generic over every client's input and output types
  plugins: Pluggable<any, any>[] = [],
): Clients<K> {
  const clients: Partial<Record<ClientName, AccountClients[ClientName]>> = {};
  for (const [name, Client] of Object.entries(classes) as [K, ClientClasses<K>[K]][]) {
    const client = new Client(config);
    for (const plugin of plugins) client.middlewareStack.use(plugin);
    clients[name] = client;
  }
  for (const name of clientNames) {
    if (name in clients) continue;
    Object.defineProperty(clients, name, {
      enumerable: false,
      get() {
        throw new Error(
          `The ${name} client was not built: this function's handler does not list it among the clients its step uses (lambdas/<step>/handler.ts)`,
        );
      },
    });
  }
  return clients as Clients<K>;
}

export function createClientFactory<K extends ClientName>(options: ClientFactoryOptions<K>): ClientFactory<K> {
  const roleNames = { ...defaultTargetRoleNames, ...options.roleNames };
  const plugins = options.plugins ?? [];
  const cache = new Map<string, Clients<K>>();

  const build = (credentials: ClientFactoryOptions['credentials']): Clients<K> =>
    accountClients(options.clients, { ...options.clientConfig, region: options.region, ...(credentials ? { credentials } : {}) }, plugins);

  const roleArn = (role: TargetRole, accountId: string) => `arn:${partitionOf(options.region)}:iam::${accountId}:role/${roleNames[role]}`;

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
            // The request id in the session name and as source identity: CloudTrail ties each
            // change to its request, and the target roles' trust requires an fsx-onboard one.
            RoleSessionName: options.sessionName ?? 'fsx-onboard',
            SourceIdentity: options.sessionName ?? DEFAULT_SOURCE_IDENTITY,
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
export function clientFactoryFromEnvironment<K extends ClientName>(
  env: NodeJS.ProcessEnv,
  region: string,
  clients: ClientClasses<K>,
  sessionName?: string,
): ClientFactory<K> {
  const roleNames: Partial<Record<TargetRole, string>> = {};
  if (env['FSX_ONBOARD_FILESYSTEM_ROLE_NAME']) roleNames.fileSystem = env['FSX_ONBOARD_FILESYSTEM_ROLE_NAME'];
  if (env['FSX_ONBOARD_BUCKET_ROLE_NAME']) roleNames.bucket = env['FSX_ONBOARD_BUCKET_ROLE_NAME'];
  if (env['FSX_ONBOARD_KEY_ROLE_NAME']) roleNames.key = env['FSX_ONBOARD_KEY_ROLE_NAME'];
  const externalId = env['FSX_ONBOARD_EXTERNAL_ID'];
  return createClientFactory({ clients, region, roleNames, ...(externalId ? { externalId } : {}), ...(sessionName ? { sessionName } : {}) });
}
