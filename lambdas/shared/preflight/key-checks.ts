// The keys as checks: the bucket's key (key.arn) must serve S3 default encryption for FSx, and the
// file system's own key (fileSystem.kmsKeyArn) must be usable by FSx with the file-system role.
// The rules are ValidateRequest's (validate-request/key-checks.ts), which refuses where `plan` reports.
import type { KMSClient } from '@aws-sdk/client-kms';
import { OnboardingError } from '../../../core/errors.js';
import type { OnboardingRequest } from '../../../core/request.js';
import type { OnboardingContext } from '../../../core/step-io.js';
import { checkFileSystemKey, describeKey, keyProblems } from '../../validate-request/key-checks.js';
import type { ClientFactory } from '../clients.js';
import type { CheckResult } from './types.js';

export async function keyCheck(kms: KMSClient, request: OnboardingRequest): Promise<CheckResult> {
  const key = await describeKey(kms, request.key.arn);
  const problems = keyProblems(key, request.region);
  return problems.length
    ? { name: 'key', status: 'fail', detail: `key ${request.key.arn} cannot encrypt the bucket for FSx: ${problems.join('; ')}` }
    : { name: 'key', status: 'pass', detail: `${request.key.arn}: ${key?.KeySpec}, ${key?.KeyUsage}, ${key?.KeyState}, in ${request.region}` };
}

/** fileSystem.kmsKeyArn only; its refusal (an OnboardingError) becomes the failed check. */
export async function fileSystemKeyCheck(request: OnboardingRequest, context: OnboardingContext, clients: ClientFactory): Promise<CheckResult | undefined> {
  const keyArn = request.fileSystem.kmsKeyArn;
  if (keyArn === undefined) return undefined;
  try {
    await checkFileSystemKey(request, context, { clients });
  } catch (e) {
    if (e instanceof OnboardingError) return { name: 'fileSystemKey', status: 'fail', detail: e.message };
    throw e;
  }
  return { name: 'fileSystemKey', status: 'pass', detail: `${keyArn}: symmetric, enabled, and usable by FSx with ${context.roleArns.fileSystem}` };
}
