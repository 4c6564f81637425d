// STS: AssumeRole checks the target role's trust policy (with sts:ExternalId) and, across
// accounts, the caller's identity policy; it issues keys the sandbox maps to the session.
import { SimError } from '../errors.js';
import { roleVisible, sessionArnOf, SESSION_LIFETIME_MS } from '../identity.js';
import type { Sim } from '../sim.js';
import { nextAlnum } from '../state.js';
import type { ServiceModel } from './types.js';

/** Creates a session of `roleArn` (used by AssumeRole and for the orchestrator's own keys). */
function issueSession(sim: Sim, roleArn: string, sessionName: string, accessKeyId?: string) {
  const role = sim.state.roles[roleArn];
  if (!role) throw new Error(`no role ${roleArn}`);
  const session = {
    accessKeyId: accessKeyId ?? `ASIA${nextAlnum(sim.state, 16)}`,
    secretAccessKey: nextAlnum(sim.state, 40),
    sessionToken: `sandbox/${nextAlnum(sim.state, 64)}`,
    roleArn,
    sessionArn: sessionArnOf(roleArn, role.account, sessionName),
    account: role.account,
    expiresAt: sim.now() + SESSION_LIFETIME_MS,
  };
  sim.state.sessions[session.accessKeyId] = session;
  return session;
}

export const sts: ServiceModel = {
  AssumeRole(call) {
    const { RoleArn, RoleSessionName, ExternalId } = call.input as { RoleArn: string; RoleSessionName: string; ExternalId?: string };
    const role = call.sim.state.roles[RoleArn];
    const account = /^arn:aws:iam::(\d{12}):role\//.exec(RoleArn)?.[1] ?? call.caller.account;
    call.resources.push({ ARN: RoleArn, accountId: account, type: 'AWS::IAM::Role' });
    call.resourceAccount = account;
    const notAuthorized = () =>
      new SimError('AccessDenied', `User: ${call.caller.sessionArn} is not authorized to perform: sts:AssumeRole on resource: ${RoleArn}`, 403);
    if (!role || !roleVisible(role, call.sim.now()) || role.serviceLinked) throw notAuthorized();
    const decision = call.sim.decide(
      call.caller,
      { action: 'sts:AssumeRole', resource: RoleArn, resourceAccount: role.account, context: ExternalId !== undefined ? { 'sts:ExternalId': ExternalId } : {} },
      { resourcePolicy: role.trustPolicy },
    );
    // The trust policy must allow the caller in every case, even within one account.
    if (!decision.allowed || !decision.allowedBy?.includes('resource')) throw notAuthorized();
    const session = issueSession(call.sim, RoleArn, RoleSessionName);
    call.responseElements = { assumedRoleUser: { arn: session.sessionArn }, credentials: { accessKeyId: session.accessKeyId } };
    return {
      Credentials: {
        AccessKeyId: session.accessKeyId,
        SecretAccessKey: session.secretAccessKey,
        SessionToken: session.sessionToken,
        // The SDK caches credentials against real time; the sandbox enforces virtual expiry itself.
        Expiration: new Date(Date.now() + 3600_000),
      },
      AssumedRoleUser: { AssumedRoleId: `AROA${role.account}:${RoleSessionName}`, Arn: session.sessionArn },
    };
  },

  GetCallerIdentity(call) {
    return { UserId: `AROA${call.caller.account}:${call.caller.sessionArn.split('/').pop()}`, Account: call.caller.account, Arn: call.caller.sessionArn };
  },
};
