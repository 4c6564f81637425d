// Compensation: puts back the recorded default encryption, but only if the bucket still has
// the configuration this request set (someone may have changed it since; theirs wins). The
// record is deleted afterwards, so a second run finds nothing to do.
import { DeleteBucketEncryptionCommand, PutBucketEncryptionCommand } from '@aws-sdk/client-s3';
import { DeleteParameterCommand } from '@aws-sdk/client-ssm';
import { proveEncryption, readChangeRecord, readEncryption, sameEncryption } from '../shared/encryption.js';
import { baselineOf } from '../shared/run-baseline.js';
import { underDocumentLock } from '../shared/shared-document.js';
import { clientsFor, isErrorNamed } from '../shared/step-support.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from '../shared/step-deps.js';
import type { RestoreDefaultEncryptionOutput } from '../../core/step-outputs.js';

export function restoreDefaultEncryption(input: StepInput, deps: StepDeps<'s3' | 'ssm' | 'dynamodb'>): Promise<RestoreDefaultEncryptionOutput> {
  return underDocumentLock('RestoreDefaultEncryption', input, deps, () => restore(input, deps));
}

async function restore(input: StepInput, deps: StepDeps<'s3' | 'ssm'>): Promise<RestoreDefaultEncryptionOutput> {
  const { request, context } = input;
  const bucket = request.bucket.name;
  const parameter = context.names.changeRecordParameter;
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
  let restored = false;
  let reason: string | undefined;
  if (!sameEncryption(current, record.applied)) {
    reason = 'the bucket no longer has the configuration this request set; left as it is';
  } else if (sameEncryption(current, record.previous)) {
    reason = 'the bucket already had this configuration before the request';
  } else if (record.previous === null) {
    await s3.send(new DeleteBucketEncryptionCommand({ Bucket: bucket }));
    restored = true;
    proveEncryption(await readEncryption(s3, bucket), bucket, null);
  } else {
    await s3.send(new PutBucketEncryptionCommand({ Bucket: bucket, ServerSideEncryptionConfiguration: record.previous }));
    restored = true;
    proveEncryption(await readEncryption(s3, bucket), bucket, record.previous);
  }
  try {
    await ssm.send(new DeleteParameterCommand({ Name: parameter }));
  } catch (e) {
    if (!isErrorNamed(e, 'ParameterNotFound')) throw e;
  }
  return { changed: true, restored, ...(reason ? { reason } : {}) };
}
