// What of this request exists before this execution changes anything (core/step-outputs.ts
// RunBaseline): the compensations of this execution leave exactly that in place, so a failed
// re-run never removes what an earlier, successful run made.
import { randomUUID } from 'node:crypto';
import { keyStatementSids } from '../../policy/documents.js';
import type { PolicyDocument } from '../../policy/types.js';
import type { OnboardingRequest } from '../../core/request.js';
import type { OnboardingContext } from '../../core/step-io.js';
import type { RunBaseline, StatementSnapshot } from '../../core/step-outputs.js';
import { listAssociations } from '../shared/associations.js';
import { findTaggedFileSystems } from '../shared/file-systems.js';
import { grantedKeyArns, listGrants } from '../shared/grants.js';
import { hasRequestTag, isErrorNamed } from '../shared/step-support.js';
import type { StepDeps } from '../shared/step-deps.js';

function withSids(document: PolicyDocument | undefined, sids: readonly string[]): StatementSnapshot[] {
  const wanted = new Set(sids);
  return (document?.Statement ?? []).filter((s) => s.Sid !== undefined && wanted.has(s.Sid)) as unknown as StatementSnapshot[];
}

export async function readBaseline(
  request: OnboardingRequest,
  context: OnboardingContext,
  deps: StepDeps<'s3' | 'kms' | 'fsx'>,
  policies: { bucket: PolicyDocument | undefined; key: PolicyDocument },
): Promise<RunBaseline> {
  const names = context.names;
  const { fsx, kms: kmsOfA } = deps.clients.forTarget('fileSystem', context.accounts.fileSystem);
  const fileSystemIds = (await findTaggedFileSystems(fsx, request.requestId)).filter((f) => f.Lifecycle !== 'DELETING').map((f) => f.FileSystemId!);
  const linkedIds = new Set(fileSystemIds);
  if (request.fileSystem.existingFileSystemId) linkedIds.add(request.fileSystem.existingFileSystemId);
  const associationIds: string[] = [];
  const failedAssociationIds: string[] = [];
  for (const id of linkedIds) {
    for (const a of await listAssociations(fsx, id)) {
      if (!a.AssociationId || a.Lifecycle === 'DELETING' || !hasRequestTag(a.Tags, request.requestId)) continue;
      associationIds.push(a.AssociationId);
      if (a.Lifecycle === 'FAILED') failedAssociationIds.push(a.AssociationId);
    }
  }
  const grantIds: string[] = [];
  for (const keyArn of grantedKeyArns(request)) {
    try {
      for (const g of await listGrants(kmsOfA, keyArn)) if (g.Name === names.grantName && g.GrantId) grantIds.push(g.GrantId);
    } catch (e) {
      // Before ShareKey ever ran, account A may not list grants on the key: then it made none.
      if (!isErrorNamed(e, 'AccessDeniedException')) throw e;
    }
  }
  return {
    runId: randomUUID(),
    startedAt: (deps.now ?? Date.now)(),
    fileSystemIds,
    associationIds,
    ...(failedAssociationIds.length ? { failedAssociationIds } : {}),
    grantIds,
    bucketStatements: withSids(policies.bucket, [names.bucketAccessSid, names.bucketObjectAccessSid]),
    keyStatements: withSids(policies.key, keyStatementSids(names)),
  };
}
