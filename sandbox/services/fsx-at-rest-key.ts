// A persistent file system's own customer managed key (CreateFileSystem KmsKeyId). FSx uses
// the key with the creator's credentials through fsx.<region>.amazonaws.com: it describes the
// key and creates its grant on it, and encrypts with data keys it gets and decrypts. So the
// creator's identity policy and the key policy (or a grant) must both allow those operations,
// the key must be symmetric and Enabled, and scratch file systems take no key at all (FSx for
// Lustre User Guide, "Encrypting data at rest" and "How Amazon FSx for Lustre uses AWS KMS").
import { FILE_SYSTEM_KEY_OPERATIONS } from '../../core/naming.js';
import { SimError } from '../errors.js';
import type { Call } from '../sim.js';
import { keyPolicyOf, resolveKey } from './kms.js';

/** Deployment types FSx encrypts with keys of its own (a KmsKeyId is refused). */
const FSX_MANAGED_KEY_TYPES = ['SCRATCH_1', 'SCRATCH_2'];

/**
 * The key's ARN when FSx can use it for this caller; FSx's BadRequest otherwise. FSx validates
 * the key when the request arrives (assumption: synchronously, not as a FAILED file system).
 */
export function checkAtRestKey(call: Call, keyId: string, deploymentType: string): string {
  if (FSX_MANAGED_KEY_TYPES.includes(deploymentType))
    throw new SimError('BadRequest', `KmsKeyId is not supported for ${deploymentType} file systems, which are encrypted with keys managed by Amazon FSx.`);
  const unusable = (why: string) => new SimError('BadRequest', `Amazon FSx is unable to use the AWS KMS key ${keyId}: ${why}`);
  let key: ReturnType<typeof resolveKey>;
  try {
    key = resolveKey(call.sim, keyId, call.caller.account, call.region);
  } catch {
    throw unusable('the key does not exist in this Region or is not visible to the caller.');
  }
  const caller = { ...call.caller, invokedBy: 'fsx.amazonaws.com' };
  for (const operation of FILE_SYSTEM_KEY_OPERATIONS) {
    const decision = call.sim.decide(
      caller,
      {
        action: `kms:${operation}`,
        resource: key.arn,
        resourceAccount: key.account,
        context: { 'kms:ViaService': `fsx.${call.region}.amazonaws.com`, 'kms:CallerAccount': call.caller.account },
      },
      { resourcePolicy: keyPolicyOf(key), kms: { grants: key.grants } },
    );
    if (!decision.allowed) throw unusable(decision.message ?? `kms:${operation} is not allowed.`);
  }
  if (key.keyState !== 'Enabled') throw unusable(`the key is ${key.keyState}.`);
  if (key.keySpec !== 'SYMMETRIC_DEFAULT' || key.keyUsage !== 'ENCRYPT_DECRYPT')
    throw unusable(`Amazon FSx accepts only symmetric encryption keys; this key is ${key.keySpec} for ${key.keyUsage}.`);
  return key.arn;
}
