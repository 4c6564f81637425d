// The API's request model against the request schema: a strict draft-4 validator (ajv in strict
// mode, ECMA 262 5.1 regular expressions as draft 4 specifies) must give every example request
// and every bad-request fixture the verdict core/request.ts gives it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ajvDraft04, { type ValidateFunction } from 'ajv-draft-04';
import { beforeAll, describe, expect, it } from 'vitest';
import { onboardingRequestSchema } from '../../core/request.js';
import { MODEL_CANNOT_EXPRESS, requestModelSchema } from '../../infra/request-model.js';
import { projectRoot } from '../../infra/task-functions.js';
import { synthesize } from './synth.js';

const FIXTURES = join(projectRoot, 'test/fixtures/bad-requests');
const EXAMPLES = join(projectRoot, 'examples');

/** The messages of the rules MODEL_CANNOT_EXPRESS names (core/request.ts, core/repository-rules.ts). */
const BEYOND_THE_MODEL = /^must be in the request region |^overlaps repositories\[\d+\]|^is also the bucket of repositories\[\d+\]/;

// A CommonJS module: its class is the default export's own default.
const Ajv = ajvDraft04.default;
let validate: ValidateFunction;
let deployed: unknown;

beforeAll(() => {
  // The model as deployed: read back from the synthesized template.
  const resources = synthesize().orchestratorTemplate.toJSON()['Resources'] as Record<string, { Type: string; Properties: Record<string, unknown> }>;
  const model = Object.values(resources).find((r) => r.Type === 'AWS::ApiGateway::Model' && r.Properties['Name'] === 'OnboardingRequest')!;
  deployed = model.Properties['Schema'];
  // strict: unknown keywords, ignored formats, ambiguous types and undefined required
  // properties are errors; unicodeRegExp false: patterns compile as ECMA 262 5.1 (no u flag).
  const ajv = new Ajv({ strict: true, allErrors: true, unicodeRegExp: false });
  validate = ajv.compile(model.Properties['Schema'] as object);
});

function documents(): { name: string; doc: unknown }[] {
  const read = (dir: string, file: string) => {
    try {
      return [{ name: file, doc: JSON.parse(readFileSync(join(dir, file), 'utf8')) as unknown }];
    } catch {
      return []; // not JSON: API Gateway refuses the body before the model is consulted
    }
  };
  return [
    ...readdirSync(EXAMPLES)
      .filter((f) => f.endsWith('.json'))
      .flatMap((f) => read(EXAMPLES, f)),
    ...readdirSync(FIXTURES)
      .filter((f) => f.endsWith('.json') && f !== 'expected.json')
      .flatMap((f) => read(FIXTURES, f)),
  ];
}

/** The fields the variations change. */
interface ExampleRequest {
  region: string;
  fileSystem: { storageCapacityGiB: number; fileSystemPath: string; deploymentType: string; perUnitStorageThroughput?: number };
  bucket: { name: string; additionalKeyArns?: string[] };
  key: { arn: string };
  dataRepository?: { autoImportEvents?: string[] };
  testExport: { mode: string; clientInstanceId?: string; mountPath?: string };
}
const example = (): ExampleRequest => JSON.parse(readFileSync(join(EXAMPLES, 'request.json'), 'utf8')) as ExampleRequest;

/** Variations of the example request, each on one side of one refinement. */
function variations(): { name: string; doc: unknown }[] {
  const v = (name: string, change: (d: ExampleRequest) => void) => {
    const doc = example();
    change(doc);
    return { name, doc };
  };
  return [
    v('capacity 7200 (a multiple of 2400)', (d) => (d.fileSystem.storageCapacityGiB = 7200)),
    v('capacity 3600', (d) => (d.fileSystem.storageCapacityGiB = 3600)),
    v('capacity 1200', (d) => (d.fileSystem.storageCapacityGiB = 1200)),
    v('nested file system path', (d) => (d.fileSystem.fileSystemPath = '/a.b/c..d/e')),
    v('"." segment', (d) => (d.fileSystem.fileSystemPath = '/a/./b')),
    v('".." at the end', (d) => (d.fileSystem.fileSystemPath = '/a/..')),
    v('mount path trailing slash', (d) => (d.testExport.mountPath = '/fsx/')),
    v('bucket name with ".-"', (d) => (d.bucket.name = 'my.-bucket')),
    v('bucket name with digits and dots', (d) => (d.bucket.name = '1.2.3.a')),
    v('bucket name xn--', (d) => (d.bucket.name = 'xn--bucket')),
    v('bucket name ending -s3alias', (d) => (d.bucket.name = 'bucket-s3alias')),
    v('additional key ARN, alias', (d) => (d.bucket.additionalKeyArns = [`arn:aws:kms:${d.region}:333333333333:alias/other`])),
    v('additional key ARN, multi-Region', (d) => (d.bucket.additionalKeyArns = [`arn:aws:kms:${d.region}:333333333333:key/mrk-${'a'.repeat(32)}`])),
    v('GovCloud key ARN', (d) => (d.key.arn = d.key.arn.replace(/^arn:aws:/, 'arn:aws-us-gov:'))),
    v('repeated import event', (d) => (d.dataRepository = { autoImportEvents: ['NEW', 'NEW'] })),
    v('PERSISTENT_1 at 100 MB/s/TiB, root path', (d) =>
      Object.assign(d.fileSystem, { deploymentType: 'PERSISTENT_1', perUnitStorageThroughput: 100, fileSystemPath: '/' }),
    ),
    v('PERSISTENT_1 at 125 MB/s/TiB', (d) =>
      Object.assign(d.fileSystem, { deploymentType: 'PERSISTENT_1', perUnitStorageThroughput: 125, fileSystemPath: '/' }),
    ),
    v('PERSISTENT_2 at 250 MB/s/TiB', (d) => (d.fileSystem.perUnitStorageThroughput = 250)),
    v('SCRATCH_2 below the root', (d) => Object.assign(d.fileSystem, { deploymentType: 'SCRATCH_2', fileSystemPath: '/data' })),
    v('data-repository-task with a client', (d) => (d.testExport = { mode: 'data-repository-task', clientInstanceId: 'i-0123456789abcdef0' })),
    v('data-repository-task without a client', (d) => (d.testExport = { mode: 'data-repository-task' })),
    v('lustre-client with a client', (d) => (d.testExport = { mode: 'lustre-client', clientInstanceId: 'i-0123456789abcdef0' })),
  ];
}

describe('request model (draft 4) and request schema (zod)', () => {
  it('compiles under a strict draft-4 validator', () => {
    expect(typeof validate).toBe('function');
  });

  it('accepts the example requests', () => {
    for (const f of readdirSync(EXAMPLES).filter((f) => f.endsWith('.json'))) {
      const doc = JSON.parse(readFileSync(join(EXAMPLES, f), 'utf8'));
      expect([f, validate(doc), validate.errors ?? null]).toEqual([f, true, null]);
    }
  });

  it('gives every example, bad-request fixture and variation the verdict of the request schema, but for the rule draft 4 cannot say', () => {
    const cases = [...documents(), ...variations()];
    expect(cases.length).toBeGreaterThan(70);
    const beyondTheModel: string[] = [];
    for (const { name, doc } of cases) {
      const schema = onboardingRequestSchema.safeParse(doc);
      const model = validate(doc);
      if (schema.success === model) continue;
      // The only disagreement allowed: the schema refuses by the key-region rule alone, and the
      // model (which cannot compare two fields) lets ValidateRequest refuse it instead.
      const otherIssues = schema.success ? [] : schema.error.issues.filter((i) => !BEYOND_THE_MODEL.test(i.message));
      expect({ name, schema: schema.success, model, otherIssues: otherIssues.map((i) => i.message) }).toEqual({
        name,
        schema: false,
        model: true,
        otherIssues: [],
      });
      beyondTheModel.push(name);
    }
    expect(MODEL_CANNOT_EXPRESS).toEqual([
      'key.arn in the request region',
      'repositories: file-system paths that nest in one another',
      'repositories: one bucket in two repositories',
    ]);
    expect(beyondTheModel.sort()).toEqual(['key-other-region.json', 'repositories-overlap.json', 'repositories-same-bucket.json']);
  });

  it('refuses at the model what each variation breaks, and nothing the schema accepts', () => {
    const verdicts = Object.fromEntries(variations().map(({ name, doc }) => [name, [validate(doc), onboardingRequestSchema.safeParse(doc).success]]));
    expect(verdicts).toEqual({
      'capacity 7200 (a multiple of 2400)': [true, true],
      'capacity 3600': [false, false],
      'capacity 1200': [true, true],
      'nested file system path': [true, true],
      '"." segment': [false, false],
      '".." at the end': [false, false],
      'mount path trailing slash': [false, false],
      'bucket name with ".-"': [false, false],
      'bucket name with digits and dots': [true, true],
      'bucket name xn--': [false, false],
      'bucket name ending -s3alias': [false, false],
      'additional key ARN, alias': [false, false],
      'additional key ARN, multi-Region': [true, true],
      'GovCloud key ARN': [true, true],
      'repeated import event': [false, false],
      'PERSISTENT_1 at 100 MB/s/TiB, root path': [true, true],
      'PERSISTENT_1 at 125 MB/s/TiB': [false, false],
      'PERSISTENT_2 at 250 MB/s/TiB': [true, true],
      'SCRATCH_2 below the root': [false, false],
      'data-repository-task with a client': [false, false],
      'data-repository-task without a client': [true, true],
      'lustre-client with a client': [true, true],
    });
  });

  it('is the model the stack deploys', () => {
    expect(deployed).toEqual(requestModelSchema());
  });
});
