// Compensation: revokes every grant carrying this request's grant name (a recreated file system
// could have left a second one), whoever the grantee is, on the request's key and each of
// bucket.additionalKeyArns. Acts from account A, where the grants were created.
import { RevokeGrantCommand } from '@aws-sdk/client-kms';
import { findStatement, keyGrantSids } from '../../policy/documents.js';
import { explainGrantDenial, grantedKeyArns, listGrants } from '../shared/grants.js';
import { readKeyPolicy } from '../shared/key-policy.js';
import { madeEarlier } from '../shared/run-baseline.js';
import { clientsFor, isErrorNamed } from '../shared/step-support.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from '../shared/step-deps.js';
import { stepOutput, type RevokeGrantOutput } from '../../core/step-outputs.js';

/**
 * Whether a grant of this request can exist on a key whose grants A may not list. On the request's
 * key, only if ShareKey's CreateGrant statement is there (without it, CreateGrant from A was
 * refused: a rollback after an early failure must not stop here). On an additional key, only if
 * this run's CreateGrant recorded one.
 */
async function mayHaveGranted(input: StepInput, deps: StepDeps<'kms'>, keyArn: string): Promise<boolean> {
  if (keyArn !== input.request.key.arn) {
    return (stepOutput(input, 'CreateGrant')?.grants ?? []).some((g) => g.keyArn === keyArn);
  }
  try {
    const policy = await readKeyPolicy(clientsFor(input, deps, 'key').kms, keyArn);
    return findStatement(policy, keyGrantSids(input.context.names).createGrant) !== undefined;
  } catch {
    return true;
  }
}

export async function revokeGrant(input: StepInput, deps: StepDeps<'kms'>): Promise<RevokeGrantOutput> {
  const { request, context } = input;
  const { kms } = clientsFor(input, deps, 'fileSystem');
  const revoked: string[] = [];
  const skipped: string[] = [];
  // Every key is tried before a refusal is reported, so one unreachable key leaves no other grant behind.
  let refused: unknown;
  for (const keyArn of grantedKeyArns(request)) {
    try {
      // A grant an earlier execution of this request made stays: that run's file system uses it.
      const ours = (await listGrants(kms, keyArn)).filter((g) => g.Name === context.names.grantName && g.GrantId && !madeEarlier(input, 'grantIds', g.GrantId));
      for (const grant of ours) {
        await kms.send(new RevokeGrantCommand({ KeyId: keyArn, GrantId: grant.GrantId! }));
        revoked.push(grant.GrantId!);
      }
    } catch (e) {
      if (isErrorNamed(e, 'AccessDeniedException') && !(await mayHaveGranted(input, deps, keyArn))) skipped.push(keyArn);
      else refused ??= explainGrantDenial(e, request, keyArn, context.roleArns.fileSystem);
    }
  }
  if (refused) throw refused;
  return { changed: revoked.length > 0, revokedGrantIds: revoked, ...(skipped.length ? { skippedKeyArns: skipped } : {}) };
}
