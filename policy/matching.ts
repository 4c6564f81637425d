// How IAM matches the Action, Resource and Principal elements of a statement against one
// request. Kept apart from the decision logic so each rule can be tested on its own.
import { parse as parseArn, validate as isArn } from '@aws-sdk/util-arn-parser';
import type { AccessRequest, PolicyStatement, StringOrList } from './types.js';

export function asList(value: StringOrList | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** Compiled patterns: the sandbox evaluates the same few policies on every call it serves. */
const compiled = new Map<string, RegExp>();
const COMPILED_KEPT = 10_000;

/** IAM wildcards: `*` is any run of characters (also empty), `?` exactly one. */
export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  if (pattern === '*') return true;
  const cacheKey = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let regex = compiled.get(cacheKey);
  if (!regex) {
    const source = pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    if (compiled.size >= COMPILED_KEPT) compiled.clear();
    regex = new RegExp(`^${source}$`, ignoreCase ? 'is' : 's');
    compiled.set(cacheKey, regex);
  }
  return regex.test(value);
}

/** Action names: service prefix and action are both case-insensitive. */
export function actionMatches(pattern: string, action: string): boolean {
  return globMatch(pattern, action, true);
}

/**
 * ARN matching as ArnLike / the Resource element do it: each of the six colon-delimited
 * parts is matched on its own, so a `*` in the region cannot swallow the account. A pattern
 * that is not a six-part ARN (`*`, `arn:aws:*`) is matched against the whole string.
 */
export function arnMatches(pattern: string, arn: string): boolean {
  if (pattern === '*') return true;
  if (!isArn(pattern) || !isArn(arn)) return globMatch(pattern, arn);
  const p = parseArn(pattern);
  const a = parseArn(arn);
  return (
    globMatch(p.partition, a.partition) &&
    globMatch(p.service, a.service) &&
    globMatch(p.region, a.region) &&
    globMatch(p.accountId, a.accountId) &&
    globMatch(p.resource, a.resource)
  );
}

export function statementActionMatches(statement: PolicyStatement, action: string): boolean {
  if (statement.Action !== undefined) return asList(statement.Action).some((p) => actionMatches(p, action));
  if (statement.NotAction !== undefined) return !asList(statement.NotAction).some((p) => actionMatches(p, action));
  return false;
}

export function statementResourceMatches(statement: PolicyStatement, resource: string): boolean {
  if (statement.Resource !== undefined) return asList(statement.Resource).some((p) => arnMatches(p, resource));
  if (statement.NotResource !== undefined) return !asList(statement.NotResource).some((p) => arnMatches(p, resource));
  // A resource policy statement may omit Resource: it then covers the resource it is attached to.
  return true;
}

/**
 * How a resource policy's Principal names the caller. `direct`: the caller itself (its role,
 * session, user, service, or everyone). `account`: only its account (root ARN or bare id),
 * which delegates to the account's identity policies rather than granting by itself.
 */
export type PrincipalMatch = 'direct' | 'account' | false;

type PrincipalElement = NonNullable<PolicyStatement['Principal']> | NonNullable<PolicyStatement['NotPrincipal']>;

function accountOf(value: string): string | undefined {
  if (/^\d{12}$/.test(value)) return value;
  if (!isArn(value)) return undefined;
  const arn = parseArn(value);
  return arn.service === 'iam' && arn.resource === 'root' ? arn.accountId : undefined;
}

export function principalMatches(element: PrincipalElement, principal: AccessRequest['principal']): PrincipalMatch {
  if (element === '*') return 'direct';
  const type = principal.type ?? 'AWS';
  if (type === 'Service') {
    const services = 'Service' in element ? asList(element.Service) : [];
    return services.includes(principal.arn) || asList(element.AWS).includes('*') ? 'direct' : false;
  }
  let best: PrincipalMatch = false;
  for (const value of asList(element.AWS)) {
    if (value === '*' || value === principal.arn || (principal.sessionArn !== undefined && value === principal.sessionArn)) {
      return 'direct';
    }
    if (accountOf(value) === principal.account) best = 'account';
  }
  return best;
}

/**
 * NotPrincipal: AWS checks the caller's account, then its role or user, then the session,
 * so a caller is excluded only when its account and its role (or session) are both listed;
 * listing only the role leaves the statement applying to it through its account.
 */
export function excludedByNotPrincipal(element: NonNullable<PolicyStatement['NotPrincipal']>, principal: AccessRequest['principal']): boolean {
  if ((principal.type ?? 'AWS') === 'Service') return principalMatches(element, principal) !== false;
  const values = asList(element.AWS);
  if (values.includes('*')) return true;
  const accountListed = values.some((v) => accountOf(v) === principal.account);
  const isRoot = accountOf(principal.arn) === principal.account;
  return accountListed && (isRoot || principalMatches(element, principal) === 'direct');
}
