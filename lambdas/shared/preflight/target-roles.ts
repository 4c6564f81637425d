// Every step acts through a target role that the target-account stack deploys and that trusts
// the orchestrator: a role that is missing or does not trust the caller fails the first step that
// needs it (AccessDenied on sts:AssumeRole). GetCallerIdentity needs no permission, so through a
// target's clients it fails only when that AssumeRole does.
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { ClientFactory, TargetRole } from '../clients.js';
import type { CheckResult } from './types.js';

const what: Record<TargetRole, string> = { fileSystem: 'file system (A)', bucket: 'bucket (B)', key: 'key (C)' };

export async function targetRoleCheck(factory: ClientFactory, role: TargetRole, account: string): Promise<CheckResult> {
  const roleArn = factory.roleArn(role, account);
  const name = `targetRole:${role}`;
  try {
    const { Arn } = await factory.forTarget(role, account).sts.send(new GetCallerIdentityCommand({}));
    return { name, status: 'pass', detail: `${roleArn} (${what[role]}) can be assumed: acting as ${Arn}` };
  } catch (e) {
    const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return {
      name,
      status: 'fail',
      detail: `${roleArn} (${what[role]}) cannot be assumed (${error}): deploy the target-account stack in ${account} (docs/deploy.md) and check that its trust policy names the caller`,
    };
  }
}
