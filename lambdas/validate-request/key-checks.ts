// Read-only checks of the KMS keys a request names, before anything changes: the bucket's key
// (key.arn) and the file system's own at-rest key (fileSystem.kmsKeyArn). FSx for Lustre
// accepts only symmetric encryption keys; a key it cannot use for the file-system role makes
// CreateFileSystem fail only after the bucket and key policies have changed.
import { DescribeKeyCommand, type KeyMetadata, type KMSClient } from '@aws-sdk/client-kms';
import { parse as parseArn } from '@aws-sdk/util-arn-parser';
import { ErrorNames, OnboardingError } from '../../core/errors.js';
import { FILE_SYSTEM_KEY_OPERATIONS } from '../../core/naming.js';
import type { OnboardingRequest } from '../../core/request.js';
import type { OnboardingContext } from '../../core/step-io.js';
import { evaluateAccess } from '../../policy/evaluate.js';
import { readKeyPolicy } from '../shared/key-policy.js';
import type { StepDeps } from '../shared/step-deps.js';

/** Why a key cannot encrypt for FSx, in words; empty when it can. */
export function keyProblems(key: KeyMetadata | undefined, region: string): string[] {
  if (!key) return ['DescribeKey returned no key metadata'];
  const problems: string[] = [];
  if (key.KeySpec !== 'SYMMETRIC_DEFAULT') problems.push(`its key spec is ${key.KeySpec}; FSx for Lustre accepts only symmetric keys (SYMMETRIC_DEFAULT)`);
  if (key.KeyUsage !== 'ENCRYPT_DECRYPT') problems.push(`its key usage is ${key.KeyUsage}, not ENCRYPT_DECRYPT`);
  if (key.KeyState !== 'Enabled') problems.push(`its state is ${key.KeyState}, not Enabled`);
  const keyRegion = key.Arn?.split(':')[3];
  if (keyRegion && keyRegion !== region) problems.push(`it is in ${keyRegion}, not ${region}`);
  return problems;
}

export async function describeKey(kms: KMSClient, keyArn: string): Promise<KeyMetadata | undefined> {
  return (await kms.send(new DescribeKeyCommand({ KeyId: keyArn }))).KeyMetadata;
}

/**
 * The file system's own key. GetKeyPolicy works only in the key's account, so it is read
 * through the target role of that account (the request schema allows A or C only). FSx calls
 * KMS with the creator's credentials through fsx.<region>.amazonaws.com; the key policy must
 * allow that, or delegate it to account A's IAM policies (the deployed file-system role then
 * allows it). An explicit Deny is named by its Sid.
 */
export async function checkFileSystemKey(request: OnboardingRequest, context: OnboardingContext, deps: StepDeps): Promise<void> {
  const keyArn = request.fileSystem.kmsKeyArn;
  if (keyArn === undefined) return;
  const keyAccount = parseArn(keyArn).accountId;
  const role = keyAccount === context.accounts.fileSystem ? 'fileSystem' : 'key';
  const { kms } = deps.clients.forTarget(role, keyAccount);
  const refuse = (why: string) => new OnboardingError(ErrorNames.KeyNotUsable, `fileSystem.kmsKeyArn: key ${keyArn} cannot encrypt the file system: ${why}`);
  const problems = keyProblems(await describeKey(kms, keyArn), request.region);
  if (problems.length) throw refuse(problems.join('; '));

  const keyPolicy = await readKeyPolicy(kms, keyArn);
  const principal = { arn: context.roleArns.fileSystem, account: context.accounts.fileSystem };
  const viaService = `fsx.${request.region}.amazonaws.com`;
  const refused: string[] = [];
  for (const operation of FILE_SYSTEM_KEY_OPERATIONS) {
    const decision = evaluateAccess({
      request: {
        action: `kms:${operation}`,
        resource: keyArn,
        resourceAccount: keyAccount,
        principal,
        context: { 'kms:ViaService': viaService, 'kms:CallerAccount': principal.account },
      },
      // The key policy alone: "no identity allow" means it delegates to account A's IAM.
      identityPolicies: [],
      resourcePolicy: keyPolicy,
    });
    if (decision.allowed || decision.deniedBecause === 'no-identity-allow') continue;
    refused.push(
      decision.deniedBecause === 'explicit-deny-resource'
        ? `kms:${operation} is explicitly denied by the key policy (Sid ${decision.matchedStatements?.join(', ')})`
        : `the key policy allows neither ${principal.arn} nor account ${principal.account} kms:${operation}`,
    );
  }
  if (refused.length) throw refuse(`FSx uses it through ${viaService} with the file-system role's credentials, and ${refused.join('; ')}`);
}
