// IAM: roles with path, trust policy and identity policies. GetRole sees a new role only after
// IAM propagation (a few virtual seconds), which is what WaitForServiceLinkedRole polls for, and
// authorises the caller before it says whether the role exists.
import { SimError } from '../errors.js';
import { roleVisible } from '../identity.js';
import type { Call } from '../sim.js';
import type { RoleState } from '../state.js';
import type { ServiceModel } from './types.js';

function describeRole(role: RoleState) {
  return {
    Path: role.path,
    RoleName: role.name,
    RoleId: `AROA${role.account}${role.name.length}`,
    Arn: role.arn,
    CreateDate: new Date(role.createdAt),
    AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(role.trustPolicy)),
    MaxSessionDuration: 3600,
    ...(role.serviceLinked ? { Description: 'Service-linked role for Amazon FSx S3 data repository access' } : {}),
  };
}

function visibleRole(call: Call, name: string): RoleState {
  const found = Object.values(call.sim.state.roles).find((r) => r.account === call.caller.account && r.name === name);
  const role = found && roleVisible(found, call.sim.now()) ? found : undefined;
  // IAM authorises before it reveals whether the role exists: a caller without the permission
  // gets AccessDenied, never NoSuchEntity. A role IAM does not (yet) know has no path, so the
  // request is authorised on role/<name>; an existing one on its ARN with its path.
  const arn = role?.arn ?? `arn:aws:iam::${call.caller.account}:role/${name}`;
  call.resources.push({ ARN: arn, accountId: call.caller.account, type: 'AWS::IAM::Role' });
  call.sim.authorize('iam', call.caller, {
    action: `iam:${call.operation === 'GetRolePolicy' ? 'GetRolePolicy' : call.operation === 'ListRolePolicies' ? 'ListRolePolicies' : 'GetRole'}`,
    resource: arn,
    resourceAccount: call.caller.account,
  });
  if (!role) throw new SimError('NoSuchEntity', `The role with name ${name} cannot be found.`, 404);
  return role;
}

export const iam: ServiceModel = {
  GetRole(call) {
    return { Role: describeRole(visibleRole(call, String(call.input.RoleName))) };
  },

  ListRoles(call) {
    const prefix = String(call.input.PathPrefix ?? '/');
    call.sim.authorize('iam', call.caller, {
      action: 'iam:ListRoles',
      resource: `arn:aws:iam::${call.caller.account}:role${prefix}*`,
      resourceAccount: call.caller.account,
    });
    const roles = Object.values(call.sim.state.roles).filter(
      (r) => r.account === call.caller.account && r.path.startsWith(prefix) && roleVisible(r, call.sim.now()),
    );
    return { Roles: roles.map(describeRole), IsTruncated: false };
  },

  ListRolePolicies(call) {
    const role = visibleRole(call, String(call.input.RoleName));
    return { PolicyNames: Object.keys(role.inlinePolicies), IsTruncated: false };
  },

  GetRolePolicy(call) {
    const role = visibleRole(call, String(call.input.RoleName));
    const document = role.inlinePolicies[String(call.input.PolicyName)];
    if (!document) throw new SimError('NoSuchEntity', `The role policy with name ${call.input.PolicyName} cannot be found.`, 404);
    return { RoleName: role.name, PolicyName: call.input.PolicyName, PolicyDocument: encodeURIComponent(JSON.stringify(document)) };
  },
};
