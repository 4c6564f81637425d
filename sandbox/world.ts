// What a request needs to exist before the workflow runs: three accounts, the orchestrator
// role (A), the three target roles trusting it with their identity policies, the bucket (B,
// SSE-S3 default), the key (C, symmetric, default key policy) and a managed instance with a
// Lustre client (A). Nothing that already exists is overwritten, and a role a seed declared
// absent is not created.
import type { OnboardingRequest } from '../core/request.js';
import {
  bucketRolePolicy,
  fileSystemRolePolicy,
  keyRolePolicy,
  orchestratorRolePolicy,
  targetRoleTrustPolicy,
  type DeploymentFacts,
} from '../policy/target-role-policies.js';
import type { PolicyDocument } from '../policy/types.js';
import { ensureSecurityGroup, ensureSubnet, LUSTRE_RULES, vpcIdFor } from './services/ec2.js';
import type { Sim } from './sim.js';

export const ORCHESTRATOR_ROLE_NAME = 'fsx-onboard-orchestrator';
export const ORCHESTRATOR_ACCESS_KEY_ID = 'AKIASANDBOXORCHESTR8';
export const ORCHESTRATOR_SECRET = 'sandbox-orchestrator-secret-not-a-real-key';
export const TARGET_ROLE_NAMES = { fileSystem: 'fsx-onboard-filesystem', bucket: 'fsx-onboard-bucket', key: 'fsx-onboard-key' } as const;
/** Pre-existing things were created long before the run (fully propagated). */
export const LONG_AGO_MS = 86_400_000;

export type WorldRequest = OnboardingRequest;

export function orchestratorRoleArn(accountA: string): string {
  return `arn:aws:iam::${accountA}:role/${ORCHESTRATOR_ROLE_NAME}`;
}

export function ensureAccounts(sim: Sim, accounts: string[]): void {
  for (const account of accounts) if (!sim.state.accounts.includes(account)) sim.state.accounts.push(account);
}

function ensureRole(sim: Sim, account: string, name: string, trustPolicy: PolicyDocument, identityPolicy: PolicyDocument): string {
  const arn = `arn:aws:iam::${account}:role/${name}`;
  // A seed can declare a target role missing, to rehearse the AccessDenied AssumeRole gives.
  if (!sim.state.roles[arn] && !sim.state.absentRoles?.includes(arn)) {
    sim.state.roles[arn] = {
      arn,
      name,
      path: '/',
      account,
      trustPolicy,
      inlinePolicies: { [`${name}-policy`]: identityPolicy },
      managedPolicies: [],
      createdAt: sim.now() - LONG_AGO_MS,
    };
  }
  return arn;
}

/** The default key policy KMS gives a key created without one: the account root gets kms:*. */
export function defaultKeyPolicy(account: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Id: 'key-default-1',
    Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' }],
  };
}

export interface WorldOptions {
  /** The target roles' trust policy then requires this sts:ExternalId. */
  externalId?: string;
}

export function ensureWorld(sim: Sim, request: OnboardingRequest, options: WorldOptions = {}): void {
  const a = request.fileSystem.accountId;
  const b = request.bucket.accountId;
  const keyParts = /^arn:aws:kms:([a-z0-9-]+):(\d{12}):key\/(.+)$/.exec(request.key.arn);
  if (!keyParts) throw new Error(`not a key ARN: ${request.key.arn}`);
  const [, keyRegion, c, keyId] = keyParts as unknown as [string, string, string, string];
  ensureAccounts(sim, [a, b, c]);
  // The roles get exactly the deployed least-privilege policies, scoped to this request.
  const facts: DeploymentFacts = {
    region: request.region,
    accounts: { fileSystem: a, bucket: b, key: c },
    orchestratorAccountId: a,
    bucketNames: [request.bucket.name],
    keyArns: [request.key.arn],
  };

  const orchestrator = ensureRole(
    sim,
    a,
    ORCHESTRATOR_ROLE_NAME,
    { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
    orchestratorRolePolicy(facts),
  );
  if (!sim.state.sessions[ORCHESTRATOR_ACCESS_KEY_ID]) {
    sim.state.sessions[ORCHESTRATOR_ACCESS_KEY_ID] = {
      accessKeyId: ORCHESTRATOR_ACCESS_KEY_ID,
      secretAccessKey: ORCHESTRATOR_SECRET,
      roleArn: orchestrator,
      sessionArn: `arn:aws:sts::${a}:assumed-role/${ORCHESTRATOR_ROLE_NAME}/fsx-onboard-local`,
      account: a,
      expiresAt: Number.MAX_SAFE_INTEGER,
    };
  }
  const trust = targetRoleTrustPolicy([orchestrator], options.externalId);
  ensureRole(sim, a, TARGET_ROLE_NAMES.fileSystem, trust, fileSystemRolePolicy(facts));
  ensureRole(sim, b, TARGET_ROLE_NAMES.bucket, trust, bucketRolePolicy(facts));
  ensureRole(sim, c, TARGET_ROLE_NAMES.key, trust, keyRolePolicy(facts));

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
  if (!sim.state.keys[request.key.arn]) {
    sim.state.keys[request.key.arn] = {
      arn: request.key.arn,
      keyId,
      account: c,
      region: keyRegion,
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
      keyState: 'Enabled',
      description: 'Customer managed key of the data repository (sandbox)',
      createdAt: sim.now() - LONG_AGO_MS,
      policy: JSON.stringify(defaultKeyPolicy(c)),
      grants: [],
      grantCreatedAt: {},
    };
  }
  // The request's subnet and security groups (one VPC, Lustre ports open), unless seeded.
  const vpcId = vpcIdFor(request.fileSystem.subnetIds[0]!);
  for (const id of request.fileSystem.subnetIds) ensureSubnet(sim, { id, account: a, region: request.region, vpcId });
  for (const id of request.fileSystem.securityGroupIds)
    ensureSecurityGroup(sim, { id, account: a, region: request.region, vpcId, inbound: LUSTRE_RULES.map((r) => ({ ...r })) });
  const instanceId = request.testExport.clientInstanceId;
  if (instanceId && !sim.state.instances[instanceId]) {
    sim.state.instances[instanceId] = { id: instanceId, account: a, region: request.region, lustreClient: true, mounts: {}, localDirs: [], localFiles: {} };
  }
}
