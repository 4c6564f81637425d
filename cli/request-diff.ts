// The fields in which two requests under one requestId differ. Step Functions refuses a second
// execution with the same name and another input (ExecutionAlreadyExists); fsx-onboard refuses
// it too, locally and on AWS, and shows what changed so the operator can tell a typo from a
// new onboarding that needs a new requestId.
import diff from 'microdiff';
import { validateRequest, type OnboardingRequest } from '../core/request.js';

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
  // A validated request names its first repository twice (core/request.ts): compare one link
  // by its link fields, several by `repositories`, so each difference is listed once.
  const single = checkedA.ok && checkedB.ok && checkedA.request.repositories.length === 1 && checkedB.request.repositories.length === 1;
  const normal = (checked: ReturnType<typeof validateRequest>, document: unknown) => (checked.ok ? oneForm(checked.request, single) : document);
  const a = normal(checkedA, before);
  const b = normal(checkedB, after);
  if (!isContainer(a) || !isContainer(b)) return Object.is(a, b) ? [] : [{ field: '(request)', before: a, after: b }];
  return diff(a, b).map((d) => ({
    field: d.path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${part}`)).join(''),
    before: d.type === 'CREATE' ? undefined : d.oldValue,
    after: d.type === 'REMOVE' ? undefined : d.value,
  }));
}

function oneForm(request: OnboardingRequest, single: boolean): Record<string, unknown> {
  if (single) {
    const { repositories: _repositories, ...link } = request;
    return link;
  }
  const { bucket: _bucket, key: _key, dataRepository: _dataRepository, fileSystem, ...rest } = request;
  const { fileSystemPath: _fileSystemPath, ...fileSystemFields } = fileSystem;
  return { ...rest, fileSystem: fileSystemFields };
}

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === 'object' && value !== null;
}

export const formatValue = (value: unknown) => (value === undefined ? '(absent)' : JSON.stringify(value));

/** One line per field: `field: before → after`. */
export function formatDifferences(differences: FieldDifference[], indent = '    '): string[] {
  return differences.map((d) => `${indent}${d.field}: ${formatValue(d.before)} → ${formatValue(d.after)}`);
}
