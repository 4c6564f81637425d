// What to change for each kind of denial `diagnose` finds, and what to run after the change.
// The fixes are the ones the workflow's own steps make, so an operator can check or repeat
// exactly that one change by hand.
import type { Denial } from '../../evidence/cloudtrail.js';
import { GRANT_OPERATIONS, namesFor, serviceLinkedRoleArn } from '../../core/naming.js';
import { keyGrantSids } from '../../policy/documents.js';
import type { OnboardingRequest } from '../../core/request.js';
import type { MachineKey } from '../../infra/names.js';

export interface Situation {
  /** Execution name: the request id, or `<request id>-rollback-<n>`. */
  name: string;
  region: string;
  request?: OnboardingRequest;
  machine?: MachineKey;
}

// When FSx acts as the SLR, CloudTrail names the session, not the role:
// arn:aws:sts::<A>:assumed-role/AWSServiceRoleForFSxS3Access_<fs-id>/FSx
const SLR_SESSION = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/AWSServiceRoleForFSxS3Access_(fs-[0-9a-f]+)\//;
const TARGET_ROLE_SESSION = /:assumed-role\/(fsx-onboard-[a-z]+)\//;

const requestIdOf = (s: Situation) => s.request?.requestId ?? s.name.replace(/-rollback-\d+$/, '');

export function fixFor(d: Denial, s: Situation): string {
  const service = d.action.split(':')[0];
  const names = namesFor(requestIdOf(s));
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

/** What to run once the cause is fixed, by the machine the execution ran on. */
export function nextMove(s: Situation): string {
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
