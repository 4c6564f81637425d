// Blog step 6: the SLR can never get KMS permissions from an identity policy, so it gets a
// grant on the key, and on each of bucket.additionalKeyArns. The grants are created from account
// A (the file-system role), as the FSx Lustre User Guide requires for the S3 SLR. The token lets
// a caller use a grant before it propagates (up to ~5 min); FSx itself cannot present it.
import { CreateGrantCommand, type KMSClient } from '@aws-sdk/client-kms';
import { ErrorNames, OnboardingError } from '../../core/errors.js';
import { explainGrantDenial, grantedKeyArns, listGrants } from '../shared/grants.js';
import { GRANT_OPERATIONS } from '../../core/naming.js';
import { clientsFor, stringField } from '../shared/step-support.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from '../shared/step-deps.js';

export interface KeyGrant {
  keyArn: string;
  changed: boolean;
  grantId: string;
  /** Absent when an earlier run created the grant: ListGrants does not return tokens. */
  grantToken?: string;
}

export interface CreateGrantOutput {
  changed: boolean;
  /** The grant on request.key.arn. */
  grantId: string;
  grantToken?: string;
  granteePrincipal: string;
  /** One per key: request.key.arn first, then bucket.additionalKeyArns. */
  grants: KeyGrant[];
}

async function grantOn(kms: KMSClient, keyArn: string, grantee: string, name: string, previous: KeyGrant | undefined): Promise<KeyGrant> {
  const wanted = [...GRANT_OPERATIONS].sort().join(',');
  const existing = (await listGrants(kms, keyArn)).find(
    (g) => g.Name === name && g.GranteePrincipal === grantee && [...(g.Operations ?? [])].sort().join(',') === wanted,
  );
  if (existing?.GrantId) {
    const token = previous?.grantId === existing.GrantId ? previous.grantToken : undefined;
    return { keyArn, changed: false, grantId: existing.GrantId, ...(token ? { grantToken: token } : {}) };
  }
  // With Name set, KMS returns the same GrantId for a retry with the same parameters.
  const created = await kms.send(new CreateGrantCommand({ KeyId: keyArn, GranteePrincipal: grantee, Operations: [...GRANT_OPERATIONS], Name: name }));
  if (!created.GrantId || !created.GrantToken) throw new OnboardingError(ErrorNames.ResourceConflict, `CreateGrant on ${keyArn} returned no grant id or token`);
  return { keyArn, changed: true, grantId: created.GrantId, grantToken: created.GrantToken };
}

/** What an earlier run of this step returned for each key (it carries the tokens ListGrants never shows). */
function previousGrants(input: StepInput): Map<string, KeyGrant> {
  const previous = input.steps['CreateGrant'];
  const list = Array.isArray(previous?.['grants']) ? (previous['grants'] as KeyGrant[]) : [];
  const byKey = new Map(list.map((g) => [g.keyArn, g]));
  const grantId = stringField(previous, 'grantId');
  if (grantId && !byKey.has(input.request.key.arn)) {
    const grantToken = stringField(previous, 'grantToken');
    byKey.set(input.request.key.arn, { keyArn: input.request.key.arn, changed: false, grantId, ...(grantToken ? { grantToken } : {}) });
  }
  return byKey;
}

export async function createGrant(input: StepInput, deps: StepDeps): Promise<CreateGrantOutput> {
  const { request, context } = input;
  const grantee = stringField(input.steps['WaitForServiceLinkedRole'], 'roleArn');
  if (!grantee) throw new OnboardingError(ErrorNames.ServiceLinkedRoleInvalid, 'CreateGrant needs the SLR ARN from WaitForServiceLinkedRole');
  const { kms } = clientsFor(input, deps, 'fileSystem');
  const previous = previousGrants(input);
  const grants: KeyGrant[] = [];
  for (const keyArn of grantedKeyArns(request)) {
    try {
      grants.push(await grantOn(kms, keyArn, grantee, context.names.grantName, previous.get(keyArn)));
    } catch (e) {
      throw explainGrantDenial(e, request, keyArn, context.roleArns.fileSystem);
    }
  }
  const main = grants[0]!;
  return {
    changed: grants.some((g) => g.changed),
    grantId: main.grantId,
    ...(main.grantToken ? { grantToken: main.grantToken } : {}),
    granteePrincipal: grantee,
    grants,
  };
}
