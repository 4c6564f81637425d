// Shared FSx pieces: lifecycles computed from the virtual clock, the S3-access service-linked
// role FSx creates per file system, and S3 access FSx performs as that role (session "FSx").
import { SERVICE_LINKED_ROLE_POLICY } from '../../policy/documents.js';
import { SimError } from '../errors.js';
import type { Caller } from '../identity.js';
import type { Call, Sim } from '../sim.js';
import type { FileSystemState } from '../state.js';
import { bucketPolicyOf } from './s3.js';

const SLR_PATH = '/aws-service-role/s3.data-source.lustre.fsx.amazonaws.com/';
const SLR_PREFIX = 'AWSServiceRoleForFSxS3Access_';
export const LEGACY_TYPES = ['PERSISTENT_1', 'SCRATCH_2', 'SCRATCH_1'];

export function slrArn(fs: FileSystemState): string {
  return `arn:aws:iam::${fs.account}:role${SLR_PATH}${SLR_PREFIX}${fs.id}`;
}

/** FSx acting on S3 for the file system: the SLR's session, as CloudTrail shows it. */
export function slrCaller(fs: FileSystemState): Caller {
  return {
    roleArn: slrArn(fs),
    sessionArn: `arn:aws:sts::${fs.account}:assumed-role/${SLR_PREFIX}${fs.id}/FSx`,
    account: fs.account,
    invokedBy: 'fsx.amazonaws.com',
  };
}

/**
 * FSx creates the SLR (legacy linked types: with the file system; PERSISTENT_2: with the first
 * DRA) in the caller's name, so the caller needs iam:CreateServiceLinkedRole, AttachRolePolicy
 * and PutRolePolicy on the SLR path. Call `checkCanCreateServiceLinkedRole` before any state changes.
 */
export function ensureServiceLinkedRole(sim: Sim, fs: FileSystemState): void {
  const arn = slrArn(fs);
  if (sim.state.roles[arn]) return;
  sim.state.roles[arn] = {
    arn,
    name: `${SLR_PREFIX}${fs.id}`,
    path: SLR_PATH,
    account: fs.account,
    trustPolicy: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 's3.data-source.lustre.fsx.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    },
    inlinePolicies: {},
    managedPolicies: [SERVICE_LINKED_ROLE_POLICY],
    createdAt: sim.now(),
    serviceLinked: { fileSystemId: fs.id },
  };
}

export function checkCanCreateServiceLinkedRole(call: Call, fs: { id: string; account: string }): void {
  const arn = `arn:aws:iam::${fs.account}:role${SLR_PATH}${SLR_PREFIX}${fs.id}`;
  if (call.sim.state.roles[arn]) return;
  for (const action of ['iam:CreateServiceLinkedRole', 'iam:AttachRolePolicy', 'iam:PutRolePolicy']) {
    const decision = call.sim.decide(call.caller, {
      action,
      resource: arn,
      resourceAccount: fs.account,
      context: { 'iam:AWSServiceName': 's3.data-source.lustre.fsx.amazonaws.com' },
    });
    // Sandbox wording: FSx reports the IAM denial it met while creating the role.
    if (!decision.allowed)
      throw new SimError('BadRequest', `Amazon FSx cannot create the service-linked role ${arn}: ${decision.message ?? `not authorized to perform ${action}`}`);
  }
}

export function fileSystemLifecycle(fs: FileSystemState, now: number): string {
  if (fs.deletingAt !== undefined) return 'DELETING';
  if (fs.failure) return 'FAILED';
  return now < fs.availableAt ? 'CREATING' : 'AVAILABLE';
}

export function parseS3Url(url: string): { bucket: string; prefix: string } | undefined {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  return match ? { bucket: match[1]!, prefix: match[2] ?? '' } : undefined;
}

const S3_VALIDATION_MESSAGE =
  'Amazon FSx is unable to validate access to the S3 bucket. Ensure the IAM role or user you are using has s3:Get*, s3:List* and s3:PutObject permissions to the S3 bucket prefix.';

/** FSx checks the CALLER's S3 access to the linked prefix when a link is created. */
export function validateCallerS3Access(call: Call, url: string, fs: { region: string }): void {
  const parsed = parseS3Url(url);
  if (!parsed) throw new SimError('BadRequest', `The data repository path ${url} is not a valid S3 URL.`);
  const bucket = call.sim.state.buckets[parsed.bucket];
  if (!bucket) throw new SimError('BadRequest', `The S3 bucket ${parsed.bucket} does not exist.`);
  if (bucket.region !== fs.region) throw new SimError('BadRequest', `The S3 bucket ${parsed.bucket} must be in the file system's region ${fs.region}.`);
  const resourcePolicy = bucketPolicyOf(bucket);
  const checks = [
    { action: 's3:ListBucket', resource: `arn:aws:s3:::${bucket.name}`, context: { 's3:prefix': parsed.prefix } },
    { action: 's3:GetObject', resource: `arn:aws:s3:::${bucket.name}/${parsed.prefix}` },
    { action: 's3:PutObject', resource: `arn:aws:s3:::${bucket.name}/${parsed.prefix}` },
  ];
  for (const check of checks) {
    if (!call.sim.decide(call.caller, { ...check, resourceAccount: bucket.account }, { resourcePolicy }).allowed)
      throw new SimError('BadRequest', S3_VALIDATION_MESSAGE);
  }
}

/** Runs an S3 call FSx makes as the SLR and logs it as an S3 data event. */
export function asServiceLinkedRole<T>(sim: Sim, fs: FileSystemState, eventName: string, bucket: string, key: string, fn: (caller: Caller) => T): T {
  const caller = slrCaller(fs);
  const owner = sim.state.buckets[bucket]?.account;
  const log = (error?: SimError) =>
    sim.record({
      caller,
      service: 's3',
      eventName,
      region: fs.region,
      requestParameters: { bucketName: bucket, key },
      ...(error ? { error: { code: error.code, message: error.message } } : {}),
      resources: [{ ARN: `arn:aws:s3:::${bucket}/${key}`, type: 'AWS::S3::Object' }],
      recipients: [fs.account, ...(owner ? [owner] : [])],
      management: false,
      readOnly: eventName !== 'PutObject',
    });
  try {
    const result = fn(caller);
    log();
    return result;
  } catch (error) {
    if (error instanceof SimError) log(error);
    throw error;
  }
}

/** aws:ResourceTag/<key> for each tag of the resource acted on: IAM evaluates tag conditions against them. */
export function resourceTagContext(tags: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).map(([key, value]) => [`aws:ResourceTag/${key}`, value]));
}

export function tagList(tags: Record<string, string>) {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

export function tagMap(tags: { Key?: string; Value?: string }[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).map((t) => [String(t.Key), String(t.Value ?? '')]));
}
