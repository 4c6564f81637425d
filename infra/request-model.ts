// The onboarding API's request model: the request schema (core/request.ts) as JSON Schema
// draft 4, the dialect API Gateway models are written in, with the same meaning wherever
// draft 4 can say it.
import { z } from 'zod';
import { onboardingRequestSchema } from '../core/request.js';

/**
 * The characters of \p{L}, \p{Z} and \p{N} in the Basic Multilingual Plane, as a character
 * class body of \uXXXX ranges. Draft 4's regular expressions are ECMA 262 5.1, which has no
 * Unicode property escapes, so the model spells the classes out (from Node's Unicode tables).
 */
const letterSpaceNumberBmp: string = (() => {
  const member = /[\p{L}\p{Z}\p{N}]/u;
  const hex = (c: number) => `\\u${c.toString(16).padStart(4, '0')}`;
  let body = '';
  for (let c = 0; c <= 0xffff; c++) {
    if (!member.test(String.fromCharCode(c))) continue;
    let end = c;
    while (end < 0xffff && member.test(String.fromCharCode(end + 1))) end++;
    body += end === c ? hex(c) : `${hex(c)}-${hex(end)}`;
    c = end;
  }
  return body;
})();

// The request schema's tag character class, and what the model uses instead: the same class in
// the BMP, and any surrogate pair (a character beyond the BMP, matched as two UTF-16 units in
// ECMA 262 5.1). So the model is exact in the BMP and looser beyond it, where ValidateRequest
// (which runs the request schema itself) still refuses what is not a letter, space or number.
const TAG_CLASS = '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]';
const TAG_CLASS_DRAFT4 = `(?:[${letterSpaceNumberBmp}_.:/=+\\-@]|[\\ud800-\\udbff][\\udc00-\\udfff])`;
/**
 * Tag keys the request schema refuses, each as a short pattern (draft 4 has no propertyNames, so
 * keys are constrained through patternProperties, and a key matching one of these must match the
 * impossible schema {"not": {}}). A pattern spelling out the whole character class would be a
 * ~6 KB property name, past YAML's 1,024-character limit on keys (cfn-lint reads templates as
 * YAML): a key holding a character outside the class is refused by ValidateRequest instead.
 */
const REFUSED_TAG_KEYS = ['^aws:', '^.{129,}$', '^$', '[\\u0000-\\u001f\\u007f]'];
const MAX_TAGS = 40;

function toDraft4Patterns(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toDraft4Patterns);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([k, v]) => [k, k === 'pattern' && typeof v === 'string' ? v.split(TAG_CLASS).join(TAG_CLASS_DRAFT4) : toDraft4Patterns(v)]),
  );
}

type Schema = Record<string, unknown>;

// The request schema's refinements (.refine and .superRefine), which z.toJSONSchema leaves out,
// written in draft 4. Each mirrors one rule of core/request.ts; test/infra/request-model.test.ts
// checks, on the examples and the bad-request corpus, that both give every document one verdict.
const refusedPathSegments: Schema[] = [
  { not: { pattern: '(^|/)\\.\\.?(/|$)' } }, // no "." or ".." segment
  { not: { pattern: '^.+/$' } }, // no trailing "/" except the root
  { not: { pattern: '//' } }, // no empty segment
];
const KMS_KEY_ARN = '^arn:[^:]*:kms:[^:]*:[0-9]{12}:key/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$';
const keyArn: Schema[] = [{ pattern: KMS_KEY_ARN }];
const bucketNameRules: Schema[] = [
  { not: { pattern: '\\.\\.|\\.-|-\\.' } },
  { not: { pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$' } },
  { not: { pattern: '^xn--|^sthree-|-s3alias$|--ol-s3$' } },
];
/** The refinements of one repository's fields, under `prefix` (`` for the single-bucket form). */
const linkRefinements = (prefix: string, pathField: string): Record<string, Schema[]> => ({
  [pathField]: refusedPathSegments,
  [`${prefix}bucket.name`]: bucketNameRules,
  [`${prefix}key.arn`]: keyArn,
  [`${prefix}bucket.additionalKeyArns.items`]: keyArn,
  [`${prefix}dataRepository.autoImportEvents`]: [{ uniqueItems: true }],
  [`${prefix}dataRepository.autoExportEvents`]: [{ uniqueItems: true }],
});
const fieldRefinements: Record<string, Schema[]> = {
  ...linkRefinements('', 'fileSystem.fileSystemPath'),
  ...linkRefinements('repositories.items.', 'repositories.items.fileSystemPath'),
  'testExport.mountPath': refusedPathSegments,
  'fileSystem.storageCapacityGiB': [{ anyOf: [{ enum: [1200] }, { multipleOf: 2400 }] }],
};
// strictRequired (ajv's strict mode): a required name is also declared in the same schema's properties.
const present = (name: string): Schema => ({ properties: { [name]: {} }, required: [name] });
const deploymentTypeIs = (...types: string[]): Schema => ({ properties: { deploymentType: { enum: types } } });
const modeIs = (mode: string): Schema => ({ properties: { mode: { enum: [mode] } } });
const objectRefinements: Record<string, Schema[]> = {
  fileSystem: [
    // perUnitStorageThroughput must be one the deployment type allows (none for SCRATCH_2).
    {
      anyOf: [
        { not: present('perUnitStorageThroughput') },
        { properties: { deploymentType: { enum: ['PERSISTENT_2'] }, perUnitStorageThroughput: { enum: [125, 250, 500, 1000] } } },
        { properties: { deploymentType: { enum: ['PERSISTENT_1'] }, perUnitStorageThroughput: { enum: [50, 100, 200] } } },
      ],
    },
    // The legacy-linked types link the bucket at the root.
    { anyOf: [deploymentTypeIs('PERSISTENT_2'), { properties: { fileSystemPath: { enum: ['/'] } } }] },
  ],
  // clientInstanceId exactly when the mode is lustre-client.
  testExport: [
    { anyOf: [{ allOf: [modeIs('lustre-client'), present('clientInstanceId')] }, { ...modeIs('data-repository-task'), not: present('clientInstanceId') }] },
  ],
};
const obj = (schema: Schema): Schema => ({ type: 'object', ...schema });
const arr = (schema: Schema): Schema => ({ type: 'array', ...schema });
const legacyRequest: Schema = { properties: { fileSystem: obj(deploymentTypeIs('PERSISTENT_1', 'SCRATCH_2')) }, required: ['fileSystem'] };
const singleBucketFields = ['bucket', 'key', 'dataRepository'];
const repositoryPathIs = (pathSchema: Schema): Schema => ({
  properties: { repositories: arr({ items: obj({ properties: { fileSystemPath: pathSchema } }) }) },
});
/** Rules across the request's parts: one form of the repositories, and their count and root path by deployment type. */
const rootRefinements: Schema[] = [
  {
    anyOf: [
      {
        ...present('repositories'),
        not: { anyOf: [...singleBucketFields.map(present), { properties: { fileSystem: obj(present('fileSystemPath')) }, required: ['fileSystem'] }] },
      },
      {
        properties: { bucket: {}, key: {}, repositories: {}, fileSystem: obj(present('fileSystemPath')) },
        required: ['bucket', 'key', 'fileSystem'],
        not: present('repositories'),
      },
    ],
  },
  // Legacy linked types take one repository, at the root.
  { anyOf: [{ not: legacyRequest }, { properties: { repositories: arr({ maxItems: 1 }) } }] },
  { anyOf: [{ not: legacyRequest }, repositoryPathIs({ enum: ['/'] })] },
  // "/" only when it is the only repository.
  { anyOf: [{ properties: { repositories: arr({ maxItems: 1 }) } }, repositoryPathIs({ not: { enum: ['/'] } })] },
];

/**
 * What the model cannot say: draft 4 has no way to compare two values of one document ($data
 * came later), so a key in another region than the request, two repositories whose paths nest
 * and two repositories of one bucket pass API Gateway and are refused by ValidateRequest, the
 * workflow's first step, before anything is changed.
 */
export const MODEL_CANNOT_EXPRESS = [
  'key.arn in the request region',
  'repositories: file-system paths that nest in one another',
  'repositories: one bucket in two repositories',
] as const;

function at(schema: Schema, path: string): Schema {
  let node = schema;
  for (const part of path.split('.')) node = (part === 'items' ? node['items'] : (node['properties'] as Record<string, Schema>)[part]) as Schema;
  return node;
}
const addAll = (node: Schema, extra: Schema[]) => {
  node['allOf'] = [...((node['allOf'] as Schema[] | undefined) ?? []), ...extra];
};

/**
 * The request model: API Gateway models are JSON Schema draft 4, whose regular expressions are
 * ECMA 262 5.1 (no \p{…}) and which has no propertyNames. So the tag character classes are
 * spelled out, the tag keys move into patternProperties, and the refinements are added in
 * draft 4's terms (all but MODEL_CANNOT_EXPRESS, which ValidateRequest checks in the workflow).
 */
export const requestModelSchema = (): Record<string, unknown> => {
  const schema = toDraft4Patterns(z.toJSONSchema(onboardingRequestSchema, { target: 'draft-04', io: 'input' })) as {
    properties: Record<string, Record<string, unknown>>;
  };
  const { additionalProperties: tagValue, ...tags } = schema.properties['tags']!;
  const refused = Object.fromEntries(REFUSED_TAG_KEYS.map((p) => [p, { not: {} }]));
  schema.properties['tags'] = { ...tags, patternProperties: refused, additionalProperties: tagValue, maxProperties: MAX_TAGS };
  for (const [path, extra] of Object.entries(fieldRefinements)) addAll(at(schema, path), extra);
  for (const [path, extra] of Object.entries(objectRefinements)) addAll(at(schema, path), extra);
  addAll(schema, rootRefinements);
  const text = JSON.stringify(schema);
  if (text.includes('\\p{')) throw new Error('the request model still holds a Unicode property escape, which JSON Schema draft 4 lacks');
  return schema as Record<string, unknown>;
};
