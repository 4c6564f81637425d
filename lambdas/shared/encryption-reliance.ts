// Who relies on a bucket's default encryption. Every onboarding that ran SetDefaultEncryption
// has a change record under the bucket's level of the hierarchy (core/naming.ts), so the
// records are the reliance list: a rollback restores the earlier encryption only when no other
// onboarding's record still relies on the configuration the bucket has, and otherwise leaves
// the true "before" in the bucket's original-encryption record for the last one to go.
import type { ServerSideEncryptionConfiguration } from '@aws-sdk/client-s3';
import { paginateGetParametersByPath, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { changeRecordPath, originalEncryptionParameter } from '../../core/naming.js';
import { readChangeRecord, sameEncryption, type ChangeRecord } from './encryption.js';
import { isErrorNamed } from './step-support.js';

/** How many other reliers a rollback names; finding one is enough to keep the encryption. */
const RELIERS_NAMED = 10;

/** The request ids of other onboardings whose change record relies on `current` (at most RELIERS_NAMED). */
export async function otherReliers(ssm: SSMClient, bucket: string, ownParameter: string, current: ServerSideEncryptionConfiguration | null): Promise<string[]> {
  const reliers: string[] = [];
  const original = originalEncryptionParameter(bucket);
  for await (const page of paginateGetParametersByPath({ client: ssm, pageSize: 10 }, { Path: changeRecordPath(bucket) })) {
    for (const parameter of page.Parameters ?? []) {
      if (!parameter.Name || parameter.Name === ownParameter || parameter.Name === original || !parameter.Value) continue;
      const record = JSON.parse(parameter.Value) as ChangeRecord;
      if (sameEncryption(record.applied, current)) reliers.push(parameter.Name.slice(parameter.Name.lastIndexOf('/') + 1));
    }
    if (reliers.length >= RELIERS_NAMED) break;
  }
  return reliers;
}

/**
 * Leaves the configuration the bucket had before `record` changed it to the onboardings that
 * stay. Only the first to go that made a change writes it: an existing original is older.
 */
export async function keepOriginalEncryption(ssm: SSMClient, record: ChangeRecord): Promise<void> {
  if (sameEncryption(record.previous, record.applied)) return;
  try {
    await ssm.send(
      new PutParameterCommand({
        Name: originalEncryptionParameter(record.bucket),
        Type: 'String',
        Value: JSON.stringify({ bucket: record.bucket, previous: record.previous, applied: record.applied } satisfies ChangeRecord),
        Overwrite: false,
        Description: `Default encryption of ${record.bucket} before fsx-onboard changed it, kept for the last onboarding that relies on the change`,
      }),
    );
  } catch (e) {
    if (!isErrorNamed(e, 'ParameterAlreadyExists')) throw e;
  }
}

/**
 * What the last onboarding to go restores: its own "before", unless it found the bucket already
 * as it wanted it; then the original an earlier onboarding left, if the bucket still has what
 * that one set.
 */
export async function configurationToRestore(
  ssm: SSMClient,
  record: ChangeRecord,
  current: ServerSideEncryptionConfiguration | null,
): Promise<{ before: ServerSideEncryptionConfiguration | null; original?: string }> {
  if (!sameEncryption(record.previous, record.applied)) return { before: record.previous };
  const name = originalEncryptionParameter(record.bucket);
  const original = await readChangeRecord(ssm, name);
  if (original && sameEncryption(original.applied, current)) return { before: original.previous, original: name };
  return { before: record.previous };
}
