// The whole simulated world as one JSON-serialisable value, so a run can be saved to the
// state file, reopened by the next command, and shown by `sandbox show --json`. CloudTrail
// events are kept beside it (trail-store.ts), not in it.
import { createHash } from 'node:crypto';
import type { KmsGrant, PolicyDocument } from '../policy/types.js';

export interface RoleState {
  arn: string;
  name: string;
  path: string;
  account: string;
  trustPolicy: PolicyDocument;
  inlinePolicies: Record<string, PolicyDocument>;
  managedPolicies: PolicyDocument[];
  /** Virtual ms; IAM is eventually consistent, so other services see the role only later. */
  createdAt: number;
  serviceLinked?: { fileSystemId: string };
}

interface SessionState {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  roleArn: string;
  sessionArn: string;
  account: string;
  /** Virtual ms. */
  expiresAt: number;
  /** sts:SourceIdentity set when the session was assumed; it carries over to chained sessions. */
  sourceIdentity?: string;
  /** Role ARN of the caller that assumed this session (who acted through it). */
  assumedBy?: string;
}

export interface EncryptionRule {
  sseAlgorithm: 'AES256' | 'aws:kms' | 'aws:kms:dsse';
  kmsMasterKeyId?: string;
  bucketKeyEnabled: boolean;
}

export interface ObjectState {
  key: string;
  bodyBase64: string;
  etag: string;
  lastModified: number;
  sse: 'AES256' | 'aws:kms';
  kmsKeyArn?: string;
  bucketKeyEnabled?: boolean;
  /** The aws:s3:arn encryption context the data key was generated under. */
  encryptionContextArn?: string;
  writtenBy: string;
}

export interface BucketState {
  name: string;
  account: string;
  region: string;
  createdAt: number;
  policy?: string;
  /** S3 applies SSE-S3 to every bucket without a configuration (since January 2023). */
  encryption: EncryptionRule | null;
  objects: Record<string, ObjectState>;
  /** S3 Block Public Access of the bucket. Absent: all four on (S3's default since April 2023); null: no configuration. */
  publicAccessBlock?: PublicAccessBlockState | null;
  /** Event notifications FSx configured for auto-import (all named `FSx`), by association or file system id. */
  fsxNotifications?: Record<string, FsxNotificationState>;
}

export interface PublicAccessBlockState {
  blockPublicAcls: boolean;
  ignorePublicAcls: boolean;
  blockPublicPolicy: boolean;
  restrictPublicBuckets: boolean;
}

interface FsxNotificationState {
  name: 'FSx';
  fileSystemId: string;
  prefix: string;
  /** Virtual ms: objects written from then on send events to FSx. */
  configuredAt: number;
}

export interface KeyState {
  arn: string;
  keyId: string;
  account: string;
  region: string;
  keySpec: string;
  keyUsage: string;
  keyState: 'Enabled' | 'Disabled' | 'PendingDeletion';
  description: string;
  createdAt: number;
  policy: string;
  grants: KmsGrant[];
  grantCreatedAt: Record<string, number>;
}

interface LustreFile {
  content: string;
  /** In-flight HSM action (`ARCHIVE`) until the export job runs. */
  hsmAction: 'NOOP' | 'ARCHIVE';
  /** In step with the repository (exported, or imported and unchanged): export tasks skip it. */
  archived: boolean;
  /** Imported metadata only: the data stays in S3 and is loaded (as the SLR) on first read. */
  released?: { bucket: string; key: string; etag: string };
}

/** The health of an S3 link (a DRA, or a legacy file system's DataRepositoryConfiguration). */
export interface LinkHealthState {
  /** Set when FSx could not set the link up at creation: FAILED, terminal. */
  failed?: string;
  /** Set when the link broke after creation: MISCONFIGURED until a recheck finds it fixed. */
  misconfigured?: string;
  /** Virtual ms the link finished creating (its notification, batch import). */
  setUpAt?: number;
  /** Latest S3 object time already auto-imported, per key (so each write is imported once). */
  imported?: Record<string, number>;
}

/** What FSx file systems and DRAs share: tags, token idempotency and a lifecycle on the virtual clock. */
interface FsxResourceState {
  tags: Record<string, string>;
  clientRequestToken?: string;
  /** The request's parameters, to tell an idempotent retry from a token reuse. */
  fingerprint?: string;
  createdAt: number;
  availableAt: number;
  deletingAt?: number;
  goneAt?: number;
}

export interface FileSystemState extends FsxResourceState {
  id: string;
  arn: string;
  account: string;
  region: string;
  deploymentType: string;
  storageCapacity: number;
  subnetIds: string[];
  securityGroupIds: string[];
  dnsName: string;
  mountName: string;
  importPath?: string;
  exportPath?: string;
  autoImportPolicy?: string;
  failure?: string;
  /** CreateFileSystem KmsKeyId, resolved to the key's ARN (persistent types only). */
  kmsKeyId?: string;
  /** Legacy linked types: the S3 link's own lifecycle (DataRepositoryConfiguration.Lifecycle). */
  link?: LinkHealthState;
  /** The file system namespace: absolute file-system paths → files written through clients. */
  files: Record<string, LustreFile>;
}

export interface DraState extends FsxResourceState {
  id: string;
  arn: string;
  fileSystemId: string;
  account: string;
  region: string;
  fileSystemPath: string;
  dataRepositoryPath: string;
  batchImportMetaDataOnCreate: boolean;
  s3?: unknown;
  health?: LinkHealthState;
}

export interface TaskState {
  id: string;
  arn: string;
  fileSystemId: string;
  account: string;
  region: string;
  type: string;
  paths: string[];
  report: { Enabled: boolean; Path?: string; Format?: string; Scope?: string };
  clientRequestToken?: string;
  fingerprint?: string;
  tags: Record<string, string>;
  createdAt: number;
  startAt: number;
  endAt: number;
  /** Filled when the task's end job runs. */
  result?: { lifecycle: 'SUCCEEDED' | 'FAILED'; total: number; succeeded: number; failed: number; failureMessage?: string };
}

export interface InstanceState {
  id: string;
  account: string;
  region: string;
  lustreClient: boolean;
  /** EC2 tags; SendCommand policies condition on them (ssm:resourceTag/<key>). */
  tags?: Record<string, string>;
  /** EC2 instance type (absent: DEFAULT_INSTANCE_TYPE); what DescribeInstances reports. */
  instanceType?: string;
  /** SSM agent status (absent: Online); what DescribeInstanceInformation reports. */
  pingStatus?: 'Online' | 'ConnectionLost' | 'Inactive';
  /** Mount point → file system id. */
  mounts: Record<string, string>;
  localDirs: string[];
  localFiles: Record<string, string>;
}

export interface CommandState {
  commandId: string;
  instanceId: string;
  account: string;
  region: string;
  commands: string[];
  requestedAt: number;
  startAt: number;
  endAt: number;
  result?: { status: 'Success' | 'Failed'; stdout: string; stderr: string; responseCode: number };
}

export interface ParameterState {
  name: string;
  value: string;
  type: string;
  version: number;
  lastModified: number;
}

/** A DynamoDB table with a single-attribute (string) partition key, and its items by key value. */
export interface TableState {
  name: string;
  account: string;
  region: string;
  /** The partition key's attribute name (type S). */
  partitionKey: string;
  /** The Time to Live attribute (a Number of epoch seconds), when TTL is enabled. */
  ttlAttribute?: string;
  /** Items in DynamoDB's JSON form ({ attr: { S: "x" } }), by partition key value. */
  items: Record<string, Record<string, Record<string, unknown>>>;
}

/** Side effects that happen later on the virtual clock (exports, task runs, deletions). */
export interface JobState {
  at: number;
  seq: number;
  kind: 'hsm-archive' | 'task-run' | 'command-run' | 'link-set-up' | 'link-recheck' | 'auto-import-deleted';
  ref: Record<string, string>;
}

export interface SubnetState {
  id: string;
  account: string;
  region: string;
  vpcId: string;
}

export interface SecurityGroupRule {
  /** `tcp`, or `-1` for all traffic. */
  protocol: 'tcp' | '-1';
  fromPort: number;
  toPort: number;
}

export interface SecurityGroupState {
  id: string;
  account: string;
  region: string;
  vpcId: string;
  inbound: SecurityGroupRule[];
}

/** An EC2 instance type as DescribeInstanceTypes reports it (seeded beside the built-in catalogue, services/ec2.ts). */
export interface InstanceTypeState {
  /** NetworkInfo.EncryptionInTransitSupported. */
  encryptionInTransitSupported: boolean;
  /** Regions that offer the type (absent: every region); elsewhere DescribeInstanceTypes does not know it. */
  regions?: string[];
}

export interface WorldState {
  version: 1;
  now: number;
  seq: number;
  awsCalls: number;
  accounts: string[];
  roles: Record<string, RoleState>;
  sessions: Record<string, SessionState>;
  buckets: Record<string, BucketState>;
  keys: Record<string, KeyState>;
  fileSystems: Record<string, FileSystemState>;
  dras: Record<string, DraState>;
  tasks: Record<string, TaskState>;
  instances: Record<string, InstanceState>;
  commands: Record<string, CommandState>;
  parameters: Record<string, ParameterState>;
  jobs: JobState[];
  /** EC2 networking FSx checks at CreateFileSystem (absent in state files older than the check). */
  subnets?: Record<string, SubnetState>;
  securityGroups?: Record<string, SecurityGroupState>;
  /** DynamoDB tables by `account:region:name` (absent in state files older than the locks). */
  tables?: Record<string, TableState>;
  /** Instance types a seed added or redefined (absent in older state files: the built-in catalogue only). */
  instanceTypes?: Record<string, InstanceTypeState>;
  /** Role ARNs a seed declared missing: the world builder must not create them. */
  absentRoles?: string[];
  /** Every onboarding the world builder has prepared (world.ts): the target roles cover them all. */
  onboardings?: OnboardingScope[];
  /** Roles the world builder created, and so keeps in step with `onboardings`; seeded roles are never in it. */
  managedRoles?: string[];
}

/** What one onboarding needs of the target roles: its region, accounts A/B/C, bucket and key. */
export interface OnboardingScope {
  region: string;
  fileSystem: string;
  bucket: string;
  key: string;
  bucketName: string;
  keyArn: string;
  /** fileSystem.kmsKeyArn: the file system's own at-rest key. */
  fileSystemKeyArn?: string;
}

export function emptyWorld(startMs: number): WorldState {
  return {
    version: 1,
    now: startMs,
    seq: 0,
    awsCalls: 0,
    accounts: [],
    roles: {},
    sessions: {},
    buckets: {},
    keys: {},
    fileSystems: {},
    dras: {},
    tasks: {},
    instances: {},
    commands: {},
    parameters: {},
    jobs: [],
  };
}

/** Deterministic identifiers: a saved world replays to the same ids. */
export function nextHex(state: WorldState, length: number): string {
  let out = '';
  while (out.length < length)
    out += createHash('sha256')
      .update(`sandbox-${state.seq++}`)
      .digest('hex');
  return out.slice(0, length);
}

export function nextUuid(state: WorldState): string {
  const h = nextHex(state, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function nextAlnum(state: WorldState, length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return [...Buffer.from(nextHex(state, length * 2), 'hex')]
    .slice(0, length)
    .map((b) => alphabet[b % 32])
    .join('');
}
