// KMS grants: an alternative to the key policy + IAM pair. A grant lets its grantee use the
// listed operations even across accounts and with no identity policy at all, which is why
// the blog needs one for the FSx service-linked role (its permissions cannot be edited).
import type { AccessRequest, KmsGrant } from './types.js';

const ENCRYPTION_CONTEXT_PREFIX = 'kms:encryptioncontext:';

/** Grant constraints do not apply to operations that carry no encryption context. */
const OPERATIONS_WITHOUT_CONTEXT = new Set(['DescribeKey', 'RetireGrant', 'CreateGrant']);

/** `kms:Decrypt` → `Decrypt`; undefined for non-KMS actions. */
function grantOperation(action: string): string | undefined {
  const [service, name] = action.split(':');
  return service?.toLowerCase() === 'kms' && name ? name : undefined;
}

/** The request's encryption context, from its `kms:EncryptionContext:<key>` context keys (EC keys keep their case). */
function encryptionContextOf(context: AccessRequest['context']): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(context ?? {})) {
    if (!key.toLowerCase().startsWith(ENCRYPTION_CONTEXT_PREFIX)) continue;
    const text = typeof value === 'string' ? value : value[0];
    if (text !== undefined) result[key.slice(ENCRYPTION_CONTEXT_PREFIX.length)] = text;
  }
  return result;
}

function constraintsHold(grant: KmsGrant, operation: string, encryptionContext: Record<string, string>): boolean {
  const constraints = grant.constraints;
  if (!constraints || OPERATIONS_WITHOUT_CONTEXT.has(operation)) return true;
  const { encryptionContextSubset: subset, encryptionContextEquals: equals } = constraints;
  if (subset && !Object.entries(subset).every(([k, v]) => encryptionContext[k] === v)) return false;
  if (equals) {
    const keys = Object.keys(encryptionContext);
    if (keys.length !== Object.keys(equals).length || !keys.every((k) => equals[k] === encryptionContext[k])) return false;
  }
  return true;
}

export interface GrantCheck {
  grant?: KmsGrant;
  /** Grants that would cover the request but are not yet in effect and whose token was not presented. */
  pending: KmsGrant[];
}

/**
 * The first grant that covers the request: same key, grantee is the caller's role/user ARN
 * or its session ARN, the operation is listed, constraints hold, and the grant is in effect
 * (eventual consistency has caught up, or the caller presented its grant token).
 */
export function findCoveringGrant(request: AccessRequest, kms: { grants: KmsGrant[]; grantTokens?: string[]; now: number }): GrantCheck {
  const operation = grantOperation(request.action);
  const pending: KmsGrant[] = [];
  if (!operation) return { pending };
  const encryptionContext = encryptionContextOf(request.context);
  const tokens = new Set(kms.grantTokens ?? []);
  const { arn, sessionArn } = request.principal;
  for (const grant of kms.grants) {
    if (grant.keyArn !== request.resource) continue;
    if (grant.granteePrincipal !== arn && grant.granteePrincipal !== sessionArn) continue;
    if (!grant.operations.includes(operation)) continue;
    if (!constraintsHold(grant, operation, encryptionContext)) continue;
    if (kms.now >= grant.effectiveAt || tokens.has(grant.grantToken)) return { grant, pending };
    pending.push(grant);
  }
  return { pending };
}
