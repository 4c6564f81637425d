// What S3 checks in a bucket policy before it stores it: size (20 KB, whitespace not counted),
// a Principal in every statement, known S3 actions (a wildcard must name at least one), this
// bucket's ARNs only, every statement's actions applying to at least one of its resources, and
// principals that exist (IAM propagation included). Errors are MalformedPolicy with S3's text.
import { asList } from '../../policy/matching.js';
import { knownActionsMatching, S3_ACTIONS, type S3ResourceType } from '../../policy/s3-actions.js';
import type { PolicyDocument, PolicyStatement } from '../../policy/types.js';
import { SimError } from '../errors.js';
import { awsPrincipalsOf, principalIsValid } from '../identity.js';
import type { Sim } from '../sim.js';
import type { BucketState } from '../state.js';

export const BUCKET_POLICY_MAX_BYTES = 20 * 1024;

const malformed = (message: string) => new SimError('MalformedPolicy', message);

/** The resource type of one of this bucket's ARNs, or undefined when it is not one. */
function resourceType(bucket: BucketState, arn: string): Exclude<S3ResourceType, 'account'> | undefined {
  const bucketArn = `arn:aws:s3:::${bucket.name}`;
  if (arn === bucketArn) return 'bucket';
  return arn.startsWith(`${bucketArn}/`) ? 'object' : undefined;
}

function validateStatement(bucket: BucketState, statement: PolicyStatement): void {
  if (!statement.Principal && !statement.NotPrincipal) throw malformed('Missing required field Principal');
  const actions = asList(statement.Action ?? statement.NotAction);
  // An unknown action, or a wildcard that names no S3 action (a non-S3 action included).
  if (actions.some((a) => knownActionsMatching(a).length === 0)) throw malformed('Policy has invalid action');
  const resources = asList(statement.Resource ?? statement.NotResource);
  const types = resources.map((r) => resourceType(bucket, r));
  if (!resources.length || types.includes(undefined)) throw malformed('Policy has invalid resource');
  // With Action and Resource both listed, at least one action must apply to one of the resources
  // (object actions to bucket/…, bucket actions to the bucket).
  if (statement.Action !== undefined && statement.Resource !== undefined) {
    const applies = actions.flatMap(knownActionsMatching).some((a) => types.includes(S3_ACTIONS.get(a) as 'bucket' | 'object'));
    if (!applies) throw malformed('Action does not apply to any resource(s) in statement');
  }
}

export function validateBucketPolicy(sim: Sim, bucket: BucketState, text: string): PolicyDocument {
  let document: PolicyDocument;
  try {
    document = JSON.parse(text) as PolicyDocument;
  } catch {
    throw malformed("Policies must be valid JSON and the first byte must be '{'");
  }
  if (Buffer.byteLength(JSON.stringify(document), 'utf8') > BUCKET_POLICY_MAX_BYTES) {
    throw malformed(`Policy exceeds the maximum allowed document size of ${BUCKET_POLICY_MAX_BYTES} bytes.`);
  }
  if (!Array.isArray(document.Statement) || document.Statement.length === 0) throw malformed('Missing required field Statement');
  for (const statement of document.Statement) validateStatement(bucket, statement);
  // S3 resolves every principal when the policy is stored: a role that does not exist yet, or
  // was created moments ago (IAM propagation), is rejected.
  if (awsPrincipalsOf(document).some((p) => !principalIsValid(sim.state, p, sim.now()))) throw malformed('Invalid principal in policy');
  return document;
}
