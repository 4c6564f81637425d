// Grants on the request's keys. They are created, listed and revoked from account A (the
// file-system role): the FSx Lustre User Guide requires the SLR's grant to come from the file
// system's account. Cross-account KMS calls must name the key by its full ARN.
import { paginateListGrants, type CreateGrantCommandInput, type GrantListEntry, type KMSClient } from '@aws-sdk/client-kms';
import { ErrorNames, OnboardingError } from '../../core/errors.js';
import { GRANT_OPERATIONS } from '../../core/naming.js';
import type { OnboardingRequest } from '../../core/request.js';
import { isErrorNamed } from './step-support.js';

export async function listGrants(kms: KMSClient, keyArn: string): Promise<GrantListEntry[]> {
  const grants: GrantListEntry[] = [];
  for await (const page of paginateListGrants({ client: kms }, { KeyId: keyArn })) grants.push(...(page.Grants ?? []));
  return grants;
}

/**
 * The grant CreateGrant asks for on `keyArn`: the blog's operations for the SLR, named after the
 * request (with Name set, a retry with the same parameters returns the same GrantId).
 */
export function grantInput(keyArn: string, grantee: string, name: string): CreateGrantCommandInput & { Operations: string[] } {
  return { KeyId: keyArn, GranteePrincipal: grantee, Operations: [...GRANT_OPERATIONS], Name: name };
}

/** The request's key first, then the keys objects already in the prefix use (each granted to the SLR). */
export function grantedKeyArns(request: OnboardingRequest): string[] {
  return [...new Set([request.key.arn, ...request.bucket.additionalKeyArns])];
}

/**
 * A refused grant call becomes KeyGrantNotAllowed, saying which statement the key's owner must
 * add: ShareKey writes it only into the request's key; additional keys belong to their owners.
 */
export function explainGrantDenial(e: unknown, request: OnboardingRequest, keyArn: string, fileSystemRoleArn: string): unknown {
  if (!isErrorNamed(e, 'AccessDeniedException')) return e;
  const where =
    keyArn === request.key.arn
      ? `ShareKey adds it to ${keyArn}; redrive from ShareKey if it is missing`
      : `${keyArn} is one of bucket.additionalKeyArns, whose key policy fsx-onboard does not edit: its owner must add it (docs/deploy.md, "Additional keys")`;
  return new OnboardingError(
    ErrorNames.KeyGrantNotAllowed,
    `${fileSystemRoleArn} may not manage grants on ${keyArn}: the key policy must allow it kms:CreateGrant (for the FSx S3-access SLR of account ${request.fileSystem.accountId}), kms:ListGrants and kms:RevokeGrant, and its identity policy must allow the same on that key ARN; ${where}. KMS said: ${(e as Error).message}`,
    { cause: e },
  );
}
