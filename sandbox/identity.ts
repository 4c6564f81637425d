// Who is calling: every access key maps to a role session (role ARN, session ARN, account).
// Roles carry trust and identity policies. IAM is eventually consistent: a new role is
// readable by GetRole after a few seconds and accepted as a policy principal a little later.
import { createHash } from 'node:crypto';
import type { PolicyDocument } from '../policy/types.js';
import { SimError } from './errors.js';
import type { RoleState, WorldState } from './state.js';

/** GetRole sees a new role after this long (virtual ms). */
const ROLE_VISIBLE_AFTER_MS = 4_000;
/** S3 bucket policies, key policies and grants accept a new role as principal after this long. */
const PRINCIPAL_PROPAGATION_MS = 12_000;
/** Sandbox sessions last 12 virtual hours; the SDK sees a real-time expiry instead (see sts.ts). */
export const SESSION_LIFETIME_MS = 12 * 3600_000;

export interface Caller {
  roleArn: string;
  sessionArn: string;
  account: string;
  accessKeyId?: string;
  /** Set when a service acts for the principal (FSx as its SLR, S3 calling KMS). */
  invokedBy?: string;
}

export function roleNameOf(roleArn: string): string {
  return roleArn.slice(roleArn.lastIndexOf('/') + 1);
}

export function sessionArnOf(roleArn: string, account: string, sessionName: string): string {
  return `arn:aws:sts::${account}:assumed-role/${roleNameOf(roleArn)}/${sessionName}`;
}

export function resolveCaller(state: WorldState, accessKeyId: string | undefined, now: number): Caller {
  const session = accessKeyId ? state.sessions[accessKeyId] : undefined;
  if (!session) throw new SimError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
  if (session.expiresAt <= now) throw new SimError('ExpiredToken', 'The security token included in the request is expired', 400);
  return { roleArn: session.roleArn, sessionArn: session.sessionArn, account: session.account, accessKeyId: session.accessKeyId };
}

export function identityPoliciesOf(state: WorldState, roleArn: string): PolicyDocument[] {
  const role = state.roles[roleArn];
  return role ? [...Object.values(role.inlinePolicies), ...role.managedPolicies] : [];
}

export function roleVisible(role: RoleState, now: number): boolean {
  return now >= role.createdAt + ROLE_VISIBLE_AFTER_MS;
}

/**
 * Whether a policy principal names something that exists (and has propagated): S3 answers
 * "Invalid principal in policy", KMS MalformedPolicyDocumentException / InvalidArnException.
 * Account roots of any 12-digit account are accepted (the sandbox does not know every account).
 */
export function principalIsValid(state: WorldState, principal: string, now: number): boolean {
  if (principal === '*' || /^\d{12}$/.test(principal) || /^arn:aws:iam::\d{12}:root$/.test(principal)) return true;
  if (/^arn:aws:sts::\d{12}:assumed-role\/[^/*]+\/[^*]+$/.test(principal)) return true;
  const role = state.roles[principal];
  return !!role && now >= role.createdAt + PRINCIPAL_PROPAGATION_MS;
}

/** Every AWS principal a policy names (Principal.AWS), for existence checks. */
export function awsPrincipalsOf(document: PolicyDocument): string[] {
  const out: string[] = [];
  for (const statement of document.Statement ?? []) {
    for (const p of [statement.Principal, statement.NotPrincipal]) {
      if (!p) continue;
      if (p === '*') out.push('*');
      else if (p.AWS !== undefined) out.push(...(Array.isArray(p.AWS) ? p.AWS : [p.AWS]));
    }
  }
  return out;
}

/** Forgets sessions that expired (virtual time), so a long-lived state file does not grow. */
export function sweepSessions(state: WorldState, now: number): void {
  for (const [key, session] of Object.entries(state.sessions)) if (session.expiresAt <= now) delete state.sessions[key];
}

/** An IAM role or user ARN (no wildcard): what IAM stores as a unique id in a resource policy. */
const IAM_ENTITY_ARN = /^arn:aws:iam::\d{12}:(role|user)\/[^*?]+$/;

/** A stable unique id of the IAM shape (AROA… for roles, AIDA… for users, 21 characters). */
function uniqueIdOf(arn: string): string {
  const prefix = /:user\//.test(arn) ? 'AIDA' : 'AROA';
  return prefix + createHash('sha256').update(arn).digest('hex').toUpperCase().slice(0, 17);
}

/**
 * A resource policy as GetBucketPolicy / GetKeyPolicy return it. IAM keeps a role or user
 * principal as its unique id and maps it back to the ARN on read; once the role or user is
 * deleted the mapping fails and the policy shows the bare id (IAM User Guide, "AWS JSON policy
 * elements: Principal"). The sandbox shows a role it does not know as such an id: the same
 * roles principalIsValid refuses, so what a reader sees is what the next write trips over.
 */
export function policyAsRead(state: WorldState, text: string): string {
  let document: PolicyDocument;
  try {
    document = JSON.parse(text) as PolicyDocument;
  } catch {
    return text;
  }
  let changed = false;
  const shown = (principal: string) => {
    if (!IAM_ENTITY_ARN.test(principal) || state.roles[principal]) return principal;
    changed = true;
    return uniqueIdOf(principal);
  };
  const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  for (const statement of statements) {
    for (const p of [statement.Principal, statement.NotPrincipal]) {
      if (!p || p === '*' || p.AWS === undefined) continue;
      p.AWS = Array.isArray(p.AWS) ? p.AWS.map(shown) : shown(p.AWS);
    }
  }
  return changed ? JSON.stringify(document) : text;
}
