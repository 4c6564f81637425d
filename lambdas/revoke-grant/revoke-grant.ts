// Compensation: revokes every grant on the key carrying this request's grant name (a
// recreated file system could have left a second one), whoever the grantee is.
import { RevokeGrantCommand } from '@aws-sdk/client-kms';
import { listGrants } from '../shared/grants.js';
import { clientsFor } from '../shared/step-support.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from '../shared/step-deps.js';
import type { RevokeGrantOutput } from '../../core/step-outputs.js';

export async function revokeGrant(input: StepInput, deps: StepDeps): Promise<RevokeGrantOutput> {
  const { request, context } = input;
  const { kms } = clientsFor(input, deps, 'key');
  const ours = (await listGrants(kms, request.key.arn)).filter((g) => g.Name === context.names.grantName && g.GrantId);
  for (const grant of ours) await kms.send(new RevokeGrantCommand({ KeyId: request.key.arn, GrantId: grant.GrantId! }));
  return { changed: ours.length > 0, revokedGrantIds: ours.map((g) => g.GrantId!) };
}
