// CloudTrail: one event per served call, recorded in the caller's account and, for calls on
// another account's resource (S3, KMS, STS), in the owner's account too, except KMS requests
// that were denied: those only in the caller's. LookupEvents returns only management events, as
// on AWS (S3 object-level calls are data events, kept for the snapshot), and only once they have
// been delivered, minutes after the call.
import type { Caller } from './identity.js';
import { roleNameOf } from './identity.js';
import { SimError } from './errors.js';
import type { WorldState } from './state.js';
import { nextUuid } from './state.js';
import { trailOf } from './trail-store.js';

export interface TrailResource {
  ARN: string;
  accountId?: string;
  type: string;
}

export interface EventInput {
  caller: Caller | undefined;
  service: string;
  eventName: string;
  region: string;
  time: number;
  requestParameters?: unknown;
  responseElements?: unknown;
  error?: { code: string; message: string };
  resources?: TrailResource[];
  /** Accounts whose trail gets the event (caller's account first). */
  recipients: string[];
  management: boolean;
  readOnly: boolean;
}

/**
 * CloudTrail delivers an event "within an average of about 5 minutes of an API call" (CloudTrail
 * FAQ), not guaranteed; LookupEvents sees it only then.
 */
export const CLOUDTRAIL_DELIVERY_MS = 5 * 60_000;

/**
 * Whose trail gets an event: the caller's, and the owner's of the resource acted on when it is
 * another account (S3, KMS, STS). KMS Developer Guide, "Logging AWS KMS API calls with AWS
 * CloudTrail": cross-account requests that are denied are logged only in the caller's account.
 */
export function trailRecipients(service: string, callerAccount: string, resourceAccount: string | undefined, errorCode?: string): string[] {
  const owner = resourceAccount && (service === 's3' || service === 'kms' || service === 'sts') ? [resourceAccount] : [];
  if (service === 'kms' && errorCode?.startsWith('AccessDenied')) return [callerAccount];
  return [...new Set([callerAccount, ...owner])];
}

export function recordEvent(state: WorldState, input: EventInput): void {
  const eventID = nextUuid(state);
  const caller = input.caller;
  const userIdentity = caller
    ? {
        type: 'AssumedRole',
        principalId: `AROA${caller.account}:${caller.sessionArn.split('/').pop()}`,
        arn: caller.sessionArn,
        accountId: caller.account,
        ...(caller.accessKeyId ? { accessKeyId: caller.accessKeyId } : {}),
        sessionContext: { sessionIssuer: { type: 'Role', arn: caller.roleArn, accountId: caller.account, userName: roleNameOf(caller.roleArn) } },
        ...(caller.invokedBy ? { invokedBy: caller.invokedBy } : {}),
      }
    : { type: 'AWSAccount', accountId: 'anonymous' };
  for (const recipient of [...new Set(input.recipients)]) {
    const record: Record<string, unknown> = {
      eventVersion: '1.09',
      userIdentity,
      eventTime: new Date(input.time).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      eventSource: `${input.service}.amazonaws.com`,
      eventName: input.eventName,
      awsRegion: input.region,
      sourceIPAddress: caller?.invokedBy ?? '198.51.100.10',
      userAgent: caller?.invokedBy ?? 'aws-sdk-js/3 fsx-onboard-sandbox',
      ...(input.error ? { errorCode: input.error.code, errorMessage: input.error.message } : {}),
      requestParameters: input.requestParameters ?? null,
      responseElements: input.responseElements ?? null,
      eventID,
      readOnly: input.readOnly,
      resources: input.resources ?? [],
      eventType: 'AwsApiCall',
      managementEvent: input.management,
      recipientAccountId: recipient,
      eventCategory: input.management ? 'Management' : 'Data',
    };
    trailOf(state).add({ recipientAccountId: recipient, time: input.time, managementEvent: input.management, record });
  }
}

interface LookupInput {
  LookupAttributes?: { AttributeKey?: string; AttributeValue?: string }[];
  StartTime?: Date;
  EndTime?: Date;
  MaxResults?: number;
  NextToken?: string;
}

const attributeFields: Record<string, (r: Record<string, unknown>) => string[]> = {
  EventName: (r) => [String(r['eventName'])],
  EventSource: (r) => [String(r['eventSource'])],
  EventId: (r) => [String(r['eventID'])],
  ReadOnly: (r) => [String(r['readOnly'])],
  Username: (r) => [String((r['userIdentity'] as { arn?: string }).arn?.split('/').pop() ?? '')],
  AccessKeyId: (r) => [String((r['userIdentity'] as { accessKeyId?: string }).accessKeyId ?? '')],
  ResourceName: (r) => (r['resources'] as { ARN: string }[]).map((x) => x.ARN),
  ResourceType: (r) => (r['resources'] as { type: string }[]).map((x) => x.type),
};

/** `deliveredBy`: events recorded at or before this virtual time have been delivered. */
export function lookupEvents(state: WorldState, account: string, region: string, input: LookupInput, deliveredBy = Number.POSITIVE_INFINITY) {
  const attributes = input.LookupAttributes ?? [];
  if (attributes.length > 1) throw new SimError('InvalidLookupAttributesException', 'You cannot specify more than one lookup attribute.');
  const filter = attributes[0];
  if (filter && !attributeFields[filter.AttributeKey ?? ''])
    throw new SimError('InvalidLookupAttributesException', `Invalid lookup attribute key: ${filter.AttributeKey}`);
  const start = input.StartTime ? new Date(input.StartTime).getTime() : -Infinity;
  const end = input.EndTime ? new Date(input.EndTime).getTime() : Infinity;
  if (start > end) throw new SimError('InvalidTimeRangeException', 'Start time must be before end time.');
  const matches = trailOf(state)
    .all()
    .filter((e) => e.recipientAccountId === account && e.managementEvent && e.time <= deliveredBy)
    .filter((e) => e.time >= start && e.time <= end)
    .map((e) => e.record)
    .filter((r) => r['awsRegion'] === region || r['eventSource'] === 'iam.amazonaws.com' || r['eventSource'] === 'sts.amazonaws.com')
    .filter((r) => !filter || attributeFields[filter.AttributeKey!]!(r).includes(filter.AttributeValue ?? ''))
    .reverse();
  const offset = input.NextToken ? Number(input.NextToken) : 0;
  const max = Math.min(input.MaxResults ?? 50, 50);
  const page = matches.slice(offset, offset + max);
  return {
    Events: page.map((r) => ({
      EventId: String(r['eventID']),
      EventName: String(r['eventName']),
      ReadOnly: String(r['readOnly']),
      AccessKeyId: (r['userIdentity'] as { accessKeyId?: string }).accessKeyId,
      EventTime: new Date(String(r['eventTime'])),
      EventSource: String(r['eventSource']),
      Username: (r['userIdentity'] as { arn?: string }).arn?.split('/').pop(),
      Resources: (r['resources'] as { ARN: string; type: string }[]).map((x) => ({ ResourceType: x.type, ResourceName: x.ARN })),
      CloudTrailEvent: JSON.stringify(r),
    })),
    ...(offset + max < matches.length ? { NextToken: String(offset + max) } : {}),
  };
}
