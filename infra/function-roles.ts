// One IAM role per step function. What each may do follows from the accounts its step acts in
// (workflow/steps.ts): A, B and C are the file-system, bucket and key target roles it may
// assume; "orchestrator" is the change records in the orchestrator's own Parameter Store and
// the lock table (a step with a lockedDocument).
// The names are fixed (<prefix>-<StateName>) because the target roles in other accounts can
// trust a role only by a literal ARN.
import type { TargetRole } from '../core/roles.js';
import type { FunctionAccess } from '../policy/target-role-policies.js';
import { allStepNames, Steps, type StepAccount, type StepName } from '../workflow/steps.js';
import { partitionOf, type DeploymentConfig } from './config.js';

const TARGET_OF: Record<Exclude<StepAccount, 'orchestrator'>, TargetRole> = { A: 'fileSystem', B: 'bucket', C: 'key' };

/**
 * What each step that keeps change records does with them: SetDefaultEncryption reads and writes
 * the record before it changes the bucket, RestoreDefaultEncryption reads and deletes it.
 */
const CHANGE_RECORD_ACTIONS: Partial<Record<StepName, FunctionAccess['changeRecords']>> = {
  SetDefaultEncryption: ['ssm:GetParameter', 'ssm:PutParameter'],
  // GetParametersByPath: the bucket's other records say who still relies on its encryption;
  // PutParameter: the original configuration, left for the last of them.
  RestoreDefaultEncryption: ['ssm:GetParameter', 'ssm:GetParametersByPath', 'ssm:PutParameter', 'ssm:DeleteParameter'],
};

/**
 * The steps that write or remove shared statements (bucket.access "file-systems-of-account")
 * record, or drop and count, each request's reliance on them.
 */
const RELIANCE_RECORD_ACTIONS: Partial<Record<StepName, FunctionAccess['relianceRecords']>> = {
  PutBucketAccessPolicy: ['ssm:GetParameter', 'ssm:PutParameter'],
  ShareKey: ['ssm:GetParameter', 'ssm:PutParameter'],
  RemoveBucketAccess: ['ssm:GetParameter', 'ssm:DeleteParameter', 'ssm:GetParametersByPath'],
  UnshareKey: ['ssm:GetParameter', 'ssm:DeleteParameter', 'ssm:GetParametersByPath'],
};

export function functionAccess(step: StepName): FunctionAccess {
  const accounts: readonly StepAccount[] = Steps[step].accounts;
  const changeRecords = CHANGE_RECORD_ACTIONS[step] ?? [];
  const relianceRecords = RELIANCE_RECORD_ACTIONS[step] ?? [];
  const locks = Steps[step].lockedDocument !== undefined;
  // A step that acts in the orchestrator's account keeps change or reliance records or takes locks there.
  if (accounts.includes('orchestrator') !== (changeRecords.length + relianceRecords.length > 0 || locks))
    throw new Error(
      `${step}: workflow/steps.ts (accounts, lockedDocument) and the record actions (infra/function-roles.ts) disagree on what it does in the orchestrator's account`,
    );
  return {
    targetRoles: accounts.flatMap((a) => (a === 'orchestrator' ? [] : [TARGET_OF[a]])),
    changeRecords,
    relianceRecords,
    ...(locks ? { locks: true } : {}),
  };
}

/** The steps whose functions act through `role`: exactly the principals its trust policy names. */
export const stepsActingThrough = (role: TargetRole): StepName[] => allStepNames.filter((step) => functionAccess(step).targetRoles.includes(role));

export const functionRoleName = (config: DeploymentConfig, step: StepName): string => `${config.functionRolePrefix}-${step}`;

/**
 * The lock table's name, fixed like the roles' (<prefix>-locks: the default prefix gives the
 * name the local sandbox uses), so each function's policy names the table by literal ARN.
 */
export const lockTableName = (config: DeploymentConfig): string => `${config.functionRolePrefix}-locks`;

export const functionRoleArn = (config: DeploymentConfig, step: StepName, partition = partitionOf(config.region)): string =>
  `arn:${partition}:iam::${config.orchestratorAccount}:role/${functionRoleName(config, step)}`;
