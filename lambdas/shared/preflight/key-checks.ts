// Whether the key can serve S3 default encryption for FSx: FSx accepts only symmetric keys, S3
// uses keys of the bucket's region only, and a disabled key encrypts nothing. Shared by
// ValidateRequest (which refuses) and `plan` (which reports).
import { DescribeKeyCommand, type KeyMetadata, type KMSClient } from '@aws-sdk/client-kms';
import type { OnboardingRequest } from '../../../core/request.js';
import type { CheckResult } from './types.js';

/** Every reason the key cannot be used; empty when it can. */
export function keyProblems(request: OnboardingRequest, key: KeyMetadata | undefined): string[] {
  if (!key) return ['DescribeKey returned no key metadata'];
  const problems: string[] = [];
  if (key.KeySpec !== 'SYMMETRIC_DEFAULT') problems.push(`its key spec is ${key.KeySpec}; FSx for Lustre accepts only symmetric keys (SYMMETRIC_DEFAULT)`);
  if (key.KeyUsage !== 'ENCRYPT_DECRYPT') problems.push(`its key usage is ${key.KeyUsage}, not ENCRYPT_DECRYPT`);
  if (key.KeyState !== 'Enabled') problems.push(`its state is ${key.KeyState}, not Enabled`);
  const keyRegion = key.Arn?.split(':')[3];
  if (keyRegion && keyRegion !== request.region) problems.push(`it is in ${keyRegion}, not ${request.region}`);
  return problems;
}

export async function describeKey(kms: KMSClient, keyArn: string): Promise<KeyMetadata | undefined> {
  return (await kms.send(new DescribeKeyCommand({ KeyId: keyArn }))).KeyMetadata;
}

export function keyCheck(request: OnboardingRequest, key: KeyMetadata | undefined): CheckResult {
  const problems = keyProblems(request, key);
  return problems.length
    ? { name: 'key', status: 'fail', detail: `key ${request.key.arn} cannot encrypt the bucket for FSx: ${problems.join('; ')}` }
    : { name: 'key', status: 'pass', detail: `${request.key.arn}: ${key?.KeySpec}, ${key?.KeyUsage}, ${key?.KeyState}, in ${request.region}` };
}
