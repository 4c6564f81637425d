// Blog step 6: the SLR can never get KMS permissions from an identity policy, so it gets a
// grant on the key. The grant token lets FSx use it before it propagates (up to ~5 min).
import { requireOutput, stepOutput } from '../../core/step-outputs.js';
import { CreateGrantCommand } from '@aws-sdk/client-kms';
import { ErrorNames, OnboardingError } from '../../core/errors.js';
import { listGrants } from '../shared/grants.js';
import { GRANT_OPERATIONS } from '../../core/naming.js';
import { clientsFor } from '../shared/step-support.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from '../shared/step-deps.js';
import type { CreateGrantOutput } from '../../core/step-outputs.js';

export async function createGrant(input: StepInput, deps: StepDeps): Promise<CreateGrantOutput> {
  const { request, context } = input;
  const grantee = requireOutput(input, 'WaitForServiceLinkedRole', 'roleArn', 'CreateGrant');
  const { kms } = clientsFor(input, deps, 'key');
  const wanted = [...GRANT_OPERATIONS].sort().join(',');
  const existing = (await listGrants(kms, request.key.arn)).find(
    (g) => g.Name === context.names.grantName && g.GranteePrincipal === grantee && [...(g.Operations ?? [])].sort().join(',') === wanted,
  );
  if (existing?.GrantId) {
    const previous = stepOutput(input, 'CreateGrant');
    const token = previous?.grantId === existing.GrantId ? previous.grantToken : undefined;
    return { changed: false, grantId: existing.GrantId, ...(token ? { grantToken: token } : {}), granteePrincipal: grantee };
  }
  // With Name set, KMS returns the same GrantId for a retry with the same parameters.
  const created = await kms.send(
    new CreateGrantCommand({ KeyId: request.key.arn, GranteePrincipal: grantee, Operations: [...GRANT_OPERATIONS], Name: context.names.grantName }),
  );
  if (!created.GrantId || !created.GrantToken)
    throw new OnboardingError(ErrorNames.ResourceConflict, `CreateGrant on ${request.key.arn} returned no grant id or token`);
  return { changed: true, grantId: created.GrantId, grantToken: created.GrantToken, granteePrincipal: grantee };
}
