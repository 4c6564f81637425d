// The fields in which two requests under one requestId differ. Step Functions refuses a second
// execution with the same name and another input (ExecutionAlreadyExists); fsx-onboard refuses
// it too, locally and on AWS, and shows what changed so the operator can tell a typo from a
// new onboarding that needs a new requestId.
import diff from 'microdiff';
import { requestInOneForm } from '../core/link-request.js';
import { validateRequest } from '../core/request.js';

export interface FieldDifference {
  /** Path, e.g. `fileSystem.storageCapacityGiB` or `repositories[1].bucket.prefix`. */
  field: string;
  before: unknown;
  after: unknown;
}

/**
 * Compared after the schema's defaults are applied, so spelling out a default
 * (`"onFailure": "rollback"`) is no difference; documents that no longer validate are compared as written.
 */
export function requestDifferences(before: unknown, after: unknown): FieldDifference[] {
  const checkedA = validateRequest(before);
  const checkedB = validateRequest(after);
  // A validated request names its first repository twice (core/request.ts): compare each
  // field once.
  // Two one-repository requests compare in the single-bucket form; otherwise by `repositories`.
  const several = (checked: ReturnType<typeof validateRequest>) => checked.ok && checked.request.repositories.length > 1;
  const form = several(checkedA) || several(checkedB) ? 'repositories' : 'shortest';
  const normal = (checked: ReturnType<typeof validateRequest>, document: unknown) => (checked.ok ? requestInOneForm(checked.request, form) : document);
  const a = normal(checkedA, before);
  const b = normal(checkedB, after);
  if (!isContainer(a) || !isContainer(b)) return Object.is(a, b) ? [] : [{ field: '(request)', before: a, after: b }];
  return diff(a, b).map((d) => ({
    field: d.path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${part}`)).join(''),
    before: d.type === 'CREATE' ? undefined : d.oldValue,
    after: d.type === 'REMOVE' ? undefined : d.value,
  }));
}

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === 'object' && value !== null;
}

export const formatValue = (value: unknown) => (value === undefined ? '(absent)' : JSON.stringify(value));

/** One line per field: `field: before → after`. */
export function formatDifferences(differences: FieldDifference[], indent = '    '): string[] {
  return differences.map((d) => `${indent}${d.field}: ${formatValue(d.before)} → ${formatValue(d.after)}`);
}
