// policy/ writes plain IAM JSON (shared with the sandbox, which enforces the same documents);
// this turns a deployment's configuration into its facts and the documents into CDK classes.
// CDK tokens inside the strings (the partition) pass through.
import * as iam from 'aws-cdk-lib/aws-iam';
import type { TargetRole } from '../core/roles.js';
import {
  bucketRolePolicy,
  fileSystemRolePolicy,
  functionRolePolicy,
  keyRolePolicy,
  targetRoleArn,
  targetRoleTrustPolicy,
  type DeploymentFacts,
} from '../policy/target-role-policies.js';
import type { PolicyDocument } from '../policy/types.js';
import type { StepName } from '../workflow/steps.js';
import type { DeploymentConfig } from './config.js';
import { functionAccess, functionRoleArn, lockTableName, stepsActingThrough } from './function-roles.js';

export function toCdkPolicyDocument(document: PolicyDocument): iam.PolicyDocument {
  return iam.PolicyDocument.fromJson(document);
}

/** One account per role as policy/ expects; "*" where a deployment serves several (or none). */
const single = (accounts: string[]): string => (accounts.length === 1 ? accounts[0]! : '*');

function facts(config: DeploymentConfig, partition: string, accounts: DeploymentFacts['accounts']): DeploymentFacts {
  return {
    partition,
    region: config.region,
    accounts,
    orchestratorAccountId: config.orchestratorAccount,
    lockTableName: lockTableName(config),
    roleNames: config.roleNames,
    bucketNames: config.bucketNames,
    keyArns: config.keyArns,
    lustreClientTag: config.lustreClientTag,
    linkedPrefixes: config.linkedPrefixes,
    fileSystemKeyArns: config.fileSystemKeyArns,
  };
}

/** A step function's own identity policy: AssumeRole on each configured ARN of the target roles its step needs (no pattern). */
export function functionDocument(config: DeploymentConfig, partition: string, step: StepName): PolicyDocument {
  const access = functionAccess(step);
  const base = facts(config, partition, {
    fileSystem: single(config.accounts.fileSystem),
    bucket: single(config.accounts.bucket),
    key: single(config.accounts.key),
  });
  const document = functionRolePolicy(base, access);
  // policy/ names one account per role; a deployment may serve several accounts per role.
  const roleArns = access.targetRoles.flatMap((role) =>
    config.accounts[role].map((account) => targetRoleArn({ ...base, accounts: { ...base.accounts, [role]: account } }, role)),
  );
  const Statement = document.Statement.flatMap((s) => {
    if (s.Sid !== 'AssumeTargetRoles') return [s];
    return roleArns.length ? [{ ...s, Resource: [...new Set(roleArns)] }] : [];
  });
  return { ...document, Statement };
}

/** The identity policy of `role` deployed in `account`. */
export function targetRoleDocument(config: DeploymentConfig, partition: string, role: TargetRole, account: string): PolicyDocument {
  // The key role grants to the SLRs of the file-system account(s); the others act in their own account.
  const f = facts(config, partition, { fileSystem: role === 'fileSystem' ? account : single(config.accounts.fileSystem), bucket: account, key: account });
  if (role === 'fileSystem') return fileSystemRolePolicy(f);
  if (role === 'bucket') return bucketRolePolicy(f);
  // A key role acts only on keys of its own account.
  const ownKeys = config.keyArns.filter((arn) => arn.split(':')[4] === account);
  if (ownKeys.length === 0) throw new Error(`context "keyArns" names no key of key account ${account}`);
  return keyRolePolicy({ ...f, keyArns: ownKeys });
}

/** Trust of `role`: exactly the function roles whose steps act through it. */
export function targetTrustDocument(config: DeploymentConfig, partition: string, role: TargetRole): PolicyDocument {
  return targetRoleTrustPolicy(
    stepsActingThrough(role).map((step) => functionRoleArn(config, step, partition)),
    config.externalId,
  );
}
