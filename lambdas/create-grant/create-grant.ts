// Blog step 6: the SLR can never get KMS permissions from an identity policy, so it gets a
// grant on the key, and on each of bucket.additionalKeyArns. The grants are created from account
// A (the file-system role), as the FSx Lustre User Guide requires for the S3 SLR. The token lets
// a caller use a grant before it propagates (up to ~5 min); FSx itself cannot present it.
import { CreateGrantCommand, type KMSClient } from '@aws-sdk/client-kms';
import { ErrorNames, OnboardingError } from '../../core/errors.js';
import { explainGrantDenial, grantedKeyArns, grantInput, listGrants } from '../shared/grants.js';
import { GRANT_OPERATIONS } from '../../core/naming.js';
import { clientsFor } from '../shared/step-support.js';
import { requireOutput, stepOutput, type CreateGrantOutput, type KeyGrant } from '../../core/step-outputs.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from '../shared/step-deps.js';

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
  const created = await kms.send(new CreateGrantCommand(grantInput(keyArn, grantee, name)));
  if (!created.GrantId || !created.GrantToken) throw new OnboardingError(ErrorNames.ResourceConflict, `CreateGrant on ${keyArn} returned no grant id or token`);
  return { keyArn, changed: true, grantId: created.GrantId, grantToken: created.GrantToken };
}

/** What an earlier run of this step returned for each key (it carries the tokens ListGrants never shows). */
function previousGrants(input: StepInput): Map<string, KeyGrant> {
  const previous = stepOutput(input, 'CreateGrant');
  const byKey = new Map((previous?.grants ?? []).map((g) => [g.keyArn, g]));
  // An execution started by an earlier version recorded only the grant on the request's key.
  const keyArn = input.request.key.arn;
  if (previous?.grantId && !byKey.has(keyArn)) {
    byKey.set(keyArn, { keyArn, changed: false, grantId: previous.grantId, ...(previous.grantToken ? { grantToken: previous.grantToken } : {}) });
  }
  return byKey;
}

export async function createGrant(input: StepInput, deps: StepDeps<'kms'>): Promise<CreateGrantOutput> {
  const { request, context } = input;
  const grantee = requireOutput(input, 'WaitForServiceLinkedRole', 'roleArn', 'CreateGrant');
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
