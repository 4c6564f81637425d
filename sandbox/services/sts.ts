// STS: AssumeRole checks the target role's trust policy (with sts:ExternalId, and
// sts:SetSourceIdentity when a source identity is set) and, across accounts, the caller's
// identity policy; it issues keys the sandbox maps to the session.
import { SimError } from '../errors.js';
import { roleVisible, sessionArnOf, SESSION_LIFETIME_MS } from '../identity.js';
import type { Sim } from '../sim.js';
import { nextAlnum } from '../state.js';
import type { ServiceModel } from './types.js';
import { VirtualExpiry } from '../virtual-expiry.js';

/** Creates a session of `roleArn` (used by AssumeRole and for the orchestrator's own keys). */
function issueSession(sim: Sim, roleArn: string, sessionName: string, extra: { sourceIdentity?: string; assumedBy?: string } = {}, accessKeyId?: string) {
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
    ...(extra.sourceIdentity !== undefined ? { sourceIdentity: extra.sourceIdentity } : {}),
    ...(extra.assumedBy !== undefined ? { assumedBy: extra.assumedBy } : {}),
  };
  sim.state.sessions[session.accessKeyId] = session;
  return session;
}

/** RoleSessionName and SourceIdentity: 2-64 characters of [\w+=,.@-] (STS API reference). */
function checkSessionText(member: 'roleSessionName' | 'sourceIdentity', value: unknown): void {
  const text = String(value ?? '');
  if (text.length < 2 || text.length > 64)
    throw new SimError(
      'ValidationError',
      `1 validation error detected: Value '${text}' at '${member}' failed to satisfy constraint: Member must have length between 2 and 64`,
    );
  if (!/^[\w+=,.@-]*$/.test(text))
    throw new SimError(
      'ValidationError',
      `1 validation error detected: Value '${text}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
    );
}

export const sts: ServiceModel = {
  AssumeRole(call) {
    const { RoleArn, RoleSessionName, ExternalId, SourceIdentity } = call.input as {
      RoleArn: string;
      RoleSessionName: string;
      ExternalId?: string;
      SourceIdentity?: string;
    };
    checkSessionText('roleSessionName', RoleSessionName);
    if (SourceIdentity !== undefined) checkSessionText('sourceIdentity', SourceIdentity);
    // A source identity, once set, carries over to chained sessions and cannot be changed.
    const inherited = call.sim.state.sessions[call.caller.accessKeyId ?? '']?.sourceIdentity;
    const sourceIdentity = inherited ?? SourceIdentity;
    const role = call.sim.state.roles[RoleArn];
    const account = /^arn:aws:iam::(\d{12}):role\//.exec(RoleArn)?.[1] ?? call.caller.account;
    call.resources.push({ ARN: RoleArn, accountId: account, type: 'AWS::IAM::Role' });
    call.resourceAccount = account;
    const notAuthorized = (action = 'sts:AssumeRole') =>
      new SimError('AccessDenied', `User: ${call.caller.sessionArn} is not authorized to perform: ${action} on resource: ${RoleArn}`, 403);
    if (!role || !roleVisible(role, call.sim.now()) || role.serviceLinked) throw notAuthorized();
    if (inherited !== undefined && SourceIdentity !== undefined && SourceIdentity !== inherited) throw notAuthorized();
    const context = {
      ...(ExternalId !== undefined ? { 'sts:ExternalId': ExternalId } : {}),
      ...(sourceIdentity !== undefined ? { 'sts:SourceIdentity': sourceIdentity } : {}),
    };
    // Setting a source identity needs sts:SetSourceIdentity in the trust policy as well.
    const actions = sourceIdentity !== undefined ? ['sts:AssumeRole', 'sts:SetSourceIdentity'] : ['sts:AssumeRole'];
    for (const action of actions) {
      const decision = call.sim.decide(
        call.caller,
        { action, resource: RoleArn, resourceAccount: role.account, context },
        { resourcePolicy: role.trustPolicy },
      );
      // The trust policy must allow the caller in every case, even within one account.
      if (!decision.allowed || !decision.allowedBy?.includes('resource')) throw notAuthorized(action);
    }
    const session = issueSession(call.sim, RoleArn, RoleSessionName, {
      ...(sourceIdentity !== undefined ? { sourceIdentity } : {}),
      assumedBy: call.caller.roleArn,
    });
    call.responseElements = { assumedRoleUser: { arn: session.sessionArn }, credentials: { accessKeyId: session.accessKeyId } };
    return {
      Credentials: {
        AccessKeyId: session.accessKeyId,
        SecretAccessKey: session.secretAccessKey,
        SessionToken: session.sessionToken,
        // The SDK caches credentials against real time: this expiry follows the virtual clock.
        Expiration: new VirtualExpiry(call.sim, session.expiresAt),
      },
      AssumedRoleUser: { AssumedRoleId: `AROA${role.account}:${RoleSessionName}`, Arn: session.sessionArn },
      ...(sourceIdentity !== undefined ? { SourceIdentity: sourceIdentity } : {}),
    };
  },

  GetCallerIdentity(call) {
    return { UserId: `AROA${call.caller.account}:${call.caller.sessionArn.split('/').pop()}`, Account: call.caller.account, Arn: call.caller.sessionArn };
  },
};
