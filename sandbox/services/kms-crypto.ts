// The KMS calls S3 makes on a requester's behalf for SSE-KMS objects (GenerateDataKey on
// write, Decrypt on read). KMS sees the requester as the principal, with kms:ViaService,
// kms:CallerAccount and the aws:s3:arn encryption context; the event lands in CloudTrail of
// the requester's account, and of the key owner's unless KMS denied it.
import { trailRecipients } from '../cloudtrail.js';
import { SimError } from '../errors.js';
import type { Caller } from '../identity.js';
import type { Sim } from '../sim.js';
import { keyPolicyOf, resolveKey } from './kms.js';

export interface CryptoRequest {
  operation: 'GenerateDataKey' | 'Decrypt' | 'Encrypt';
  keyId: string;
  /** The requester S3 acts for. */
  caller: Caller;
  region: string;
  encryptionContext: Record<string, string>;
  viaService: string;
}

/** Returns the key ARN used; throws a KMS SimError (AccessDeniedException, DisabledException …). */
export function kmsCryptoOnBehalf(sim: Sim, request: CryptoRequest): string {
  const caller: Caller = { ...request.caller, invokedBy: request.viaService.replace(/\.[a-z0-9-]+\.amazonaws\.com$/, '.amazonaws.com') };
  const parameters: Record<string, unknown> = {
    encryptionContext: request.encryptionContext,
    ...(request.operation === 'Decrypt' ? { encryptionAlgorithm: 'SYMMETRIC_DEFAULT' } : { keyId: request.keyId, keySpec: 'AES_256' }),
  };
  let keyArn = request.keyId;
  let keyAccount: string | undefined;
  try {
    const key = resolveKey(sim, request.keyId, caller.account, request.region);
    keyArn = key.arn;
    keyAccount = key.account;
    const context: Record<string, string | string[]> = {
      'kms:CallerAccount': caller.account,
      'kms:ViaService': request.viaService,
      'kms:EncryptionContextKeys': Object.keys(request.encryptionContext),
    };
    for (const [k, v] of Object.entries(request.encryptionContext)) context[`kms:EncryptionContext:${k}`] = v;
    sim.authorize(
      'kms',
      caller,
      { action: `kms:${request.operation}`, resource: key.arn, resourceAccount: key.account, context },
      { resourcePolicy: keyPolicyOf(key), kms: { grants: key.grants } },
    );
    if (key.keyState === 'Disabled') throw new SimError('DisabledException', `${key.arn} is disabled.`);
    if (key.keyState === 'PendingDeletion') throw new SimError('KMSInvalidStateException', `${key.arn} is pending deletion.`);
    if (key.keySpec !== 'SYMMETRIC_DEFAULT' || key.keyUsage !== 'ENCRYPT_DECRYPT') {
      throw new SimError('InvalidKeyUsageException', `${key.arn} key usage is ${key.keyUsage} which is not valid for ${request.operation}.`);
    }
    record(sim, caller, request, parameters, keyArn, keyAccount);
    return key.arn;
  } catch (error) {
    if (error instanceof SimError) record(sim, caller, request, parameters, keyArn, keyAccount, error);
    throw error;
  }
}

function record(sim: Sim, caller: Caller, request: CryptoRequest, parameters: unknown, keyArn: string, keyAccount: string | undefined, error?: SimError): void {
  sim.record({
    caller,
    service: 'kms',
    eventName: request.operation,
    region: request.region,
    requestParameters: parameters,
    ...(error ? { error: { code: error.trailCode ?? error.code, message: error.message } } : {}),
    resources: [{ ARN: keyArn, ...(keyAccount ? { accountId: keyAccount } : {}), type: 'AWS::KMS::Key' }],
    recipients: trailRecipients('kms', caller.account, keyAccount, error?.trailCode ?? error?.code),
    management: true,
    readOnly: true,
  });
}
