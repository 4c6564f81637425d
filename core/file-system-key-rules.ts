// The rules on fileSystem.kmsKeyArn, the file system's own at-rest key, that the schema checks
// across fields: the deployment type must take a customer managed key, the file system must be
// one this request creates, and the key must be in the region and in an account whose key
// policy the workflow can read before it creates anything.
import { parse as parseArn, validate as isArn } from '@aws-sdk/util-arn-parser';
import type { DeploymentType } from './deployment-types.js';
import type { IssueSink, RepositoryEntry } from './repository-rules.js';

/** Deployment types whose data FSx encrypts with keys of its own, never a customer managed key. */
const fsxManagedKeyTypes: readonly DeploymentType[] = ['SCRATCH_2'];

interface FileSystemKeyFields {
  region: string;
  fileSystem: { accountId: string; deploymentType: DeploymentType; existingFileSystemId?: string | undefined; kmsKeyArn?: string | undefined };
}

/** fileSystem.kmsKeyArn: a key FSx can take for this type, one the workflow can read the policy of, in the region. */
export function addFileSystemKeyIssues(req: FileSystemKeyFields, entries: RepositoryEntry[], ctx: IssueSink): void {
  const fs = req.fileSystem;
  const arn = fs.kmsKeyArn;
  if (arn === undefined || !isArn(arn)) return;
  const path = ['fileSystem', 'kmsKeyArn'];
  if (fsxManagedKeyTypes.includes(fs.deploymentType)) {
    ctx.addIssue({
      code: 'custom',
      path,
      message: `is not supported for ${fs.deploymentType}: only PERSISTENT_1 and PERSISTENT_2 file systems take a customer managed key (FSx encrypts scratch file systems with keys it manages)`,
    });
    return;
  }
  if (fs.existingFileSystemId !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path,
      message: 'applies only to a file system this request creates, not to fileSystem.existingFileSystemId (a file system keeps the key it was created with)',
    });
    return;
  }
  const { region: keyRegion, accountId: keyAccount } = parseArn(arn);
  if (keyRegion !== req.region) ctx.addIssue({ code: 'custom', path, message: `must be in the request region ${req.region}, not ${keyRegion}` });
  const keyAccounts = entries.flatMap((e) => (typeof e.entry.key?.arn === 'string' && isArn(e.entry.key.arn) ? [parseArn(e.entry.key.arn).accountId] : []));
  if (![fs.accountId, ...keyAccounts].includes(keyAccount))
    ctx.addIssue({
      code: 'custom',
      path,
      message: `must be a key of the file system's account ${fs.accountId} or of a key account (a repository's key.arn), not ${keyAccount}: the workflow reads its key policy there before creating anything`,
    });
}
