// Principals that no longer exist make the next PutBucketPolicy ("Invalid principal in policy")
// or PutKeyPolicy (MalformedPolicyDocumentException) fail, whoever wrote them: both services
// re-validate every principal of the document on each write. IAM stores a role or user principal
// as its unique id and shows the ARN again on read; once the role or user is deleted, the
// policy shows the bare unique id (AROA…, AIDA…) instead (IAM User Guide, "AWS JSON policy
// elements: Principal"). Those are what this check can see through a read.
import type { PolicyDocument } from '../../../policy/types.js';
import type { CheckResult } from './types.js';

/** IAM unique ids: AROA (role), AIDA (user), AGPA (group) and the like, 21 characters. */
const UNIQUE_ID = /^A[A-Z]{3}[A-Z0-9]{17}$/;

function awsPrincipals(document: PolicyDocument): { sid: string; principal: string }[] {
  const found: { sid: string; principal: string }[] = [];
  document.Statement.forEach((s, i) => {
    for (const p of [s.Principal, s.NotPrincipal]) {
      if (!p || p === '*' || p.AWS === undefined) continue;
      for (const principal of Array.isArray(p.AWS) ? p.AWS : [p.AWS]) found.push({ sid: s.Sid ?? `Statement[${i}]`, principal });
    }
  });
  return found;
}

/** `ownSids`: statements this request replaces (their principals are rewritten, not kept). */
export function stalePrincipalsCheck(what: string, document: PolicyDocument | undefined, ownSids: readonly string[], nextWrite: string): CheckResult {
  const name = `stalePrincipals:${what}`;
  const stale = awsPrincipals(document ?? { Statement: [] }).filter((p) => UNIQUE_ID.test(p.principal) && !ownSids.includes(p.sid));
  if (!stale.length) return { name, status: 'pass', detail: `every principal of the ${what} policy is an ARN, an account or "*"` };
  return {
    name,
    status: 'fail',
    detail: `the ${what} policy names deleted principal(s) ${stale.map((p) => `${p.principal} (statement ${p.sid})`).join(', ')}: ${nextWrite} will fail until their owner removes or fixes those statements`,
  };
}
