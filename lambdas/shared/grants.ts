// Grants on the key, listed with the key ARN (cross-account callers must use the ARN).
import { ListGrantsCommand, type GrantListEntry, type KMSClient } from '@aws-sdk/client-kms';

export async function listGrants(kms: KMSClient, keyArn: string): Promise<GrantListEntry[]> {
  const grants: GrantListEntry[] = [];
  let Marker: string | undefined;
  do {
    const page = await kms.send(new ListGrantsCommand({ KeyId: keyArn, ...(Marker ? { Marker } : {}) }));
    grants.push(...(page.Grants ?? []));
    Marker = page.Truncated ? page.NextMarker : undefined;
  } while (Marker);
  return grants;
}
