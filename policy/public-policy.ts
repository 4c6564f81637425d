// S3's "meaning of public" for bucket policies (S3 User Guide, "Blocking public access to your
// Amazon S3 storage" → "The meaning of public"; S3 API reference, PublicAccessBlockConfiguration).
// S3 starts from "public" and calls a policy non-public only when every Allow statement that
// grants a "bad action" is limited to fixed values (no `*`, `?` or policy variable) of a
// principal or of one of the listed condition keys. Block Public Access acts on the verdict: the
// sandbox's PutBucketPolicy and RestrictPublicBuckets, and the workflow's own pre-check.
import { actionMatches, asList } from './matching.js';
import { statementS3Actions } from './s3-actions.js';
import type { PolicyDocument, PolicyStatement } from './types.js';

/** Actions that could expose the bucket's data to reads or writes by the public. */
const BAD_ACTION_PATTERNS = ['s3:Get*', 's3:List*', 's3:AbortMultipartUpload', 's3:Delete*', 's3:Put*', 's3:RestoreObject'] as const;

/**
 * Condition keys that make a statement non-public when they hold fixed values. S3's list; keys it
 * does not name (aws:PrincipalArn, aws:PrincipalAccount, …) do not count here, even with fixed
 * values: the documentation is silent on them, so the sandbox takes the less forgiving reading.
 */
const LIMITING_CONDITION_KEYS = [
  'aws:PrincipalOrgID',
  'aws:SourceIp',
  'aws:SourceArn',
  'aws:SourceVpc',
  'aws:SourceVpce',
  'aws:SourceOwner',
  'aws:SourceAccount',
  's3:x-amz-server-side-encryption-aws-kms-key-id',
  'aws:userid',
  's3:DataAccessPointArn',
  's3:DataAccessPointAccount',
] as const;

const LIMITING_KEYS = new Set(LIMITING_CONDITION_KEYS.map((k) => k.toLowerCase()));

/** Operators whose fixed values restrict who matches. Negated, IfExists, ForAllValues and Null forms do not. */
const RESTRICTING_OPERATORS = new Set(['stringequals', 'stringequalsignorecase', 'stringlike', 'arnequals', 'arnlike']);

export interface PublicStatement {
  /** Position in the policy's Statement list. */
  index: number;
  sid?: string;
  /** The bad actions (of the known S3 actions) the statement grants. */
  badActions: string[];
  /** Why S3 counts it as public. */
  reasons: string[];
}

export interface PublicPolicyEvaluation {
  isPublic: boolean;
  publicStatements: PublicStatement[];
}

/** A fixed value holds no wildcard and no policy variable. */
export function isFixedValue(value: string): boolean {
  return !/[*?]/.test(value) && !value.includes('${');
}

/**
 * aws:SourceIp limits only with narrow CIDRs. S3 does not say how narrow; the sandbox treats an
 * IPv4 block wider than /8 or an IPv6 block wider than /32 (0.0.0.0/0 above all) as no limit.
 */
function narrowCidr(value: string): boolean {
  const [address, bits] = value.split('/');
  if (address === undefined || !isFixedValue(value)) return false;
  const ipv6 = address.includes(':');
  const prefix = bits === undefined ? (ipv6 ? 128 : 32) : Number(bits);
  return Number.isInteger(prefix) && prefix >= (ipv6 ? 32 : 8);
}

function principalValues(principal: NonNullable<PolicyStatement['Principal']>): string[] {
  if (principal === '*') return ['*'];
  return Object.values(principal as Record<string, string | string[] | undefined>).flatMap((v) => asList(v));
}

/** Why one condition entry does, or does not, limit the statement (undefined: it limits). */
function conditionShortfall(operator: string, key: string, value: string | boolean | string[]): string | undefined {
  const match = /^(?:(ForAnyValue|ForAllValues):)?(.+?)(IfExists)?$/.exec(operator);
  const set = match?.[1];
  const name = (match?.[2] ?? operator).toLowerCase();
  const values = typeof value === 'boolean' ? [String(value)] : asList(value);
  const lowerKey = key.toLowerCase();
  if (!LIMITING_KEYS.has(lowerKey)) return `${key} is not a condition key S3 accepts as limiting`;
  if (match?.[3] || set === 'ForAllValues') return `${operator} on ${key} also holds when the key is absent`;
  if (lowerKey === 'aws:sourceip') {
    if (name !== 'ipaddress') return `${operator} on aws:SourceIp does not limit the source to fixed CIDRs`;
    const wide = values.find((v) => !narrowCidr(v));
    return wide === undefined ? undefined : `aws:SourceIp ${wide} is not a narrow fixed CIDR`;
  }
  if (!RESTRICTING_OPERATORS.has(name)) return `${operator} on ${key} does not limit it to fixed values`;
  const open = values.find((v) => !isFixedValue(v));
  if (open !== undefined) return `${key} value "${open}" is not fixed (it holds a wildcard or a policy variable)`;
  return undefined;
}

/** Whether one statement is public by S3's rule, and why. */
function publicStatement(statement: PolicyStatement, index: number): PublicStatement | undefined {
  if (statement.Effect !== 'Allow') return undefined;
  const badActions = statementS3Actions(statement).filter((a) => BAD_ACTION_PATTERNS.some((p) => actionMatches(p, a)));
  if (badActions.length === 0) return undefined;
  const reasons: string[] = [];
  if (statement.Principal !== undefined) {
    const open = principalValues(statement.Principal).filter((v) => !isFixedValue(v));
    if (open.length === 0) return undefined;
    reasons.push(statement.Principal === '*' ? 'Principal is "*"' : `Principal names ${open.map((v) => `"${v}"`).join(', ')}`);
  } else if (statement.NotPrincipal !== undefined) {
    reasons.push('an Allow with NotPrincipal grants everyone not listed');
  } else return undefined; // applies to no one
  const shortfalls: string[] = [];
  for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
    for (const [key, value] of Object.entries(keys)) {
      const shortfall = conditionShortfall(operator, key, value);
      if (shortfall === undefined) return undefined; // one limiting condition suffices: conditions are ANDed
      shortfalls.push(shortfall);
    }
  }
  reasons.push(shortfalls.length ? `no condition limits it: ${shortfalls.join('; ')}` : 'no condition limits it');
  return { index, ...(statement.Sid !== undefined ? { sid: statement.Sid } : {}), badActions, reasons };
}

/** S3's verdict on a whole bucket policy: public if any statement is. */
export function evaluatePublicPolicy(document: PolicyDocument | undefined): PublicPolicyEvaluation {
  const publicStatements = (document?.Statement ?? []).flatMap((s, i) => publicStatement(s, i) ?? []);
  return { isPublic: publicStatements.length > 0, publicStatements };
}

/** One line per public statement, for error messages: `"Sid" (statement 2): Principal is "*"; …`. */
export function describePublicStatements(statements: readonly PublicStatement[]): string {
  return statements
    .map(
      (s) =>
        `${s.sid !== undefined ? `"${s.sid}" ` : ''}(statement ${s.index}) grants ${s.badActions.slice(0, 3).join(', ')}${s.badActions.length > 3 ? ', …' : ''}: ${s.reasons.join('; ')}`,
    )
    .join(' | ');
}
