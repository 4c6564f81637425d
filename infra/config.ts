// Deployment settings, read from CDK context (`cdk.json` "context" or `-c key=value`).
//
//   orchestratorAccount  account of the state machines, functions and API (account A or a
//                        tooling account); the target roles trust its function role.
//   region               region of every stack (the request's region: S3 uses keys of the
//                        bucket's region only).
//   fileSystemAccounts   accounts that get the `fsx-onboard-filesystem` role (the A accounts).
//   bucketAccounts       accounts that get the `fsx-onboard-bucket` role (the B accounts).
//   keyAccounts          accounts that get the `fsx-onboard-key` role (the C accounts).
//                        Each list: a JSON array or a comma-separated string; [] / "" = none.
//                        One target-roles stack is synthesized per account in their union.
//   bucketNames          buckets the deployment may onboard (names or patterns such as
//                        "research-*"); the bucket and file-system roles are limited to them.
//   keyArns              KMS key ARNs or patterns the deployment may use; default: every key of
//                        each keyAccounts account in region (arn:<partition>:kms:<region>:<C>:key/*).
//   fileSystemKeyArns    KMS key ARNs file systems may be encrypted with at rest
//                        (fileSystem.kmsKeyArn), in a fileSystemAccounts or keyAccounts
//                        account; default none (FSx's AWS managed key only).
//   externalId           sts:ExternalId the target roles require and the functions send. The
//                        placeholder "fsx-onboard-change-me" is refused; cdk.json's
//                        "fsx-onboard-example-only" only with example accounts (one digit
//                        repeated, as in the docs), so `npm run synth` works on a clone.
//   orchestratorRoleName name of the functions' role (default fsx-onboard-orchestrator).
//   fileSystemRoleName / bucketRoleName / keyRoleName
//                        target role names (defaults fsx-onboard-filesystem|bucket|key).
//   alarmEmail           optional address subscribed to the failure topic.
//   apiCallers           who may call the onboarding API (its resource policy): account ids and
//                        IAM role/user ARNs, ARN patterns with "*" allowed; default: the
//                        orchestrator account (its identities still need execute-api:Invoke).
//
// Names are fixed rather than generated because the target stacks live in other accounts:
// a cross-account trust policy can only name the orchestrator role by a literal ARN.
import { defaultTargetRoleNames, type TargetRole } from '../core/roles.js';

export interface TargetAccountRoles {
  account: string;
  roles: TargetRole[];
}

export interface DeploymentConfig {
  orchestratorAccount: string;
  region: string;
  externalId: string;
  orchestratorRoleName: string;
  roleNames: Record<TargetRole, string>;
  /** Accounts configured for each target role. */
  accounts: Record<TargetRole, string[]>;
  bucketNames: string[];
  keyArns: string[];
  /** Keys a file system may be encrypted with at rest (fileSystem.kmsKeyArn). */
  fileSystemKeyArns: string[];
  /** Account ids and principal ARN patterns the API's resource policy lets in. */
  apiCallers: string[];
  alarmEmail?: string;
}

/** What `tryGetContext` returns: anything the CLI or cdk.json put there. */
export type ContextReader = (key: string) => unknown;

const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;
// IAM role names: up to 64 of letters, digits and +=,.@_-.
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
// sts:ExternalId: 2 to 1224 of letters, digits and +=,.@:/-.
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

/** Documented as "replace this": never deployable. */
export const PLACEHOLDER_EXTERNAL_ID = 'fsx-onboard-change-me';
/** cdk.json's value: accepted only while every account is an example account. */
export const EXAMPLE_EXTERNAL_ID = 'fsx-onboard-example-only';
/** The documentation's and tests' example accounts (111111111111, 222222222222, …): one digit repeated. */
const isExampleAccount = (account: string): boolean => /^(\d)\1{11}$/.test(account);

/** The partition of a region, so that ARNs built here are right in China and GovCloud too. */
function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('eu-isoe-')) return 'aws-iso-e';
  if (region.startsWith('us-isof-')) return 'aws-iso-f';
  return 'aws';
}

function checkExternalId(config: DeploymentConfig): void {
  const id = config.externalId;
  if (id === PLACEHOLDER_EXTERNAL_ID)
    throw new Error(`context "externalId" is still the placeholder "${id}": set a value of your own, e.g. -c externalId=$(openssl rand -hex 16)`);
  const accounts = [config.orchestratorAccount, ...config.accounts.fileSystem, ...config.accounts.bucket, ...config.accounts.key];
  const real = [...new Set(accounts.filter((a) => !isExampleAccount(a)))];
  if (id === EXAMPLE_EXTERNAL_ID && real.length > 0)
    throw new Error(
      `context "externalId" is cdk.json's example "${id}", which only the documentation's example accounts may use (found ${real.join(', ')}): set a value of your own, e.g. -c externalId=$(openssl rand -hex 16)`,
    );
}

function text(read: ContextReader, key: string, fallback?: string): string {
  const value = read(key) ?? fallback;
  if (typeof value !== 'string' || value === '') throw new Error(`context "${key}" is required (cdk.json "context" or -c ${key}=...)`);
  return value;
}

function matching(read: ContextReader, key: string, pattern: RegExp, what: string, fallback?: string): string {
  const value = text(read, key, fallback);
  if (!pattern.test(value)) throw new Error(`context "${key}" must be ${what}, got "${value}"`);
  return value;
}

// S3 bucket names (3-63 of a-z0-9.-) with "*" allowed as a pattern.
const BUCKET_PATTERN = /^[a-z0-9.*-]{1,63}$/;
// An account id, or an IAM role/user (or STS assumed-role session) ARN, "*" allowed in the name.
const API_CALLER = /^(\d{12}|arn:[a-z-]+:(iam::\d{12}:(role|user)|sts::\d{12}:assumed-role)\/[\w+=,.@/*-]+)$/;
const EXACT_KEY_ARN = /^arn:[a-z-]+:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;
const KEY_ARN_PATTERN = /^arn:[a-z-]+:kms:[a-z0-9-]+:(\d{12}):key\/[A-Za-z0-9*-]+$/;

function stringList(read: ContextReader, key: string, pattern: RegExp, what: string, fallback: string[] = []): string[] {
  const raw = read(key);
  let list: unknown = raw ?? fallback;
  if (typeof raw === 'string')
    list = raw.trim().startsWith('[')
      ? JSON.parse(raw)
      : raw
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
  if (!Array.isArray(list) || !list.every((v) => typeof v === 'string' && pattern.test(v))) {
    throw new Error(`context "${key}" must be a list of ${what}, got ${JSON.stringify(raw)}`);
  }
  return [...new Set(list as string[])];
}

const accountList = (read: ContextReader, key: string): string[] => stringList(read, key, ACCOUNT, '12-digit account ids');

export function readConfig(read: ContextReader, env: NodeJS.ProcessEnv = process.env): DeploymentConfig {
  const alarmEmail = read('alarmEmail');
  const config: DeploymentConfig = withResourceScope(read, {
    orchestratorAccount: matching(read, 'orchestratorAccount', ACCOUNT, 'a 12-digit account id', env['CDK_DEFAULT_ACCOUNT']),
    region: matching(read, 'region', REGION, 'a region code', env['CDK_DEFAULT_REGION']),
    externalId: matching(read, 'externalId', EXTERNAL_ID, '2-1224 characters of letters, digits and +=,.@:/-'),
    orchestratorRoleName: matching(read, 'orchestratorRoleName', ROLE_NAME, 'an IAM role name', 'fsx-onboard-orchestrator'),
    roleNames: {
      fileSystem: matching(read, 'fileSystemRoleName', ROLE_NAME, 'an IAM role name', defaultTargetRoleNames.fileSystem),
      bucket: matching(read, 'bucketRoleName', ROLE_NAME, 'an IAM role name', defaultTargetRoleNames.bucket),
      key: matching(read, 'keyRoleName', ROLE_NAME, 'an IAM role name', defaultTargetRoleNames.key),
    },
    accounts: {
      fileSystem: accountList(read, 'fileSystemAccounts'),
      bucket: accountList(read, 'bucketAccounts'),
      key: accountList(read, 'keyAccounts'),
    },
  });
  if (typeof alarmEmail === 'string' && alarmEmail !== '') config.alarmEmail = alarmEmail;
  checkExternalId(config);
  return config;
}

function withResourceScope(
  read: ContextReader,
  base: Omit<DeploymentConfig, 'bucketNames' | 'keyArns' | 'fileSystemKeyArns' | 'apiCallers'>,
): DeploymentConfig {
  const bucketNames = stringList(read, 'bucketNames', BUCKET_PATTERN, 'bucket names or patterns');
  if (bucketNames.length === 0) throw new Error('context "bucketNames" is required: the buckets (or patterns) this deployment may onboard');
  const defaultKeys = base.accounts.key.map((c) => `arn:${partitionOf(base.region)}:kms:${base.region}:${c}:key/*`);
  const keyArns = stringList(read, 'keyArns', KEY_ARN_PATTERN, 'KMS key ARNs or patterns', defaultKeys);
  // Exact keys only: FSx is allowed to use each of them with the file-system role's credentials.
  const fileSystemKeyArns = stringList(read, 'fileSystemKeyArns', EXACT_KEY_ARN, 'KMS key ARNs with a key id (no "*")');
  const keyAccounts = [...base.accounts.fileSystem, ...base.accounts.key];
  const stray = fileSystemKeyArns.find((arn) => !keyAccounts.includes(arn.split(':')[4]!));
  if (stray)
    throw new Error(`context "fileSystemKeyArns": ${stray} is not in a fileSystemAccounts or keyAccounts account, where a target role can read its key policy`);
  const apiCallers = stringList(read, 'apiCallers', API_CALLER, 'account ids or IAM role/user ARNs', [base.orchestratorAccount]);
  if (apiCallers.length === 0) throw new Error('context "apiCallers" must name at least one account or principal: an empty list would lock everyone out');
  return { ...base, bucketNames, keyArns, fileSystemKeyArns, apiCallers };
}

/** One entry per target account: the roles it hosts, in a stable order. */
export function targetAccounts(config: DeploymentConfig): TargetAccountRoles[] {
  const order: TargetRole[] = ['fileSystem', 'bucket', 'key'];
  const accounts = [...new Set(order.flatMap((role) => config.accounts[role]))];
  return accounts.map((account) => ({ account, roles: order.filter((role) => config.accounts[role].includes(account)) }));
}

export const orchestratorRoleArn = (config: DeploymentConfig, partition = partitionOf(config.region)): string =>
  `arn:${partition}:iam::${config.orchestratorAccount}:role/${config.orchestratorRoleName}`;
