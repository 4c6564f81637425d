// The Condition element: operator → key → value(s). Keys are case-insensitive, values of
// one key are ORed (negated operators: none may match), keys and operators are ANDed. A key
// missing from the request makes a positive operator false and a negated one true, except
// with ...IfExists (true) and the set operators (ForAllValues true, ForAnyValue false).
import { arnMatches, globMatch } from './matching.js';

/** Request context keyed by lower-cased condition key. */
export type ConditionContext = ReadonlyMap<string, readonly string[]>;

export function conditionContext(entries: Record<string, string | readonly string[]>): ConditionContext {
  const map = new Map<string, string[]>();
  for (const [key, value] of Object.entries(entries)) map.set(key.toLowerCase(), typeof value === 'string' ? [value] : [...value]);
  return map;
}

type Compare = (requestValue: string, policyValue: string) => boolean;

interface Operator {
  compare: Compare;
  /** Negated operators hold when the request value matches none of the policy values. */
  negated: boolean;
}

const number = (text: string): number => (text.trim() === '' ? Number.NaN : Number(text));
const date = (text: string): number => (/^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text));

const stringEquals: Compare = (r, p) => r === p;
const stringEqualsIgnoreCase: Compare = (r, p) => r.toLowerCase() === p.toLowerCase();
const stringLike: Compare = (r, p) => globMatch(p, r);
const arnLike: Compare = (r, p) => arnMatches(p, r);
const numeric =
  (test: (r: number, p: number) => boolean): Compare =>
  (r, p) => {
    const a = number(r);
    const b = number(p);
    return !Number.isNaN(a) && !Number.isNaN(b) && test(a, b);
  };
const dated =
  (test: (r: number, p: number) => boolean): Compare =>
  (r, p) => {
    const a = date(r);
    const b = date(p);
    return !Number.isNaN(a) && !Number.isNaN(b) && test(a, b);
  };

const OPERATORS: Record<string, Operator> = {
  StringEquals: { compare: stringEquals, negated: false },
  StringNotEquals: { compare: stringEquals, negated: true },
  StringEqualsIgnoreCase: { compare: stringEqualsIgnoreCase, negated: false },
  StringNotEqualsIgnoreCase: { compare: stringEqualsIgnoreCase, negated: true },
  StringLike: { compare: stringLike, negated: false },
  StringNotLike: { compare: stringLike, negated: true },
  // AWS documents ArnEquals and ArnLike as the same test (both take wildcards).
  ArnEquals: { compare: arnLike, negated: false },
  ArnLike: { compare: arnLike, negated: false },
  ArnNotEquals: { compare: arnLike, negated: true },
  ArnNotLike: { compare: arnLike, negated: true },
  Bool: { compare: stringEqualsIgnoreCase, negated: false },
  NumericEquals: { compare: numeric((a, b) => a === b), negated: false },
  NumericNotEquals: { compare: numeric((a, b) => a === b), negated: true },
  NumericLessThan: { compare: numeric((a, b) => a < b), negated: false },
  NumericLessThanEquals: { compare: numeric((a, b) => a <= b), negated: false },
  NumericGreaterThan: { compare: numeric((a, b) => a > b), negated: false },
  NumericGreaterThanEquals: { compare: numeric((a, b) => a >= b), negated: false },
  DateEquals: { compare: dated((a, b) => a === b), negated: false },
  DateNotEquals: { compare: dated((a, b) => a === b), negated: true },
  DateLessThan: { compare: dated((a, b) => a < b), negated: false },
  DateLessThanEquals: { compare: dated((a, b) => a <= b), negated: false },
  DateGreaterThan: { compare: dated((a, b) => a > b), negated: false },
  DateGreaterThanEquals: { compare: dated((a, b) => a >= b), negated: false },
};

export class UnsupportedConditionOperatorError extends Error {
  constructor(operator: string) {
    super(`Unsupported condition operator "${operator}" (AWS would reject the policy or it is outside what this evaluator models)`);
    this.name = 'UnsupportedConditionOperator';
  }
}

interface ParsedOperator {
  set: 'ForAnyValue' | 'ForAllValues' | undefined;
  ifExists: boolean;
  name: string;
}

function parseOperator(text: string): ParsedOperator {
  const match = /^(?:(ForAnyValue|ForAllValues):)?(.+?)(IfExists)?$/.exec(text);
  const name = match?.[2];
  if (!match || name === undefined || (name !== 'Null' && !Object.hasOwn(OPERATORS, name))) throw new UnsupportedConditionOperatorError(text);
  const set = match[1] as ParsedOperator['set'];
  return { set, ifExists: match[3] !== undefined, name };
}

function policyValues(value: string | boolean | readonly string[]): string[] {
  if (typeof value === 'boolean') return [String(value)];
  return typeof value === 'string' ? [value] : [...value];
}

/** One request value against the policy values of one key. */
function singleMatches(op: Operator, requestValue: string, values: string[]): boolean {
  const any = values.some((p) => op.compare(requestValue, p));
  return op.negated ? !any : any;
}

export function evaluateCondition(operator: string, key: string, value: string | boolean | readonly string[], context: ConditionContext): boolean {
  const parsed = parseOperator(operator);
  const values = policyValues(value);
  const present = context.get(key.toLowerCase());
  if (parsed.name === 'Null') {
    // Null true: the key must be absent; false: present. Several values are ORed.
    return values.some((v) => (v.toLowerCase() === 'true') === (present === undefined || present.length === 0));
  }
  const op = OPERATORS[parsed.name]!;
  if (present === undefined) {
    if (parsed.ifExists) return true;
    if (parsed.set === 'ForAllValues') return true;
    if (parsed.set === 'ForAnyValue') return false;
    return op.negated;
  }
  if (parsed.set === 'ForAllValues') return present.every((r) => singleMatches(op, r, values));
  if (parsed.set === 'ForAnyValue') return present.some((r) => singleMatches(op, r, values));
  // A single-valued operator on a list key: positive holds if any value matches, negated if none does.
  return op.negated ? present.every((r) => singleMatches(op, r, values)) : present.some((r) => singleMatches(op, r, values));
}

/** Every operator and every key must hold. */
export function conditionsHold(
  condition: Record<string, Record<string, string | boolean | readonly string[]>> | undefined,
  context: ConditionContext,
): boolean {
  if (!condition) return true;
  return Object.entries(condition).every(([operator, keys]) => Object.entries(keys).every(([key, value]) => evaluateCondition(operator, key, value, context)));
}
