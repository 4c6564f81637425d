// A denied export leaves no error on the client (hsm_archive returns 0), only a KMS
// AccessDenied in CloudTrail: these helpers find it and say who was denied what, where. KMS logs
// a denied cross-account request only in the caller's account (for FSx's SLR: A), and CloudTrail
// delivers it minutes after the call, so callers search A and allow for the delay.
import { paginateLookupEvents, type CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { errorName } from '../core/errors.js';

export interface Denial {
  account: string;
  eventName: string;
  eventTime?: string;
  action: string;
  principal: string;
  resource: string;
  errorCode: string;
  errorMessage: string;
}

interface TrailRecord {
  eventName?: string;
  eventSource?: string;
  eventTime?: string;
  errorCode?: string;
  errorMessage?: string;
  userIdentity?: { arn?: string; accountId?: string; invokedBy?: string };
  resources?: { ARN?: string }[] | null;
  requestParameters?: { keyId?: string } | null;
}

async function lookupKmsDenials(
  cloudtrail: CloudTrailClient,
  options: { account: string; eventNames: string[]; since: Date; keyArn: string },
): Promise<Denial[]> {
  const denials: Denial[] = [];
  for (const name of options.eventNames) {
    const pages = paginateLookupEvents(
      { client: cloudtrail },
      { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: name }], StartTime: options.since },
    );
    for await (const page of pages) {
      for (const event of page.Events ?? []) {
        if (!event.CloudTrailEvent) continue;
        const record = JSON.parse(event.CloudTrailEvent) as TrailRecord;
        if (!record.errorCode?.startsWith('AccessDenied')) continue;
        const resource = record.resources?.find((r) => r.ARN)?.ARN ?? record.requestParameters?.keyId ?? options.keyArn;
        const keyId = options.keyArn.split('/').pop()!;
        if (!resource.endsWith(keyId)) continue;
        denials.push({
          account: options.account,
          eventName: record.eventName ?? name,
          ...(record.eventTime ? { eventTime: record.eventTime } : {}),
          action: `kms:${record.eventName ?? name}`,
          principal: record.userIdentity?.arn ?? record.userIdentity?.invokedBy ?? 'an unknown principal',
          resource,
          errorCode: record.errorCode,
          errorMessage: record.errorMessage ?? '',
        });
      }
    }
  }
  return denials;
}

/** Looks in each account in turn; a failed lookup is reported, not thrown: it only explains another failure. */
export async function findDenials(
  trails: { account: string; client: CloudTrailClient }[],
  options: { eventNames: string[]; since: Date; keyArn: string },
): Promise<{ denials: Denial[]; lookupProblems: string[] }> {
  const denials: Denial[] = [];
  const lookupProblems: string[] = [];
  for (const trail of trails) {
    try {
      denials.push(...(await lookupKmsDenials(trail.client, { account: trail.account, ...options })));
    } catch (e) {
      lookupProblems.push(`CloudTrail lookup in account ${trail.account} failed (${errorName(e)}: ${(e as Error).message})`);
    }
  }
  // An allowed cross-account call is recorded in both the caller's and the key owner's trail: report it once.
  const seen = new Set<string>();
  const unique = denials.filter((d) => {
    const key = `${d.action}|${d.principal}|${d.resource}|${d.eventTime ?? ''}`;
    return !seen.has(key) && seen.add(key) !== undefined;
  });
  return { denials: unique, lookupProblems };
}

export function describeDenial(d: Denial): string {
  return `CloudTrail in account ${d.account} recorded ${d.action} ${d.errorCode} for ${d.principal} on ${d.resource}${d.eventTime ? ` at ${d.eventTime}` : ''}${d.errorMessage ? ` ("${d.errorMessage}")` : ''}`;
}
