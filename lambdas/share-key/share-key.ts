// Blog steps 2 and 6: the key in C is shared with accounts A and B, usable only through S3 in
// the request's region and only for this bucket prefix; and account A's file-system role may
// create (only for A's FSx SLR), list and revoke grants on it, because the SLR's grant must be
// created from the file system's account (FSx Lustre User Guide).
import { containsStatements, keyStatementSids, keyStatements, mergeStatements } from '../../policy/documents.js';
import { readKeyPolicy, writeKeyPolicy } from '../shared/key-policy.js';
import { provePolicy, underDocumentLock } from '../shared/shared-document.js';
import { clientsFor } from '../shared/step-support.js';
import { recordReliance } from '../shared/statement-reliance.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from '../shared/step-deps.js';
import type { ShareKeyOutput } from '../../core/step-outputs.js';

export function shareKey(input: StepInput, deps: StepDeps<'kms' | 'dynamodb' | 'ssm'>): Promise<ShareKeyOutput> {
  return underDocumentLock('ShareKey', input, deps, () => addKeyStatements(input, deps));
}

async function addKeyStatements(input: StepInput, deps: StepDeps<'kms' | 'ssm'>): Promise<ShareKeyOutput> {
  const { request, context } = input;
  const { kms } = clientsFor(input, deps, 'key');
  // The statements name the file-system role: KMS refuses a principal that does not exist, so
  // the target-account stack of A must be deployed first (docs/deploy.md).
  const ours = keyStatements(request, context.names, context.roleArns.fileSystem);
  // Shared statements: the reliance is recorded first, so no compensation removes them under us.
  const relied = context.shared
    ? await recordReliance(deps.clients.orchestrator().ssm, context.shared.key, input, `the key policy of ${request.key.arn}`)
    : false;
  const current = await readKeyPolicy(kms, request.key.arn);
  if (containsStatements(current, ours)) return { changed: relied, sid: context.names.keyUseSid };
  await writeKeyPolicy(kms, request.key.arn, mergeStatements(current, ours));
  provePolicy(await readKeyPolicy(kms, request.key.arn), `The key policy of ${request.key.arn}`, {
    present: ours,
    before: current,
    ownSids: keyStatementSids(context.names),
  });
  return { changed: true, sid: context.names.keyUseSid };
}
