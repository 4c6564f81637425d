// `diagnose`: for a failed run, the step that failed and the CloudTrail events that explain it.
// A denied export leaves the FSx client nothing but "No data available"; the reason is a KMS
// AccessDenied for the FSx service-linked role. KMS logs a denied cross-account request only in
// the caller's account: for the SLR, the file system's account (A), not the key's. Event history
// (LookupEvents) holds management events only, which include KMS Decrypt/GenerateDataKey but not
// S3 object reads and writes, and shows an event only once CloudTrail has delivered it (about 5
// minutes after the call on average, not guaranteed).
import { paginateLookupEvents, type CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { errorName } from '../../core/errors.js';
import { propagationErrorNames } from '../../workflow/retry-policy.js';
import type { Denial } from '../../evidence/cloudtrail.js';
import { validateRequest, type OnboardingRequest } from '../../core/request.js';
import type { AwsClients, AwsOptions } from './clients.js';
import { fixFor, nextMove, type Situation } from './fixes.js';
import type { HistoryStep } from './history.js';
import { awsExecutionView, type ExecutionView } from './status.js';

export interface DiagnoseOptions extends AwsOptions {
  /** Profiles of other accounts (the key's, the bucket's) whose CloudTrail to search too. */
  trailProfile?: string[];
}

interface Finding extends Denial {
  occurrences: number;
  fix: string;
}

export interface Diagnosis {
  executionArn: string;
  name: string;
  status: string;
  failedStep?: Pick<HistoryStep, 'name' | 'error' | 'cause'> & { at?: string };
  error?: string;
  cause?: string;
  window: { start: string; end: string };
  findings: Finding[];
  lookupProblems: string[];
  advice: string[];
}

const SOURCES = ['kms.amazonaws.com', 's3.amazonaws.com'];
// LookupEvents allows 2 calls per second per account and region: bound the pages read.
const MAX_PAGES_PER_SOURCE = 10;
// The denial happens before the step gives up; a few minutes after covers clock skew.
const AFTER_FAILURE_MS = 5 * 60 * 1000;
// CloudTrail delivers ~5 minutes after the call on average (CloudTrail FAQ), not guaranteed:
// until this long after the failure, an empty lookup may only mean "not delivered yet".
const DELIVERY_BOUND_MS = 15 * 60 * 1000;

interface TrailRecord {
  eventName?: string;
  eventTime?: string;
  errorCode?: string;
  errorMessage?: string;
  recipientAccountId?: string;
  userIdentity?: { arn?: string; accountId?: string; invokedBy?: string; principalId?: string };
  resources?: { ARN?: string }[] | null;
  requestParameters?: { keyId?: string; bucketName?: string } | null;
}

function toDenial(record: TrailRecord, source: string, account: string): Denial {
  const params = record.requestParameters ?? {};
  const resource = record.resources?.find((r) => r.ARN)?.ARN ?? params.keyId ?? (params.bucketName ? `arn:aws:s3:::${params.bucketName}` : '*');
  return {
    account: record.recipientAccountId ?? account,
    eventName: record.eventName ?? '?',
    ...(record.eventTime ? { eventTime: record.eventTime } : {}),
    action: `${source.split('.')[0]}:${record.eventName ?? '?'}`,
    principal: record.userIdentity?.arn ?? record.userIdentity?.invokedBy ?? record.userIdentity?.principalId ?? 'an unknown principal',
    resource,
    errorCode: record.errorCode ?? '',
    errorMessage: record.errorMessage ?? '',
  };
}

async function lookupDenials(client: CloudTrailClient, account: string, window: { start: Date; end: Date }): Promise<Denial[]> {
  const denials: Denial[] = [];
  for (const source of SOURCES) {
    let pages = 0;
    const lookup = { LookupAttributes: [{ AttributeKey: 'EventSource' as const, AttributeValue: source }], StartTime: window.start, EndTime: window.end };
    for await (const page of paginateLookupEvents({ client, pageSize: 50 }, lookup)) {
      for (const event of page.Events ?? []) {
        const record = JSON.parse(event.CloudTrailEvent ?? '{}') as TrailRecord;
        if (/AccessDenied|Unauthorized/.test(record.errorCode ?? '')) denials.push(toDenial(record, source, account));
      }
      if (++pages >= MAX_PAGES_PER_SOURCE) break;
    }
  }
  return denials;
}

/** Denials about one of this request's keys or buckets (every repository's), or by its roles; all of them when the request is unknown. */
function relevant(d: Denial, request: OnboardingRequest | undefined): boolean {
  if (!request) return true;
  const repositories = request.repositories ?? [request];
  return (
    repositories.some((r) => d.resource.includes(r.key.arn.split('/').pop()!) || d.resource.includes(`:::${r.bucket.name}`)) ||
    /AWSServiceRoleForFSxS3Access_|fsx-onboard/.test(d.principal)
  );
}

/** One finding per denied action, principal and resource, with how often CloudTrail saw it. */
function group(denials: Denial[]): (Denial & { occurrences: number })[] {
  const byKey = new Map<string, Denial & { occurrences: number }>();
  for (const d of denials) {
    const key = `${d.action}|${d.principal}|${d.resource}`;
    const seen = byKey.get(key);
    if (!seen) byKey.set(key, { ...d, occurrences: 1 });
    else {
      seen.occurrences += 1;
      if ((d.eventTime ?? '') > (seen.eventTime ?? '')) seen.eventTime = d.eventTime!;
    }
  }
  return [...byKey.values()];
}

export async function diagnose(clients: AwsClients, opts: DiagnoseOptions, ref: string, trails: Trail[] = [], now: Date = new Date()): Promise<Diagnosis> {
  const view = await awsExecutionView(clients, opts, ref);
  return diagnoseView(view, [{ account: "the caller's account", client: clients.cloudtrail }, ...trails], { now });
}

export interface Trail {
  account: string;
  client: CloudTrailClient;
}

export interface DiagnoseViewOptions {
  now?: Date;
  /** The key and bucket policies as they are now, so that the fix can name an explicit Deny. */
  policies?: Situation['policies'];
}

/** The diagnosis of one execution, wherever it ran: its failed step, the denials in `trails`, and the fixes. */
export async function diagnoseView(view: ExecutionView, trails: Trail[], options: DiagnoseViewOptions = {}): Promise<Diagnosis> {
  const now = options.now ?? new Date();
  const history = view.history;
  const parsed = view.input !== undefined ? validateRequest(view.input) : undefined;
  const request = parsed?.ok ? parsed.request : undefined;
  const failed = history.failedStep;
  const start = view.startDate ?? new Date(now.getTime() - 24 * 60 * 60 * 1000);
  const end = new Date((failed?.failedAt ?? view.stopDate ?? now).getTime() + AFTER_FAILURE_MS);
  const diagnosis: Diagnosis = {
    executionArn: view.executionArn,
    name: view.name,
    status: view.status,
    ...(failed
      ? {
          failedStep: {
            name: failed.name,
            ...(failed.error ? { error: failed.error } : {}),
            ...(failed.cause ? { cause: failed.cause } : {}),
            ...(failed.failedAt ? { at: failed.failedAt.toISOString() } : {}),
          },
        }
      : {}),
    ...(view.error ? { error: view.error } : {}),
    ...(view.cause ? { cause: view.cause } : {}),
    window: { start: start.toISOString(), end: end.toISOString() },
    findings: [],
    lookupProblems: [],
    advice: [],
  };
  if (view.status === 'SUCCEEDED' || view.status === 'RUNNING' || view.status === 'PENDING_REDRIVE') {
    diagnosis.advice.push(`${view.name} is ${view.status}: there is no failure to diagnose.`);
    return diagnosis;
  }

  const denials: Denial[] = [];
  for (const trail of trails) {
    try {
      denials.push(...(await lookupDenials(trail.client, trail.account, { start, end })));
    } catch (e) {
      // A lookup that fails only loses an explanation: report it beside the others.
      diagnosis.lookupProblems.push(`CloudTrail lookup in ${trail.account} failed (${errorName(e)}: ${(e as Error).message})`);
    }
  }
  const situation: Situation = {
    name: view.name,
    region: view.region,
    runtime: view.runtime,
    status: view.status,
    ...(request ? { request } : {}),
    ...(view.machine ? { machine: view.machine } : {}),
    ...(options.policies ? { policies: options.policies } : {}),
  };
  diagnosis.findings = group(denials.filter((d) => relevant(d, request))).map((d) => ({ ...d, fix: fixFor(d, situation) }));

  const error = failed?.error ?? view.error ?? '';
  if (diagnosis.findings.length === 0) {
    if ((propagationErrorNames as readonly string[]).includes(error) || /Invalid principal/i.test(failed?.cause ?? '')) {
      diagnosis.advice.push(
        `${error}: IAM had not yet propagated a new principal (the service-linked role) to S3 or KMS when the step's retries ran out. Nothing needs fixing: wait a minute or two.`,
      );
    } else {
      const failure = failed?.failedAt ?? view.stopDate ?? now;
      const settled = new Date(failure.getTime() + DELIVERY_BOUND_MS);
      diagnosis.advice.push(
        `No AccessDenied from KMS or S3 in CloudTrail between ${diagnosis.window.start} and ${diagnosis.window.end}. ` +
          "KMS logs a denied cross-account request only in the caller's account: for FSx's service-linked role that is the file system's account (A), " +
          "for the canary written by the bucket role the bucket's (B). Search the one this profile is not with --trail-profile <profile>.",
      );
      if (now < settled) {
        diagnosis.advice.push(
          `The failure was ${Math.max(0, Math.round((now.getTime() - failure.getTime()) / 60_000))} minutes ago: CloudTrail delivers an event about 5 minutes after the call (not guaranteed), so the evidence may not have arrived yet. Run diagnose again after ${settled.toISOString()}.`,
        );
      }
    }
  }
  diagnosis.advice.push(nextMove(situation));
  return diagnosis;
}

export function formatDiagnosis(d: Diagnosis): string {
  const lines = [`Execution ${d.name}: ${d.status}`];
  if (d.failedStep)
    lines.push(`  failed step: ${d.failedStep.name}`, `  error: ${d.failedStep.error ?? d.error ?? ''}`, `  cause: ${d.failedStep.cause ?? d.cause ?? ''}`);
  else if (d.error) lines.push(`  error: ${d.error}`, `  cause: ${d.cause ?? ''}`);
  for (const f of d.findings) {
    const seen = [`account ${f.account}`, f.occurrences > 1 ? `${f.occurrences} times` : '', f.eventTime ? `last at ${f.eventTime}` : '']
      .filter(Boolean)
      .join(', ');
    lines.push(
      '',
      `✗ CloudTrail (${seen}): ${f.action} ${f.errorCode}`,
      `  denied action: ${f.action}`,
      `  principal:     ${f.principal}`,
      `  resource:      ${f.resource}`,
    );
    if (f.errorMessage) lines.push(`  message:       ${f.errorMessage}`);
    lines.push(`  fix: ${f.fix}`);
  }
  for (const p of d.lookupProblems) lines.push('', `! ${p}`);
  if (d.advice.length) lines.push('', ...d.advice);
  return lines.join('\n');
}
