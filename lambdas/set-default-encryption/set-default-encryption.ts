// Blog step 3: SSE-KMS default encryption with the shared key. The previous configuration is
// recorded in Parameter Store BEFORE the change (write-ahead), so a crash between the two
// writes still leaves rollback what it needs. An existing record means a re-run: it holds the
// true "before" and is kept.
import { PutBucketEncryptionCommand } from '@aws-sdk/client-s3';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { changeRecordParameter } from '../../core/naming.js';
import { encryptionFor, proveEncryption, readChangeRecord, readEncryption, sameEncryption, type ChangeRecord } from '../shared/encryption.js';
import { baselineOf } from '../shared/run-baseline.js';
import { underDocumentLock } from '../shared/shared-document.js';
import { clientsFor, isErrorNamed } from '../shared/step-support.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from '../shared/step-deps.js';
import type { SetDefaultEncryptionOutput } from '../../core/step-outputs.js';

export function setDefaultEncryption(input: StepInput, deps: StepDeps<'s3' | 'ssm' | 'dynamodb'>): Promise<SetDefaultEncryptionOutput> {
  return underDocumentLock('SetDefaultEncryption', input, deps, () => setEncryption(input, deps));
}

async function setEncryption(input: StepInput, deps: StepDeps<'s3' | 'ssm'>): Promise<SetDefaultEncryptionOutput> {
  const { request } = input;
  const bucket = request.bucket.name;
  const parameter = changeRecordParameter(request.requestId, bucket);
  const { s3 } = clientsFor(input, deps, 'bucket');
  const { ssm } = deps.clients.orchestrator();
  const current = await readEncryption(s3, bucket);
  // ValidateRequest has resolved an absent bucketKeyEnabled already; resolving again here keeps
  // the step right on its own (a redrive, a direct invocation).
  const wanted = encryptionFor(request, current);
  let record = await readChangeRecord(ssm, parameter);
  let changed = false;
  if (!record) {
    const runId = baselineOf(input)?.runId;
    record = { bucket, previous: current, applied: wanted, ...(runId ? { runId } : {}) } satisfies ChangeRecord;
    try {
      await ssm.send(
        new PutParameterCommand({
          Name: parameter,
          Type: 'String',
          Value: JSON.stringify(record),
          Overwrite: false,
          Description: `Default encryption of ${bucket} before fsx-onboard request ${request.requestId}`,
        }),
      );
      changed = true;
    } catch (e) {
      // A concurrent run wrote it first: its record is the true "before".
      if (!isErrorNamed(e, 'ParameterAlreadyExists')) throw e;
      record = (await readChangeRecord(ssm, parameter)) ?? record;
    }
  }
  if (!sameEncryption(current, wanted)) {
    await s3.send(new PutBucketEncryptionCommand({ Bucket: bucket, ServerSideEncryptionConfiguration: wanted }));
    changed = true;
    proveEncryption(await readEncryption(s3, bucket), bucket, wanted);
  }
  return { changed, changeRecordParameter: parameter, hadPreviousConfiguration: record.previous !== null };
}
