// Read-modify-write of the key policy in account C. KMS has only the policy named "default"
// and no version precondition, so each write starts from a fresh read and touches our Sid only.
import { GetKeyPolicyCommand, PutKeyPolicyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { assertKeyPolicySize, parsePolicy, serializePolicy } from '../../policy/documents.js';
import type { PolicyDocument } from '../../policy/types.js';

export async function readKeyPolicy(kms: KMSClient, keyArn: string): Promise<PolicyDocument> {
  const { Policy } = await kms.send(new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: 'default' }));
  return parsePolicy(Policy);
}

export async function writeKeyPolicy(kms: KMSClient, keyArn: string, document: PolicyDocument): Promise<void> {
  assertKeyPolicySize(document, keyArn);
  // Never bypass the lockout check: a policy that locks out its own editor must fail.
  await kms.send(new PutKeyPolicyCommand({ KeyId: keyArn, PolicyName: 'default', Policy: serializePolicy(document), BypassPolicyLockoutSafetyCheck: false }));
}
