// The Lustre client, read before any change (lustre-client mode): its instance type and whether
// that type encrypts the client's traffic to the file system in transit. The test export runs on
// this instance, so one that does not exist (or whose type its region does not offer) would fail
// StartTestExport only after the bucket, key and file system had changed: refused here instead.
// With testExport.requireEncryptionInTransit, a type without encryption in transit is refused too.
import { ErrorNames, OnboardingError } from '../../core/errors.js';
import type { OnboardingRequest } from '../../core/request.js';
import type { OnboardingContext } from '../../core/step-io.js';
import type { EncryptionInTransit } from '../../core/step-outputs.js';
import { readEncryptionInTransit } from '../shared/encryption-in-transit.js';
import type { StepDeps } from '../shared/step-deps.js';

const RULE =
  'FSx for Lustre encrypts data in transit only to EC2 instance types that support it (NetworkInfo.EncryptionInTransitSupported; e.g. m6i, c6i, r6i, m5n, c5n, c6in)';

/** The client's encryption in transit, or undefined when there is no EC2 client to ask about (and none is required). */
export async function checkClientInstance(
  request: OnboardingRequest,
  context: OnboardingContext,
  deps: StepDeps<'ec2'>,
): Promise<EncryptionInTransit | undefined> {
  const instanceId = request.testExport.mode === 'lustre-client' ? request.testExport.clientInstanceId : undefined;
  if (!instanceId) return undefined;
  const required = request.testExport.requireEncryptionInTransit === true;
  const { ec2 } = deps.clients.forTarget('fileSystem', context.accounts.fileSystem);
  const reading = await readEncryptionInTransit(ec2, instanceId, request.region);
  if (!reading.ok) {
    if (reading.problem === 'not-ec2' && !required) return undefined;
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
  return reading.value;
}
