// The end state an onboarding leaves, made comparable across sandboxes: the sandbox hands out
// ids (file system, DRA, grant) from a counter, so a run that failed and was resumed gets other
// ids than a clean run. Ids are replaced by placeholders; a duplicate still shows, as one more
// placeholder in a list.
import type { OnboardingRequest } from '../../core/request.js';
import type { Sandbox } from '../../sandbox/index.js';
import { touchable } from '../e2e/helpers.js';

export type EndState = ReturnType<typeof touchable>;

const ID_PATTERNS: [RegExp, string][] = [
  [/fs-[0-9a-f]{17}/g, 'fs-<id>'],
  [/dra-[0-9a-f]{17}/g, 'dra-<id>'],
  [/task-[0-9a-f]{17}/g, 'task-<id>'],
  // KMS grant ids are 64 hex digits.
  [/\b[0-9a-f]{64}\b/g, '<grant-id>'],
];

export function withoutIds(text: string): string {
  return ID_PATTERNS.reduce((t, [pattern, placeholder]) => t.replace(pattern, placeholder), text);
}

export function endState(sandbox: Sandbox, request: OnboardingRequest): EndState {
  return JSON.parse(withoutIds(JSON.stringify(touchable(sandbox, request)))) as EndState;
}

/** Where two JSON values differ, one line per difference (`path: expected … got …`). */
export function diffStates(expected: unknown, actual: unknown, path = '$'): string[] {
  if (JSON.stringify(expected) === JSON.stringify(actual)) return [];
  const bothObjects = expected !== null && actual !== null && typeof expected === 'object' && typeof actual === 'object';
  if (!bothObjects || Array.isArray(expected) !== Array.isArray(actual)) {
    return [`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
  }
  const e = expected as Record<string, unknown>;
  const a = actual as Record<string, unknown>;
  // Statements are compared by Sid, so one extra or missing statement is one line, not a shifted list.
  if (Array.isArray(e) && Array.isArray(a) && [...e, ...a].every((s) => typeof (s as { Sid?: unknown })?.Sid === 'string')) {
    const bySid = (list: unknown[]) => Object.fromEntries(list.map((s) => [(s as { Sid: string }).Sid, s]));
    return diffStates(bySid(e as unknown[]), bySid(a as unknown[]), `${path}[Sid]`);
  }
  const keys = [...new Set([...Object.keys(e), ...Object.keys(a)])];
  return keys.flatMap((k) => diffStates(e[k], a[k], `${path}.${k}`));
}
