// Whether, AFTER the planned changes, the file system's service-linked role can do what an export
// and an import need: S3 object reads and writes under the prefix (bucket policy + the SLR's own
// fixed policy) and, through S3, kms:GenerateDataKey and kms:Decrypt on the key (key policy +
// grant). Evaluated with the project's evaluator on the planned documents, so an explicit Deny
// written by someone else fails the check, naming its statement, before anything is changed.
import { bucketArn, GRANT_OPERATIONS } from '../../../core/naming.js';
import type { OnboardingRequest } from '../../../core/request.js';
import { SERVICE_LINKED_ROLE_POLICY } from '../../../policy/documents.js';
import { evaluateAccess } from '../../../policy/evaluate.js';
import type { AccessDecision, AccessRequest, KmsGrant, PolicyDocument } from '../../../policy/types.js';
import type { CheckResult } from './types.js';

export interface SlrAccessInputs {
  request: OnboardingRequest;
  /** The SLR's ARN: the real one for an adopted file system, else one of the shape FSx will create. */
  serviceLinkedRoleArn: string;
  /** The S3 key of an object the export writes (inside the prefix). */
  objectKey: string;
  /** Whether the bucket's default encryption will use S3 Bucket Keys (changes the encryption context KMS sees). */
  bucketKeyEnabled: boolean;
  bucketPolicy: PolicyDocument;
  keyPolicy: PolicyDocument;
  /** The grant CreateGrant will make (and any others on the key). */
  grants: KmsGrant[];
}

/** The planned grant as the evaluator sees it, once propagated (the workflow waits for that). */
export function plannedGrant(keyArn: string, grantee: string, name: string): KmsGrant {
  return { grantId: '(planned)', name, keyArn, granteePrincipal: grantee, operations: [...GRANT_OPERATIONS], effectiveAt: 0, grantToken: '(planned)' };
}

function principalOf(inputs: SlrAccessInputs): AccessRequest['principal'] {
  const account = inputs.request.fileSystem.accountId;
  const name = inputs.serviceLinkedRoleArn.slice(inputs.serviceLinkedRoleArn.lastIndexOf('/') + 1);
  return { arn: inputs.serviceLinkedRoleArn, sessionArn: `arn:aws:sts::${account}:assumed-role/${name}/FSx`, account, type: 'AWS' };
}

function explain(action: string, decision: AccessDecision): string {
  if (decision.deniedBecause?.startsWith('explicit-deny'))
    return `${action} is denied by an explicit Deny in statement ${decision.matchedStatements?.join(', ') || '(no Sid)'} of the ${decision.deniedBecause === 'explicit-deny-resource' ? 'resource' : 'identity'} policy; an explicit Deny wins over every Allow and grant: its owner must exempt the role`;
  return `${action} is not allowed: ${decision.message ?? decision.deniedBecause}`;
}

/** The SLR's own policy has no Sid: the evaluator labels it by position. */
const named = (label: string) => (label.startsWith('identity[') ? "the role's own policy" : label);

function verdict(name: string, subject: string, results: [string, AccessDecision][]): CheckResult {
  const denied = results.filter(([, d]) => !d.allowed);
  if (denied.length) return { name, status: 'fail', detail: `${subject}: ${denied.map(([a, d]) => explain(a, d)).join('; ')}` };
  return {
    name,
    status: 'pass',
    detail: `${subject}: ${results.map(([a, d]) => `${a} allowed by ${(d.matchedStatements ?? []).map(named).join(', ') || (d.allowedBy ?? []).join('+')}`).join('; ')}`,
  };
}

/** kms:GenerateDataKey (export: S3 encrypts the new object) and kms:Decrypt (import and read-back), via S3. */
export function slrKeyAccessCheck(inputs: SlrAccessInputs): CheckResult {
  const { request } = inputs;
  const objectArn = `${bucketArn(request)}/${inputs.objectKey}`;
  const context = {
    'kms:ViaService': `s3.${request.region}.amazonaws.com`,
    'kms:CallerAccount': request.fileSystem.accountId,
    // With S3 Bucket Keys, KMS sees the bucket ARN as encryption context, else the object's.
    'kms:EncryptionContext:aws:s3:arn': inputs.bucketKeyEnabled ? bucketArn(request) : objectArn,
    'kms:EncryptionContextKeys': ['aws:s3:arn'],
  };
  const keyAccount = request.key.arn.split(':')[4]!;
  const results = (['kms:GenerateDataKey', 'kms:Decrypt'] as const).map((action): [string, AccessDecision] => [
    action,
    evaluateAccess({
      request: { action, resource: request.key.arn, resourceAccount: keyAccount, principal: principalOf(inputs), context },
      identityPolicies: [SERVICE_LINKED_ROLE_POLICY],
      resourcePolicy: inputs.keyPolicy,
      kms: { grants: inputs.grants, now: 1 },
    }),
  ]);
  return verdict('serviceLinkedRoleKeyAccess', `the service-linked role on ${request.key.arn} through S3`, results);
}

/** s3:GetObject and s3:PutObject on an object under the prefix, with the narrowed bucket policy. */
export function slrBucketAccessCheck(inputs: SlrAccessInputs): CheckResult {
  const { request } = inputs;
  const objectArn = `${bucketArn(request)}/${inputs.objectKey}`;
  const results = (['s3:GetObject', 's3:PutObject'] as const).map((action): [string, AccessDecision] => [
    action,
    evaluateAccess({
      request: { action, resource: objectArn, resourceAccount: request.bucket.accountId, principal: principalOf(inputs) },
      identityPolicies: [SERVICE_LINKED_ROLE_POLICY],
      resourcePolicy: inputs.bucketPolicy,
    }),
  ]);
  return verdict('serviceLinkedRoleBucketAccess', `the service-linked role on s3://${request.bucket.name}/${inputs.objectKey}`, results);
}
