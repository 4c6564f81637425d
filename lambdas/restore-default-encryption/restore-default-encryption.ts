// Compensation: puts back the recorded default encryption, but only if the bucket still has
// the configuration this request set (someone may have changed it since; theirs wins) and no
// other onboarding still relies on it (their change records say so: encryption-reliance.ts).
// The record is deleted afterwards, so a second run finds nothing to do.
import { DeleteBucketEncryptionCommand, PutBucketEncryptionCommand } from '@aws-sdk/client-s3';
import { changeRecordParameter } from '../../core/naming.js';
import { proveEncryption, readChangeRecord, readEncryption, sameEncryption } from '../shared/encryption.js';
import { configurationToRestore, keepOriginalEncryption, otherReliers } from '../shared/encryption-reliance.js';
import { deleteParameterIfPresent } from '../shared/parameters.js';
import { baselineOf } from '../shared/run-baseline.js';
import { underDocumentLock } from '../shared/shared-document.js';
import { clientsFor } from '../shared/step-support.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from '../shared/step-deps.js';
import type { RestoreDefaultEncryptionOutput } from '../../core/step-outputs.js';

export function restoreDefaultEncryption(input: StepInput, deps: StepDeps<'s3' | 'ssm' | 'dynamodb'>): Promise<RestoreDefaultEncryptionOutput> {
  return underDocumentLock('RestoreDefaultEncryption', input, deps, () => restore(input, deps));
}

async function restore(input: StepInput, deps: StepDeps<'s3' | 'ssm'>): Promise<RestoreDefaultEncryptionOutput> {
  const { request } = input;
  const bucket = request.bucket.name;
  const parameter = changeRecordParameter(request.requestId, bucket);
  const { ssm } = deps.clients.orchestrator();
  const record = await readChangeRecord(ssm, parameter);
  // SetDefaultEncryption writes the record before changing the bucket: no record, no change.
  if (!record) return { changed: false, restored: false, reason: 'no change record: this request never changed the default encryption' };
  // A record an earlier execution wrote belongs to that run's onboarding, which still relies on it.
  const baseline = baselineOf(input);
  if (baseline && record.runId !== baseline.runId) {
    return { changed: false, restored: false, reason: 'an earlier execution of this request set the default encryption; kept for it' };
  }

  const { s3 } = clientsFor(input, deps, 'bucket');
  const current = await readEncryption(s3, bucket);
  const outcome = await restoreUnlessRelied(input, deps, record, current);
  await deleteParameterIfPresent(ssm, parameter);
  return { changed: true, ...outcome };
}

async function restoreUnlessRelied(
  input: StepInput,
  deps: StepDeps<'s3' | 'ssm'>,
  record: NonNullable<Awaited<ReturnType<typeof readChangeRecord>>>,
  current: Awaited<ReturnType<typeof readEncryption>>,
): Promise<Omit<RestoreDefaultEncryptionOutput, 'changed'>> {
  const bucket = record.bucket;
  const { ssm } = deps.clients.orchestrator();
  if (!sameEncryption(current, record.applied)) {
    return { restored: false, reason: 'the bucket no longer has the configuration this request set; left as it is' };
  }
  const reliers = await otherReliers(ssm, bucket, changeRecordParameter(input.request.requestId, bucket), current);
  if (reliers.length) {
    await keepOriginalEncryption(ssm, record);
    return { restored: false, reason: `other onboardings still rely on the bucket's default encryption; kept for them`, reliedOnBy: reliers };
  }
  const { before, original } = await configurationToRestore(ssm, record, current);
  let restored = false;
  let reason: string | undefined;
  const { s3 } = clientsFor(input, deps, 'bucket');
  if (sameEncryption(current, before)) {
    reason = 'the bucket already had this configuration before the request';
  } else if (before === null) {
    await s3.send(new DeleteBucketEncryptionCommand({ Bucket: bucket }));
    restored = true;
    proveEncryption(await readEncryption(s3, bucket), bucket, null);
  } else {
    await s3.send(new PutBucketEncryptionCommand({ Bucket: bucket, ServerSideEncryptionConfiguration: before }));
    restored = true;
    proveEncryption(await readEncryption(s3, bucket), bucket, before);
  }
  if (original) await deleteParameterIfPresent(ssm, original);
  return { restored, ...(reason ? { reason } : {}) };
}
