// AWS's policy evaluation logic for the requests this project cares about (S3 objects and
// buckets, KMS keys, role trust). What is modelled: explicit deny wins; same account, an
// identity OR a resource policy allow suffices; cross account, both are needed; KMS keys
// and role trust policies must always allow (naming the account root only delegates to the
// account's identity policies, even inside the key's own account); a KMS grant is an
// alternative to the policies. Not modelled: SCPs/RCPs, permission boundaries, session
// policies, policy variables.
import { conditionContext, conditionsHold, type ConditionContext } from './conditions.js';
import { findCoveringGrant } from './grants.js';
import { excludedByNotPrincipal, principalMatches, statementActionMatches, statementResourceMatches } from './matching.js';
import type { AccessDecision, AccessInputs, AccessRequest, DenialReason, PolicyDocument, PolicyStatement } from './types.js';

interface Match {
  label: string;
  statement: PolicyStatement;
}

interface SideResult {
  allows: Match[];
  /** Resource side only: allows that name the caller's account, not the caller (delegation). */
  accountAllows: Match[];
  denies: Match[];
}

/** The request context IAM builds: global keys from the caller, then the request's own keys. */
function requestContext(request: AccessRequest): ConditionContext {
  const { principal } = request;
  const type = principal.type ?? 'AWS';
  const globals: Record<string, string> =
    type === 'Service'
      ? { 'aws:PrincipalServiceName': principal.arn, 'aws:PrincipalIsAWSService': 'true', 'aws:SourceAccount': principal.account }
      : {
          'aws:PrincipalArn': principal.arn,
          'aws:PrincipalAccount': principal.account,
          'aws:PrincipalIsAWSService': 'false',
          'aws:PrincipalType': principal.sessionArn ? 'AssumedRole' : principal.arn.endsWith(':root') ? 'Account' : 'User',
        };
  // KMS always records the caller's account; a request context may still say otherwise (e.g. via a service).
  if (request.action.toLowerCase().startsWith('kms:') && type === 'AWS') globals['kms:CallerAccount'] = principal.account;
  return conditionContext({ ...globals, ...(request.context ?? {}) });
}

function label(statement: PolicyStatement, side: string, policy: number, index: number): string {
  return statement.Sid ?? `${side}[${policy}].Statement[${index}]`;
}

function appliesTo(statement: PolicyStatement, request: AccessRequest, context: ConditionContext): boolean {
  return (
    statementActionMatches(statement, request.action) && statementResourceMatches(statement, request.resource) && conditionsHold(statement.Condition, context)
  );
}

function evaluateSide(policies: PolicyDocument[], side: 'identity' | 'resource', request: AccessRequest, context: ConditionContext): SideResult {
  const result: SideResult = { allows: [], accountAllows: [], denies: [] };
  policies.forEach((policy, p) => {
    policy.Statement.forEach((statement, i) => {
      let how: 'direct' | 'account' = 'direct';
      if (side === 'resource') {
        if (statement.Principal !== undefined) {
          const match = principalMatches(statement.Principal, request.principal);
          if (!match) return;
          how = match;
        } else if (statement.NotPrincipal !== undefined) {
          if (excludedByNotPrincipal(statement.NotPrincipal, request.principal)) return;
        } else return; // a resource policy statement without a principal applies to no one
      }
      if (!appliesTo(statement, request, context)) return;
      const match = { label: label(statement, side, p, i), statement };
      if (statement.Effect === 'Deny') result.denies.push(match);
      else if (how === 'account') result.accountAllows.push(match);
      else result.allows.push(match);
    });
  });
  return result;
}

/** KMS key policies and role trust policies must allow; the resource's account cannot grant through IAM alone. */
function resourcePolicyRequired(action: string): boolean {
  const lower = action.toLowerCase();
  return lower.startsWith('kms:') || lower.startsWith('sts:assumerole');
}

function denialMessage(request: AccessRequest, reason: DenialReason): string {
  const who = request.principal.sessionArn ?? request.principal.arn;
  const head = `User: ${who} is not authorized to perform: ${request.action} on resource: ${request.resource}`;
  switch (reason) {
    case 'explicit-deny-resource':
      return `${head} with an explicit deny in a resource-based policy`;
    case 'explicit-deny-identity':
      return `${head} with an explicit deny in an identity-based policy`;
    case 'no-resource-allow':
      return `${head} because no resource-based policy allows the ${request.action} action`;
    case 'no-identity-allow':
      return `${head} because no identity-based policy allows the ${request.action} action`;
  }
}

function deny(request: AccessRequest, reason: DenialReason, matched: Match[]): AccessDecision {
  return { allowed: false, deniedBecause: reason, message: denialMessage(request, reason), matchedStatements: matched.map((m) => m.label) };
}

export function evaluateAccess(inputs: AccessInputs): AccessDecision {
  const { request } = inputs;
  const context = requestContext(request);
  const identity = evaluateSide(inputs.identityPolicies, 'identity', request, context);
  const resource = evaluateSide(inputs.resourcePolicy ? [inputs.resourcePolicy] : [], 'resource', request, context);

  // Explicit deny anywhere wins, over allows and over grants alike.
  if (resource.denies.length > 0) return deny(request, 'explicit-deny-resource', resource.denies);
  if (identity.denies.length > 0) return deny(request, 'explicit-deny-identity', identity.denies);

  const identityAllows = identity.allows.length > 0;
  const resourceDirect = resource.allows.length > 0;
  const resourceAny = resourceDirect || resource.accountAllows.length > 0;
  const sameAccount = request.principal.account === request.resourceAccount;
  const allowedBy: NonNullable<AccessDecision['allowedBy']> = [];
  const matched: Match[] = [];
  const use = (side: 'identity' | 'resource', matches: Match[]) => {
    allowedBy.push(side);
    matched.push(...matches);
  };

  let allowed: boolean;
  let reason: DenialReason;
  if (resourcePolicyRequired(request.action)) {
    // The resource policy must allow; unless it names the caller itself in its own account,
    // the caller's identity policy must allow too (account delegation or cross-account).
    allowed = resourceAny && ((resourceDirect && sameAccount) || identityAllows);
    reason = resourceAny ? 'no-identity-allow' : 'no-resource-allow';
    if (allowed) {
      if (identityAllows && !(resourceDirect && sameAccount)) use('identity', identity.allows);
      use('resource', [...resource.allows, ...resource.accountAllows]);
    }
  } else if (sameAccount) {
    // Either side suffices; a resource statement naming only the account delegates to IAM.
    allowed = identityAllows || resourceDirect;
    reason = 'no-identity-allow';
    if (identityAllows) use('identity', identity.allows);
    if (resourceDirect) use('resource', resource.allows);
  } else {
    allowed = identityAllows && resourceAny;
    reason = identityAllows ? 'no-resource-allow' : 'no-identity-allow';
    if (allowed) {
      use('identity', identity.allows);
      use('resource', [...resource.allows, ...resource.accountAllows]);
    }
  }
  if (allowed) return { allowed, allowedBy, matchedStatements: matched.map((m) => m.label) };

  if (inputs.kms) {
    const { grant } = findCoveringGrant(request, inputs.kms);
    if (grant) return { allowed: true, allowedBy: ['grant'], matchedStatements: [`grant:${grant.name ?? grant.grantId}`], grantId: grant.grantId };
  }
  return deny(request, reason, []);
}
