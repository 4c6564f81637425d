// What a request needs to exist before the workflow runs: three accounts, the orchestrator
// role, the three target roles trusting it with their identity policies, the bucket (B, SSE-S3
// default), the key (C, symmetric, default key policy) and a managed instance with a Lustre
// client (A). Nothing that already exists is overwritten, a role a seed declared absent is not
// created, and the roles this builder created are kept covering every onboarding of the world.
import { linkRequest } from '../core/link-request.js';
import type { OnboardingRequest } from '../core/request.js';
import { DEFAULT_LOCK_TABLE_NAME, LOCK_EXPIRY_ATTRIBUTE, LOCK_PARTITION_KEY } from '../core/resource-locks.js';
import {
  DEFAULT_LUSTRE_CLIENT_TAG,
  bucketRolePolicy,
  fileSystemRolePolicy,
  keyRolePolicy,
  orchestratorRolePolicy,
  targetRoleTrustPolicy,
  type DeploymentFacts,
} from '../policy/target-role-policies.js';
import type { TargetRole } from '../core/roles.js';
import type { PolicyDocument } from '../policy/types.js';
import { ensureTable } from './services/dynamodb.js';
import { ensureSecurityGroup, ensureSubnet, LUSTRE_RULES, vpcIdFor } from './services/ec2.js';
import type { Sim } from './sim.js';
import type { OnboardingScope } from './state.js';

export const ORCHESTRATOR_ROLE_NAME = 'fsx-onboard-orchestrator';
export const ORCHESTRATOR_ACCESS_KEY_ID = 'AKIASANDBOXORCHESTR8';
export const ORCHESTRATOR_SECRET = 'sandbox-orchestrator-secret-not-a-real-key';
const TARGET_ROLE_NAMES = { fileSystem: 'fsx-onboard-filesystem', bucket: 'fsx-onboard-bucket', key: 'fsx-onboard-key' } as const;
/** Pre-existing things were created long before the run (fully propagated). */
export const LONG_AGO_MS = 86_400_000;

export function ensureAccounts(sim: Sim, accounts: string[]): void {
  for (const account of accounts) if (!sim.state.accounts.includes(account)) sim.state.accounts.push(account);
}

/**
 * Creates a role the world builder then manages, or brings a managed one's inline policies in
 * step with every onboarding. A role a seed declared absent is not created, and a role that
 * exists without being managed (a seed's, with its own policy) is left exactly as it is.
 */
function ensureRole(sim: Sim, account: string, name: string, trustPolicy: PolicyDocument, identityPolicies: PolicyDocument[]): string {
  const arn = `arn:aws:iam::${account}:role/${name}`;
  // One inline policy per group of onboardings; the first keeps the name it always had.
  const inlinePolicies = Object.fromEntries(identityPolicies.map((doc, i) => [i === 0 ? `${name}-policy` : `${name}-policy-${i + 1}`, doc]));
  const managed = (sim.state.managedRoles ??= []);
  const existing = sim.state.roles[arn];
  if (existing) {
    if (managed.includes(arn)) existing.inlinePolicies = inlinePolicies;
    return arn;
  }
  // A seed can declare a target role missing, to rehearse the AccessDenied AssumeRole gives.
  if (sim.state.absentRoles?.includes(arn)) return arn;
  sim.state.roles[arn] = {
    arn,
    name,
    path: '/',
    account,
    trustPolicy,
    inlinePolicies,
    managedPolicies: [],
    createdAt: sim.now() - LONG_AGO_MS,
  };
  managed.push(arn);
  return arn;
}

function scopeOf(request: OnboardingRequest, keyAccount: string): OnboardingScope {
  return {
    region: request.region,
    fileSystem: request.fileSystem.accountId,
    bucket: request.bucket.accountId,
    key: keyAccount,
    bucketName: request.bucket.name,
    keyArn: request.key.arn,
    ...(request.fileSystem.kmsKeyArn ? { fileSystemKeyArn: request.fileSystem.kmsKeyArn } : {}),
  };
}

/**
 * The deployment facts of the onboardings that share a region and accounts A/B/C, with their
 * bucket names and keys united: what a deployment configured for all of them would know.
 */
function factsOf(scopes: OnboardingScope[], orchestratorAccountId: string): DeploymentFacts[] {
  const groups = new Map<string, DeploymentFacts>();
  for (const s of scopes) {
    const id = [s.region, s.fileSystem, s.bucket, s.key].join(' ');
    const facts = groups.get(id) ?? {
      region: s.region,
      accounts: { fileSystem: s.fileSystem, bucket: s.bucket, key: s.key },
      orchestratorAccountId,
      bucketNames: [],
      keyArns: [],
    };
    if (!facts.bucketNames.includes(s.bucketName)) facts.bucketNames.push(s.bucketName);
    if (!facts.keyArns.includes(s.keyArn)) facts.keyArns.push(s.keyArn);
    if (s.fileSystemKeyArn && !facts.fileSystemKeyArns?.includes(s.fileSystemKeyArn)) (facts.fileSystemKeyArns ??= []).push(s.fileSystemKeyArn);
    groups.set(id, facts);
  }
  return [...groups.values()];
}

/** The default key policy KMS gives a key created without one: the account root gets kms:*. */
export function defaultKeyPolicy(account: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Id: 'key-default-1',
    Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' }],
  };
}

/** A symmetric, enabled key with KMS's default key policy, unless one exists (or was seeded). */
function ensureKey(sim: Sim, keyArn: string, description: string): void {
  if (sim.state.keys[keyArn]) return;
  const parts = /^arn:aws:kms:([a-z0-9-]+):(\d{12}):key\/(.+)$/.exec(keyArn);
  if (!parts) throw new Error(`not a key ARN: ${keyArn}`);
  const [, region, account, keyId] = parts as unknown as [string, string, string, string];
  ensureAccounts(sim, [account]);
  sim.state.keys[keyArn] = {
    arn: keyArn,
    keyId,
    account,
    region,
    keySpec: 'SYMMETRIC_DEFAULT',
    keyUsage: 'ENCRYPT_DECRYPT',
    keyState: 'Enabled',
    description,
    createdAt: sim.now() - LONG_AGO_MS,
    policy: JSON.stringify(defaultKeyPolicy(account)),
    grants: [],
    grantCreatedAt: {},
  };
}

export interface WorldOptions {
  /** The target roles' trust policy then requires this sts:ExternalId. */
  externalId?: string;
}

/** Every repository's accounts, roles, bucket and key (each its own link), then what the file system needs. */
export function ensureWorld(sim: Sim, request: OnboardingRequest, options: WorldOptions = {}): void {
  const repositories = request.repositories ?? [];
  if (repositories.length <= 1) ensureLinkWorld(sim, request, options);
  else for (const index of repositories.keys()) ensureLinkWorld(sim, linkRequest(request, index), options);
}

function ensureLinkWorld(sim: Sim, request: OnboardingRequest, options: WorldOptions): void {
  const a = request.fileSystem.accountId;
  const b = request.bucket.accountId;
  const c = request.key.arn.split(':')[4]!;
  ensureAccounts(sim, [a, b, c]);
  // The keys in bucket.additionalKeyArns are granted to the SLR too, through the key role of
  // their own account: each is one more scope (its account may be another C).
  const base = scopeOf(request, c);
  const { fileSystemKeyArn: _fileSystemKey, ...keyScope } = base;
  const extraKeys = request.bucket.additionalKeyArns.map((keyArn) => ({ ...keyScope, key: keyArn.split(':')[4]!, keyArn }));
  ensureAccounts(
    sim,
    extraKeys.map((k) => k.key),
  );
  const onboardings = (sim.state.onboardings ??= []);
  for (const scope of [base, ...extraKeys]) if (!onboardings.some((o) => JSON.stringify(o) === JSON.stringify(scope))) onboardings.push(scope);
  // One orchestrator for the world: the account of the first onboarding's, as one deployment
  // has one orchestrator account however many accounts it onboards.
  const orchestratorAccount = sim.state.sessions[ORCHESTRATOR_ACCESS_KEY_ID]?.account ?? a;
  const allFacts = factsOf(onboardings, orchestratorAccount);
  // The orchestrator stack's lock table, in the orchestrator's account (infra/orchestrator-stack.ts).
  ensureTable(sim.state, {
    name: DEFAULT_LOCK_TABLE_NAME,
    account: orchestratorAccount,
    region: request.region,
    partitionKey: LOCK_PARTITION_KEY,
    ttlAttribute: LOCK_EXPIRY_ATTRIBUTE,
  });

  const orchestrator = ensureRole(
    sim,
    orchestratorAccount,
    ORCHESTRATOR_ROLE_NAME,
    { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
    allFacts.map(orchestratorRolePolicy),
  );
  if (!sim.state.sessions[ORCHESTRATOR_ACCESS_KEY_ID]) {
    sim.state.sessions[ORCHESTRATOR_ACCESS_KEY_ID] = {
      accessKeyId: ORCHESTRATOR_ACCESS_KEY_ID,
      secretAccessKey: ORCHESTRATOR_SECRET,
      roleArn: orchestrator,
      sessionArn: `arn:aws:sts::${orchestratorAccount}:assumed-role/${ORCHESTRATOR_ROLE_NAME}/fsx-onboard-local`,
      account: orchestratorAccount,
      expiresAt: Number.MAX_SAFE_INTEGER,
    };
  }
  // Each target role carries exactly the deployed least-privilege policies, for every
  // onboarding that acts through it (recomputed from all of them, never only the latest).
  const trust = targetRoleTrustPolicy([orchestrator], options.externalId);
  const roles: [TargetRole, (facts: DeploymentFacts) => PolicyDocument][] = [
    ['fileSystem', fileSystemRolePolicy],
    ['bucket', bucketRolePolicy],
    ['key', keyRolePolicy],
  ];
  for (const [role, policyOf] of roles) {
    const accounts = new Set(allFacts.map((f) => f.accounts[role]));
    for (const account of accounts) {
      const facts = allFacts.filter((f) => f.accounts[role] === account);
      ensureRole(sim, account, TARGET_ROLE_NAMES[role], trust, facts.map(policyOf));
    }
  }

  if (!sim.state.buckets[request.bucket.name]) {
    sim.state.buckets[request.bucket.name] = {
      name: request.bucket.name,
      account: b,
      region: request.region,
      createdAt: sim.now() - LONG_AGO_MS,
      encryption: null,
      objects: {},
    };
  }
  ensureKey(sim, request.key.arn, 'Customer managed key of the data repository (sandbox)');
  if (request.fileSystem.kmsKeyArn) ensureKey(sim, request.fileSystem.kmsKeyArn, 'Customer managed key of the file system at rest (sandbox)');
  // The request's subnet and security groups (one VPC, Lustre ports open), unless seeded.
  const vpcId = vpcIdFor(request.fileSystem.subnetIds[0]!);
  for (const id of request.fileSystem.subnetIds) ensureSubnet(sim, { id, account: a, region: request.region, vpcId });
  for (const id of request.fileSystem.securityGroupIds)
    ensureSecurityGroup(sim, { id, account: a, region: request.region, vpcId, inbound: LUSTRE_RULES.map((r) => ({ ...r })) });
  const instanceId = request.testExport.clientInstanceId;
  if (instanceId && !sim.state.instances[instanceId]) {
    // Tagged as the deployment's SendCommand statement requires (docs/deploy.md, "Lustre client tag").
    const tags = { [DEFAULT_LUSTRE_CLIENT_TAG.key]: DEFAULT_LUSTRE_CLIENT_TAG.value };
    sim.state.instances[instanceId] = {
      id: instanceId,
      account: a,
      region: request.region,
      lustreClient: true,
      tags,
      mounts: {},
      localDirs: [],
      localFiles: {},
    };
  }
}
