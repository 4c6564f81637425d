// Applies a validated seed to the world. Seeded resources are "pre-existing": created a day
// before the virtual now, so IAM propagation is long done. A seed never overwrites: when a
// resource exists and differs from its description, that is a conflict, and a seed with any
// conflict changes nothing. Applying the same seed twice changes nothing the second time.
import { createHash } from 'node:crypto';
import type { PolicyDocument } from '../policy/types.js';
import { ensureSecurityGroup, ensureSubnet } from './services/ec2.js';
import { FILE_SYSTEM_CREATE_SECONDS } from './services/fsx.js';
import { publicAccessBlockOf } from './services/s3-public-access.js';
import type { Sim } from './sim.js';
import { defaultKeyUsage, type Seed } from './seed.js';
import type { BucketState, EncryptionRule, FileSystemState, KeyState, ObjectState, RoleState } from './state.js';
import { defaultKeyPolicy, ensureAccounts, LONG_AGO_MS, ORCHESTRATOR_ROLE_NAME } from './world.js';

export interface SeedOutcome {
  /** One line per resource the seed added ("bucket genomics-reference-data"). */
  created: string[];
  /** Resources that already matched their description. */
  unchanged: string[];
  /** Resources that exist and differ, each with the fields that differ. Non-empty = nothing applied. */
  conflicts: string[];
}

/** JSON with sorted keys, so two equal documents compare equal whatever their key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

/** Names the fields on which `existing` differs from `wanted` (compared canonically). */
function differences(existing: Record<string, unknown>, wanted: Record<string, unknown>): string[] {
  return Object.keys(wanted).filter((field) => canonical(existing[field]) !== canonical(wanted[field]));
}

const policyText = (document: PolicyDocument) => JSON.stringify(document);
const parsedOrNull = (text: string | undefined) => (text ? (JSON.parse(text) as unknown) : null);

export function seededRole(seed: Seed['roles'][number], createdAt: number): RoleState {
  const [, account, rest] = /^arn:aws:iam::(\d{12}):role(\/.*)$/.exec(seed.arn)!;
  const name = rest!.slice(rest!.lastIndexOf('/') + 1);
  const path = rest!.slice(0, rest!.lastIndexOf('/') + 1);
  const trustPolicy: PolicyDocument = seed.trustPolicy ?? {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' }],
  };
  return { arn: seed.arn, name, path, account: account!, trustPolicy, inlinePolicies: seed.policies, managedPolicies: [], createdAt };
}

export function seededEncryption(seed: Seed['buckets'][number]['encryption']): EncryptionRule | null {
  if (!seed) return null;
  return seed.algorithm === 'AES256'
    ? { sseAlgorithm: 'AES256', bucketKeyEnabled: false }
    : { sseAlgorithm: 'aws:kms', kmsMasterKeyId: seed.kmsKeyArn, bucketKeyEnabled: seed.bucketKeyEnabled };
}

/** An object as S3 would have stored it under the bucket's seeded default encryption. */
export function seededObject(bucket: BucketState, key: string, body: string, at: number, own?: EncryptionRule | null): ObjectState {
  const bytes = Buffer.from(body, 'utf8');
  const rule = own ?? bucket.encryption;
  const object: ObjectState = {
    key,
    bodyBase64: bytes.toString('base64'),
    etag: `"${createHash('md5').update(bytes).digest('hex')}"`,
    lastModified: at,
    sse: 'AES256',
    writtenBy: 'seed',
  };
  if (rule && rule.sseAlgorithm !== 'AES256') {
    const contextArn = rule.bucketKeyEnabled ? `arn:aws:s3:::${bucket.name}` : `arn:aws:s3:::${bucket.name}/${key}`;
    Object.assign(object, { sse: 'aws:kms', kmsKeyArn: rule.kmsMasterKeyId, bucketKeyEnabled: rule.bucketKeyEnabled, encryptionContextArn: contextArn });
  }
  return object;
}

export function seededKey(seed: Seed['keys'][number], createdAt: number): KeyState {
  const [, region, account, keyId] = /^arn:aws:kms:([a-z0-9-]+):(\d{12}):key\/(.+)$/.exec(seed.arn)!;
  return {
    arn: seed.arn,
    keyId: keyId!,
    account: account!,
    region: region!,
    keySpec: seed.keySpec,
    keyUsage: seed.keyUsage ?? defaultKeyUsage(seed.keySpec),
    keyState: seed.state,
    description: seed.description,
    createdAt,
    policy: policyText(seed.policy ?? defaultKeyPolicy(account!)),
    grants: [],
    grantCreatedAt: {},
  };
}

function seededFileSystem(seed: Seed['fileSystems'][number], createdAt: number): FileSystemState {
  // A stable mount name per id, in the 8-letter form FSx gives persistent file systems.
  const mountName = createHash('sha256')
    .update(seed.id)
    .digest('hex')
    .slice(0, 8)
    .replace(/[0-9]/g, (d) => 'abcdefghij'[Number(d)]!);
  return {
    id: seed.id,
    arn: `arn:aws:fsx:${seed.region}:${seed.accountId}:file-system/${seed.id}`,
    account: seed.accountId,
    region: seed.region,
    deploymentType: seed.deploymentType,
    storageCapacity: seed.storageCapacityGiB,
    subnetIds: seed.subnetIds,
    securityGroupIds: seed.securityGroupIds,
    dnsName: `${seed.id}.fsx.${seed.region}.amazonaws.com`,
    mountName,
    tags: seed.tags,
    createdAt,
    availableAt: createdAt + FILE_SYSTEM_CREATE_SECONDS[seed.deploymentType]! * 1000,
    files: {},
  };
}

/** Applies `seed` unless anything conflicts; returns what was created, unchanged and conflicting. */
export function applySeed(sim: Sim, seed: Seed): SeedOutcome {
  const state = sim.state;
  const createdAt = sim.now() - LONG_AGO_MS;
  const outcome: SeedOutcome = { created: [], unchanged: [], conflicts: [] };
  const writes: (() => void)[] = [];
  const absent = new Set(state.absentRoles ?? []);
  const report = (what: string, diff: string[] | 'new', write: () => void) => {
    if (diff === 'new') {
      outcome.created.push(what);
      writes.push(write);
    } else if (diff.length) outcome.conflicts.push(`${what} exists with a different ${diff.join(', ')}`);
    else outcome.unchanged.push(what);
  };

  for (const role of seed.roles) {
    const wanted = seededRole(role, createdAt);
    const existing = state.roles[role.arn];
    if (absent.has(role.arn)) outcome.conflicts.push(`role ${role.arn} was seeded as absent`);
    else
      report(
        `role ${role.arn}`,
        existing ? differences({ ...existing }, { trustPolicy: wanted.trustPolicy, inlinePolicies: wanted.inlinePolicies }) : 'new',
        () => (state.roles[role.arn] = wanted),
      );
  }
  for (const arn of seed.absentRoles) {
    // The runner acts as the orchestrator; without it nothing could be rehearsed.
    if (arn.endsWith(`:role/${ORCHESTRATOR_ROLE_NAME}`)) outcome.conflicts.push(`role ${arn} cannot be absent: the local runner acts as it`);
    else if (state.roles[arn]) outcome.conflicts.push(`absent role ${arn} exists (run \`fsx-onboard sandbox reset\` first)`);
    else report(`absent role ${arn}`, absent.has(arn) ? [] : 'new', () => (state.absentRoles = [...(state.absentRoles ?? []), arn]));
  }
  for (const key of seed.keys) {
    const wanted = seededKey(key, createdAt);
    const existing = state.keys[key.arn];
    const diff = existing
      ? differences(
          { ...existing, policy: parsedOrNull(existing.policy) },
          { keySpec: wanted.keySpec, keyUsage: wanted.keyUsage, keyState: wanted.keyState, policy: parsedOrNull(wanted.policy) },
        )
      : 'new';
    report(`key ${key.arn}`, diff, () => (state.keys[key.arn] = wanted));
  }
  for (const seedBucket of seed.buckets) {
    const existing = state.buckets[seedBucket.name];
    const wanted: BucketState = {
      name: seedBucket.name,
      account: seedBucket.accountId,
      region: seedBucket.region,
      createdAt,
      encryption: seededEncryption(seedBucket.encryption),
      objects: {},
      ...(seedBucket.policy ? { policy: policyText(seedBucket.policy) } : {}),
      ...(seedBucket.publicAccessBlock ? { publicAccessBlock: seedBucket.publicAccessBlock } : {}),
    };
    const diff = existing
      ? differences(
          { ...existing, policy: parsedOrNull(existing.policy), publicAccessBlock: publicAccessBlockOf(existing) },
          {
            account: wanted.account,
            region: wanted.region,
            policy: parsedOrNull(wanted.policy),
            encryption: wanted.encryption,
            publicAccessBlock: publicAccessBlockOf(wanted),
          },
        )
      : 'new';
    report(`bucket ${seedBucket.name}`, diff, () => (state.buckets[seedBucket.name] = wanted));
    for (const object of seedBucket.objects) {
      const present = existing?.objects[object.key];
      const sameBody = present && Buffer.from(present.bodyBase64, 'base64').toString('utf8') === object.body;
      report(`object s3://${seedBucket.name}/${object.key}`, present ? (sameBody ? [] : ['body']) : 'new', () => {
        const bucket = state.buckets[seedBucket.name]!;
        bucket.objects[object.key] = seededObject(bucket, object.key, object.body, createdAt, seededEncryption(object.encryption));
      });
    }
  }
  for (const fs of seed.fileSystems) {
    const wanted = seededFileSystem(fs, createdAt);
    const existing = state.fileSystems[fs.id];
    const fields = {
      account: wanted.account,
      region: wanted.region,
      deploymentType: wanted.deploymentType,
      storageCapacity: wanted.storageCapacity,
      subnetIds: wanted.subnetIds,
      securityGroupIds: wanted.securityGroupIds,
    };
    report(`file system ${fs.id}`, existing ? differences({ ...existing }, fields) : 'new', () => (state.fileSystems[fs.id] = wanted));
  }

  for (const subnet of seed.subnets) {
    const wanted = { id: subnet.id, account: subnet.accountId, region: subnet.region, vpcId: subnet.vpcId };
    const existing = state.subnets?.[subnet.id];
    report(`subnet ${subnet.id}`, existing ? differences({ ...existing }, wanted) : 'new', () => ensureSubnet(sim, wanted));
  }
  for (const group of seed.securityGroups) {
    const wanted = { id: group.id, account: group.accountId, region: group.region, vpcId: group.vpcId, inbound: group.inbound };
    const existing = state.securityGroups?.[group.id];
    report(`security group ${group.id}`, existing ? differences({ ...existing }, wanted) : 'new', () => ensureSecurityGroup(sim, wanted));
  }

  for (const type of seed.instanceTypes) {
    const wanted = { encryptionInTransitSupported: type.encryptionInTransitSupported, ...(type.regions ? { regions: type.regions } : {}) };
    const existing = state.instanceTypes?.[type.instanceType];
    report(`instance type ${type.instanceType}`, existing ? differences({ ...existing }, wanted) : 'new', () => {
      state.instanceTypes = { ...state.instanceTypes, [type.instanceType]: wanted };
    });
  }

  for (const instance of seed.instances) {
    const wanted = {
      id: instance.id,
      account: instance.accountId,
      region: instance.region,
      lustreClient: instance.lustreClient,
      tags: instance.tags,
      ...(instance.instanceType ? { instanceType: instance.instanceType } : {}),
    };
    const existing = state.instances[instance.id];
    report(`instance ${instance.id}`, existing ? differences({ ...existing }, wanted) : 'new', () => {
      state.instances[instance.id] = { ...wanted, mounts: {}, localDirs: [], localFiles: {} };
    });
  }

  if (outcome.conflicts.length) return outcome;
  const accounts = [
    ...seed.accounts,
    ...seed.roles.map((r) => r.arn.split(':')[4]!),
    ...seed.absentRoles.map((a) => a.split(':')[4]!),
    ...seed.buckets.map((b) => b.accountId),
    ...seed.keys.map((k) => k.arn.split(':')[4]!),
    ...seed.fileSystems.map((f) => f.accountId),
    ...[...seed.subnets, ...seed.securityGroups, ...seed.instances].map((n) => n.accountId),
  ];
  ensureAccounts(sim, accounts);
  for (const write of writes) write();
  return outcome;
}
