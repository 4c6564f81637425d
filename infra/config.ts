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
//   keyArns              the exact KMS key ARNs the deployment may use (required; no "*": the
//                        key role may rewrite these keys' policies, so it names each key).
//   fileSystemKeyArns    KMS key ARNs file systems may be encrypted with at rest
//                        (fileSystem.kmsKeyArn), in a fileSystemAccounts or keyAccounts
//                        account; exact ARNs too; default none (FSx's AWS managed key only).
//   externalId           sts:ExternalId the target roles require and the functions send. The
//                        placeholder "fsx-onboard-change-me" is refused; cdk.json's
//                        "fsx-onboard-example-only" only with example accounts (one digit
//                        repeated, as in the docs), so `npm run synth` works on a clone.
//   functionRolePrefix   start of the step functions' role names: <prefix>-<StateName>, one role
//                        per function (default fsx-onboard; at most 23 characters, so the
//                        longest name stays within IAM's 64).
//   lustreClientTagKey / lustreClientTagValue
//                        the tag an instance must carry before a step may run a command on it
//                        (defaults fsx-onboard:lustre-client / true).
//   linkedPrefixes       optional "bucket/prefix" entries the file systems may link; a bucket
//                        listed here is reachable by the file-system role only under them, an
//                        unlisted bucket of bucketNames wholly.
//   fileSystemRoleName / bucketRoleName / keyRoleName
//                        target role names (defaults fsx-onboard-filesystem|bucket|key).
//   alarmEmail           optional address subscribed to the failure topic.
//   apiCallers           who may call the onboarding API (its resource policy): account ids and
//                        IAM role/user ARNs, ARN patterns with "*" allowed; default: the
//                        orchestrator account (its identities still need execute-api:Invoke).
//
// Names are fixed rather than generated because the target stacks live in other accounts:
// a cross-account trust policy can only name the function roles by literal ARNs.
import { defaultTargetRoleNames, type TargetRole } from '../core/roles.js';
import { DEFAULT_LUSTRE_CLIENT_TAG } from '../policy/target-role-policies.js';

export interface TargetAccountRoles {
  account: string;
  roles: TargetRole[];
}

export interface DeploymentConfig {
  orchestratorAccount: string;
  region: string;
  externalId: string;
  /** Function roles are named <functionRolePrefix>-<StateName>. */
  functionRolePrefix: string;
  roleNames: Record<TargetRole, string>;
  /** Accounts configured for each target role. */
  accounts: Record<TargetRole, string[]>;
  bucketNames: string[];
  /** Exact key ARNs. */
  keyArns: string[];
  /** The tag SendCommand requires on the Lustre client instance. */
  lustreClientTag: { key: string; value: string };
  /** `bucket/prefix` entries; the file-system role's S3 access to a listed bucket stays under them. */
  linkedPrefixes: string[];
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
export function partitionOf(region: string): string {
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
// An exact key ARN: key id or multi-Region key id, no pattern.
const KEY_ARN = /^arn:[a-z-]+:kms:[a-z0-9-]+:(\d{12}):key\/[A-Za-z0-9-]+$/;
// The longest state name (WaitForDataRepositoryAssociationDeletion, 40) + "-" + prefix ≤ 64.
const FUNCTION_ROLE_PREFIX = /^[\w+=,.@-]{1,23}$/;
// EC2 tag keys: 1-128 characters, not starting with "aws:"; values 0-256 (kept to the characters IAM conditions take literally).
const TAG_KEY = /^(?!aws:)[\w .:/=+@-]{1,128}$/;
const TAG_VALUE = /^[\w .:/=+@-]{0,256}$/;
// bucket/prefix: a bucket name, "/", then a key prefix without wildcards.
const LINKED_PREFIX = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/[^*?\s]*$/;

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
    functionRolePrefix: functionRolePrefix(read),
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

function functionRolePrefix(read: ContextReader): string {
  if (read('orchestratorRoleName') !== undefined)
    throw new Error(
      'context "orchestratorRoleName" is no longer read: each function has its own role, named <functionRolePrefix>-<StateName>; set "functionRolePrefix" instead',
    );
  return matching(
    read,
    'functionRolePrefix',
    FUNCTION_ROLE_PREFIX,
    '1-23 characters of letters, digits and +=,.@_- (role names <prefix>-<StateName> stay within 64)',
    'fsx-onboard',
  );
}

function keyArnList(read: ContextReader, keyAccounts: string[]): string[] {
  const raw = read('keyArns');
  const all = stringList(read, 'keyArns', /^arn:/, 'KMS key ARNs');
  const patterns = all.filter((arn) => arn.includes('*'));
  if (patterns.length > 0)
    throw new Error(
      `context "keyArns" must list exact key ARNs, not patterns (found ${patterns.join(', ')}): the key role may rewrite the policy of every key it names, so kms:PutKeyPolicy is never granted on a wildcard`,
    );
  const bad = all.filter((arn) => !KEY_ARN.test(arn));
  if (bad.length > 0) throw new Error(`context "keyArns" must be KMS key ARNs (arn:<partition>:kms:<region>:<account>:key/<key-id>), got ${bad.join(', ')}`);
  if (all.length === 0 && keyAccounts.length > 0)
    throw new Error(`context "keyArns" is required: the exact ARNs of the keys this deployment may use (got ${JSON.stringify(raw)})`);
  return all;
}

function linkedPrefixList(read: ContextReader, bucketNames: string[]): string[] {
  const entries = stringList(read, 'linkedPrefixes', LINKED_PREFIX, '"bucket/prefix" entries (no wildcards)');
  const matchesBucket = (bucket: string) => bucketNames.some((pattern) => new RegExp(`^${pattern.replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`).test(bucket));
  const stray = entries.filter((entry) => !matchesBucket(entry.slice(0, entry.indexOf('/'))));
  if (stray.length > 0) throw new Error(`context "linkedPrefixes" names buckets outside "bucketNames": ${stray.join(', ')}`);
  return entries;
}

function withResourceScope(
  read: ContextReader,
  base: Omit<DeploymentConfig, 'bucketNames' | 'keyArns' | 'fileSystemKeyArns' | 'apiCallers' | 'lustreClientTag' | 'linkedPrefixes'>,
): DeploymentConfig {
  const bucketNames = stringList(read, 'bucketNames', BUCKET_PATTERN, 'bucket names or patterns');
  if (bucketNames.length === 0) throw new Error('context "bucketNames" is required: the buckets (or patterns) this deployment may onboard');
  const keyArns = keyArnList(read, base.accounts.key);
  // Exact keys only: FSx is allowed to use each of them with the file-system role's credentials.
  const fileSystemKeyArns = stringList(read, 'fileSystemKeyArns', KEY_ARN, 'KMS key ARNs with a key id (no "*")');
  const keyAccounts = [...base.accounts.fileSystem, ...base.accounts.key];
  const stray = fileSystemKeyArns.find((arn) => !keyAccounts.includes(arn.split(':')[4]!));
  if (stray)
    throw new Error(`context "fileSystemKeyArns": ${stray} is not in a fileSystemAccounts or keyAccounts account, where a target role can read its key policy`);
  const apiCallers = stringList(read, 'apiCallers', API_CALLER, 'account ids or IAM role/user ARNs', [base.orchestratorAccount]);
  if (apiCallers.length === 0) throw new Error('context "apiCallers" must name at least one account or principal: an empty list would lock everyone out');
  const lustreClientTag = {
    key: matching(read, 'lustreClientTagKey', TAG_KEY, 'an EC2 tag key (1-128 characters, not starting with "aws:")', DEFAULT_LUSTRE_CLIENT_TAG.key),
    value: matching(read, 'lustreClientTagValue', TAG_VALUE, 'an EC2 tag value (up to 256 characters)', DEFAULT_LUSTRE_CLIENT_TAG.value),
  };
  return { ...base, bucketNames, keyArns, fileSystemKeyArns, apiCallers, lustreClientTag, linkedPrefixes: linkedPrefixList(read, bucketNames) };
}

/** One entry per target account: the roles it hosts, in a stable order. */
export function targetAccounts(config: DeploymentConfig): TargetAccountRoles[] {
  const order: TargetRole[] = ['fileSystem', 'bucket', 'key'];
  const accounts = [...new Set(order.flatMap((role) => config.accounts[role]))];
  return accounts.map((account) => ({ account, roles: order.filter((role) => config.accounts[role].includes(account)) }));
}
