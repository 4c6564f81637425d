import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateRequest, type OnboardingRequestInput } from '../../core/request.js';

const example = JSON.parse(readFileSync('examples/request.json', 'utf8')) as OnboardingRequestInput;
const legacy = JSON.parse(readFileSync('examples/request-legacy.json', 'utf8')) as OnboardingRequestInput;

/** The example with one change applied (a deep copy). */
function variant(change: (r: any) => void): unknown {
  const copy = structuredClone(example) as any;
  change(copy);
  return copy;
}

function problems(input: unknown): Record<string, string> {
  const result = validateRequest(input);
  if (result.ok) return {};
  const byField: Record<string, string> = {};
  for (const p of result.problems) byField[p.field] = byField[p.field] ? `${byField[p.field]}; ${p.message}` : p.message;
  return byField;
}

describe('validateRequest', () => {
  it('accepts both examples and fills defaults', () => {
    const p2 = validateRequest(example);
    const scratch = validateRequest(legacy);
    expect(p2.ok && scratch.ok).toBe(true);
    if (!scratch.ok) return;
    // Absent stays absent: ValidateRequest keeps the bucket's own Bucket Key setting.
    expect(scratch.request.bucket.bucketKeyEnabled).toBeUndefined();
    expect(scratch.request.testExport.mountPath).toBe('/fsx');
    expect(scratch.request.dataRepository.autoExportEvents).toEqual(['NEW', 'CHANGED', 'DELETED']);
  });

  it('lists every problem by field path at once', () => {
    const found = problems(
      variant((r) => {
        r.region = 'mars-1';
        r.fileSystem.accountId = '12345';
        r.bucket.name = 'Bad_Bucket';
        r.extra = true;
      }),
    );
    expect(Object.keys(found).sort()).toEqual(['(request)', 'bucket.name', 'fileSystem.accountId', 'region']);
    expect(found['fileSystem.accountId']).toMatch(/12-digit/);
    expect(found['(request)']).toMatch(/unknown field.*"extra"/);
  });

  it.each([
    ['storage capacity off the 2400 GiB steps', (r: any) => (r.fileSystem.storageCapacityGiB = 3000), 'fileSystem.storageCapacityGiB', /multiple of 2400/],
    [
      'throughput not offered for the type',
      (r: any) => (r.fileSystem.perUnitStorageThroughput = 50),
      'fileSystem.perUnitStorageThroughput',
      /125, 250, 500, 1000/,
    ],
    [
      'a key in another region',
      (r: any) => (r.key.arn = 'arn:aws:kms:eu-west-1:333333333333:key/2a1bae3d-a3e7-475b-acb2-b0dd92a5ff99'),
      'key.arn',
      /request region us-east-1/,
    ],
    ['an alias instead of a key', (r: any) => (r.key.arn = 'arn:aws:kms:us-east-1:333333333333:alias/data'), 'key.arn', /key id/],
    ['a relative file system path', (r: any) => (r.fileSystem.fileSystemPath = 'genomics'), 'fileSystem.fileSystemPath', /absolute path/],
    ['a ".." path segment', (r: any) => (r.fileSystem.fileSystemPath = '/a/../b'), 'fileSystem.fileSystemPath', /"\.\."/],
    ['a prefix without trailing slash', (r: any) => (r.bucket.prefix = 'cohort'), 'bucket.prefix', /ending with "\/"/],
    ['a lustre-client check without an instance', (r: any) => delete r.testExport.clientInstanceId, 'testExport.clientInstanceId', /required/],
    ['two subnets for a single-AZ type', (r: any) => r.fileSystem.subnetIds.push('subnet-0123456789abcdef1'), 'fileSystem.subnetIds', /exactly one/],
    ['an unknown deployment type', (r: any) => (r.fileSystem.deploymentType = 'SCRATCH_1'), 'fileSystem.deploymentType', /PERSISTENT_2/],
    ['a control character in a tag', (r: any) => (r.tags = { team: 'gen\u0007omics' }), 'tags.team', /control characters/],
    ['a number where a string belongs', (r: any) => (r.bucket.accountId = 222222222222), 'bucket.accountId', /must be string/],
  ])('refuses %s, naming the field and the rule', (_what, change, field, rule) => {
    const found = problems(variant(change));
    expect(found[field], JSON.stringify(found)).toMatch(rule);
  });

  it('requires the root path for legacy linked types', () => {
    const found = problems({ ...legacy, fileSystem: { ...(legacy.fileSystem as object), fileSystemPath: '/data' } });
    expect(found['fileSystem.fileSystemPath']).toMatch(/must be "\/" for SCRATCH_2/);
  });

  it('refuses something that is not an object', () => {
    expect(problems(null)).toEqual({ '(request)': 'must be a JSON object' });
    expect(problems([])).toEqual({ '(request)': 'must be a JSON object' });
  });
});
