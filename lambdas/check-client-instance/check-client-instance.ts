// Second state, still before any change: the Lustre client (lustre-client mode), its instance
// type and whether that type encrypts the client's traffic to the file system in transit. The
// test export runs on this instance, so one that does not exist (or whose type its region does
// not offer) would fail StartTestExport only after the bucket, key and file system had changed:
// refused here instead. With testExport.requireEncryptionInTransit, a type without encryption in
// transit is refused too. A state of its own, not part of ValidateRequest: the EC2 client is
// ~50 KB even tree-shaken, and ValidateRequest's bundle would go over the 500 KB budget.
import { ErrorNames, OnboardingError } from '../../core/errors.js';
import type { StepInput } from '../../core/step-io.js';
import type { CheckClientInstanceOutput } from '../../core/step-outputs.js';
import { readEncryptionInTransit } from '../shared/encryption-in-transit.js';
import type { StepDeps } from '../shared/step-deps.js';

const RULE =
  'FSx for Lustre encrypts data in transit only to EC2 instance types that support it (NetworkInfo.EncryptionInTransitSupported; e.g. m6i, c6i, r6i, m5n, c5n, c6in)';

/** The client's encryption in transit, absent when there is no EC2 client to ask about (and none is required). */
export async function checkClientInstance(input: StepInput, deps: StepDeps<'ec2'>): Promise<CheckClientInstanceOutput> {
  const { request, context } = input;
  const instanceId = request.testExport.mode === 'lustre-client' ? request.testExport.clientInstanceId : undefined;
  if (!instanceId) return { changed: false };
  const required = request.testExport.requireEncryptionInTransit === true;
  const { ec2 } = deps.clients.forTarget('fileSystem', context.accounts.fileSystem);
  const reading = await readEncryptionInTransit(ec2, instanceId, request.region);
  if (!reading.ok) {
    if (reading.problem === 'not-ec2' && !required) return { changed: false };
    const field = reading.problem === 'not-ec2' ? 'testExport.requireEncryptionInTransit' : 'testExport.clientInstanceId';
    const name = reading.problem === 'not-ec2' ? ErrorNames.EncryptionInTransitUnsupported : ErrorNames.RequestInvalid;
    throw new OnboardingError(name, `${field}: ${reading.reason}`);
  }
  const { instanceType, supported } = reading.value;
  if (required && !supported) {
    throw new OnboardingError(
      ErrorNames.EncryptionInTransitUnsupported,
      `testExport.requireEncryptionInTransit: client instance ${instanceId} is a ${instanceType}, which does not support encryption in transit: ${RULE}`,
    );
  }
  return { changed: false, encryptionInTransit: reading.value };
}
