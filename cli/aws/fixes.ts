// What to change for each kind of denial `diagnose` finds, and what to run after the change.
// The fixes are the ones the workflow's own steps make, so an operator can check or repeat
// exactly that one change by hand.
import type { Denial } from '../../evidence/cloudtrail.js';
import { linkRequest } from '../../core/link-request.js';
import { GRANT_OPERATIONS, linkNamesFor, serviceLinkedRoleArn } from '../../core/naming.js';
import { keyGrantSids } from '../../policy/documents.js';
import type { OnboardingRequest } from '../../core/request.js';
import type { MachineKey } from '../../infra/names.js';
import { evaluateAccess } from '../../policy/evaluate.js';
import type { AccessRequest, PolicyDocument, PolicyStatement } from '../../policy/types.js';

/** Where the execution ran: on Step Functions, or in the sandbox through the local runner. */
export type Runtime = 'aws' | 'local';

export interface Situation {
  /** Execution name: the request id, or `<request id>-rollback-<n>` / `-offboard-<n>`. */
  name: string;
  region: string;
  request?: OnboardingRequest;
  machine?: MachineKey;
  runtime?: Runtime;
  /** The execution's status: ABORTED and TIMED_OUT never rolled back. */
  status?: string;
  /** The resource policies as they are now, when the caller could read them. */
  policies?: { keyPolicy?: PolicyDocument; bucketPolicy?: PolicyDocument };
}

// When FSx acts as the SLR, CloudTrail names the session, not the role:
// arn:aws:sts::<A>:assumed-role/AWSServiceRoleForFSxS3Access_<fs-id>/FSx
const SLR_SESSION = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/AWSServiceRoleForFSxS3Access_(fs-[0-9a-f]+)\//;
const TARGET_ROLE_SESSION = /:assumed-role\/(fsx-onboard-[a-z]+)\//;

const requestIdOf = (s: Situation) => s.request?.requestId ?? s.name.replace(/-(rollback|offboard)-\d+$/, '');

const EXPLICIT_DENY = /with an explicit deny in a resource-based policy/i;

/** The principal IAM evaluates for a CloudTrail identity: an assumed role's session names its role. */
function principalOf(arn: string): AccessRequest['principal'] {
  const slr = SLR_SESSION.exec(arn);
  if (slr) return { arn: serviceLinkedRoleArn(slr[1]!, slr[2]!, slr[3]!), sessionArn: arn, account: slr[2]! };
  const session = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\//.exec(arn);
  if (session) return { arn: `arn:${session[1]}:iam::${session[2]}:role/${session[3]}`, sessionArn: arn, account: session[2]! };
  return { arn, account: arn.split(':')[4] ?? '' };
}

/**
 * The Deny statements of `document` that deny this request: evaluated with the project's
 * evaluator in the context S3 gives its KMS calls; when the context cannot be rebuilt (a
 * condition on a key CloudTrail does not show), the Deny statements whose action and principal
 * match, which AWS's "explicit deny" message says exist.
 */
function denyingStatements(d: Denial, document: PolicyDocument, s: Situation): string[] {
  const principal = principalOf(d.principal);
  const viaS3 = d.action.startsWith('kms:') && s.request;
  const context: Record<string, string> = viaS3
    ? {
        'kms:ViaService': `s3.${s.region}.amazonaws.com`,
        'kms:EncryptionContext:aws:s3:arn': `arn:aws:s3:::${s.request!.bucket.name}${s.request!.bucket.bucketKeyEnabled ? '' : `/${s.request!.bucket.prefix}`}`,
      }
    : {};
  const decision = evaluateAccess({
    request: { action: d.action, resource: d.resource, resourceAccount: d.resource.split(':')[4] ?? '', principal, context },
    identityPolicies: [],
    resourcePolicy: document,
  });
  if (decision.deniedBecause === 'explicit-deny-resource') return decision.matchedStatements ?? [];
  if (!EXPLICIT_DENY.test(d.errorMessage)) return [];
  const actionOf = (st: PolicyStatement) =>
    [st.Action ?? []]
      .flat()
      .some(
        (a) => a === '*' || a.toLowerCase() === d.action.toLowerCase() || (a.endsWith('*') && d.action.toLowerCase().startsWith(a.slice(0, -1).toLowerCase())),
      );
  return document.Statement.flatMap((st, i) => (st.Effect === 'Deny' && actionOf(st) ? [st.Sid ?? `Statement[${i}]`] : []));
}

/** An explicit Deny is fixed by changing that statement: no grant or Allow overrides it. */
function explicitDenyFix(d: Denial, s: Situation): string | undefined {
  const service = d.action.split(':')[0];
  const documentName = service === 'kms' ? 'key policy' : 'bucket policy';
  const document = service === 'kms' ? s.policies?.keyPolicy : s.policies?.bucketPolicy;
  const sids = document ? denyingStatements(d, document, s) : [];
  if (!sids.length && !EXPLICIT_DENY.test(d.errorMessage)) return undefined;
  const resource =
    service === 'kms' ? (s.request?.key.arn ?? d.resource) : `s3://${s.request?.bucket.name ?? d.resource.replace(/^arn:aws[a-z-]*:s3:::/, '').split('/')[0]}`;
  const named = sids.length
    ? `the statement${sids.length > 1 ? 's' : ''} ${sids.map((x) => `"${x}"`).join(', ')} of the ${documentName} of ${resource}`
    : `a statement of the ${documentName} of ${resource}`;
  const check =
    service === 'kms'
      ? `aws kms get-key-policy --key-id ${resource} --policy-name default`
      : `aws s3api get-bucket-policy --bucket ${resource.replace('s3://', '')}`;
  const sandbox = s.runtime === 'local' ? ' In the sandbox, write the corrected document into a seed file and run fsx-onboard sandbox apply FILE.' : '';
  return (
    `explicit Deny: ${named} denies ${d.action} to ${principalOf(d.principal).arn}. An explicit Deny overrides every Allow and grant, so ` +
    `creating the grant or another Allow cannot help: narrow or remove that Deny statement (its owner's decision), then ${s.runtime === 'local' ? 'resume' : 'redrive or start again'}. Check it: ${check}.${sandbox}`
  );
}

/**
 * The situation as the repository the denial is about sees it (its key or bucket in the
 * resource): its link fields and names. The policies read are the first repository's, so they
 * stand only for it.
 */
function linkSituation(d: Denial, s: Situation): { s: Situation; index: number } {
  const request = s.request;
  if (!request || (request.repositories?.length ?? 1) <= 1) return { s, index: 0 };
  const index = Math.max(
    0,
    request.repositories.findIndex((r) => d.resource.includes(r.key.arn.split('/').pop()!) || d.resource.includes(`:::${r.bucket.name}`)),
  );
  if (index === 0) return { s, index };
  const { policies: _firstRepositorys, ...rest } = s;
  return { s: { ...rest, request: linkRequest(request, index) }, index };
}

export function fixFor(d: Denial, situation: Situation): string {
  const { s, index } = linkSituation(d, situation);
  const service = d.action.split(':')[0];
  const denied = explicitDenyFix(d, s);
  if (denied) return denied;
  const names = linkNamesFor(requestIdOf(s), index);
  const slr = SLR_SESSION.exec(d.principal);
  const targetRole = TARGET_ROLE_SESSION.exec(d.principal)?.[1];
  if (targetRole) {
    return (
      `the ${targetRole} role's policy (target-roles stack) allows ${d.action} only on the buckets and keys of the deployment's bucketNames/keyArns context: ` +
      `add ${d.resource} there and redeploy that account's FsxOnboardTargetRoles stack (docs/deploy.md).`
    );
  }
  if (service === 'kms' && slr) {
    const roleArn = serviceLinkedRoleArn(slr[1]!, slr[2]!, slr[3]!);
    const key = s.request?.key.arn ?? d.resource;
    return (
      `FSx acts as its service-linked role ${roleArn}, whose permissions are fixed and include no KMS action: it can use the key only through a KMS grant. ` +
      // FSx Lustre User Guide: the grant for the S3 SLR must be created from the file system's account.
      `The CreateGrant step makes it from the file system's account (${slr[2]}); by hand, with credentials of that account (the fsx-onboard-filesystem role), ` +
      `which the key policy must allow kms:CreateGrant (ShareKey's statement ${keyGrantSids(names).createGrant}): aws kms create-grant --region ${s.region} --key-id ${key} ` +
      `--grantee-principal ${roleArn} --operations ${GRANT_OPERATIONS.join(' ')} --name ${names.grantName}`
    );
  }
  if (service === 'kms') {
    const key = s.request?.key.arn ?? d.resource;
    return (
      `the key policy of ${key} must let this principal's account use the key through S3: the statement ${names.keyUseSid} (ShareKey) allows accounts A and B ` +
      `with kms:ViaService s3.${s.region}.amazonaws.com for this bucket's encryption context. Check it in the key's account: aws kms get-key-policy --key-id ${key} --policy-name default`
    );
  }
  const bucket = s.request?.bucket.name ?? d.resource.replace(/^arn:aws[a-z-]*:s3:::/, '').split('/')[0];
  return (
    `the bucket policy of ${bucket} must allow this principal: this request's statements ${names.bucketAccessSid} and ${names.bucketObjectAccessSid} ` +
    `(PutBucketAccessPolicy, narrowed to the service-linked role by NarrowBucketPolicy). Check it in the bucket's account: aws s3api get-bucket-policy --bucket ${bucket}`
  );
}

/** What to run once the cause is fixed, by the machine the execution ran on and where it ran. */
export function nextMove(s: Situation): string {
  if (s.status === 'ABORTED' || s.status === 'TIMED_OUT') {
    return (
      `Step Functions does not roll back ${s.status === 'ABORTED' ? 'an aborted' : 'a timed-out'} execution: what it changed is still in place. ` +
      `Continue it: fsx-onboard redrive ${s.name} (restarts at the state that was cut off), or undo it: fsx-onboard rollback ${requestIdOf(s)} --aws.`
    );
  }
  if (s.runtime === 'local') {
    switch (s.machine) {
      case 'stopOnFailure':
        return `After the fix: fsx-onboard resume ${s.name} (re-runs it; finished steps find their work done), or undo it: fsx-onboard rollback ${s.name}.`;
      case 'rollbackOnFailure':
        return `This run rolled back. After the fix, run it again: fsx-onboard resume ${s.name}.`;
      default:
        return `After the fix: fsx-onboard resume ${s.name}, or undo it: fsx-onboard rollback ${requestIdOf(s)}.`;
    }
  }
  switch (s.machine) {
    case 'stopOnFailure':
      return `After the fix: fsx-onboard redrive ${s.name} (restarts at the failed step), or undo it: fsx-onboard rollback ${s.name} --aws.`;
    case 'rollbackOnFailure':
      return `This run rolled back. After the fix, start the request again with a new requestId (an execution name stays taken for 90 days).`;
    case 'rollback':
      return `After the fix, roll back again: fsx-onboard rollback ${requestIdOf(s)} --aws.`;
    default:
      return `After the fix: fsx-onboard redrive ${s.name}, or start the request again with a new requestId.`;
  }
}
