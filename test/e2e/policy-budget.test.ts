// The size budget of the shared bucket and key policies is checked in ValidateRequest, before
// any change: a request whose statements would push either document over its limit is refused
// with exit 1, naming the field, the bytes and the limit, and nothing is touched.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode, main } from '../../cli/main.js';
import { Sandbox, validateSeed, type SeedInput } from '../../sandbox/index.js';
import type { PolicyStatement } from '../../policy/types.js';
import { p2Example, parsed, touchable } from './helpers.js';
import { BUCKET, KEY_ARN, shippedSeed } from './seeding.js';

/** Another team's statements of about `bytes` bytes in all: read grants for roles of their account. */
function filler(bytes: number, resource: (i: number) => string, action: string): PolicyStatement[] {
  const statements: PolicyStatement[] = [];
  for (let i = 0, size = 0; size < bytes; i++) {
    const s: PolicyStatement = {
      Sid: `OtherTeam${i}`,
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::222222222222:role/analytics-reader' },
      Action: action,
      Resource: resource(i),
    };
    statements.push(s);
    size += JSON.stringify(s).length + 1;
  }
  return statements;
}

function crowdedSeed(document: 'bucket' | 'key', bytes: number): SeedInput {
  const seed = shippedSeed('other-teams');
  if (document === 'bucket') {
    seed.buckets![0]!.policy!.Statement.push(...filler(bytes, (i) => `arn:aws:s3:::${BUCKET}/reports/team-${i}/*`, 's3:GetObject'));
  } else {
    seed.keys![0]!.policy!.Statement.push(...filler(bytes, () => '*', 'kms:DescribeKey'));
  }
  return seed;
}

async function runIn(stateDir: string) {
  const file = join(stateDir, 'request.json');
  writeFileSync(file, JSON.stringify(p2Example));
  let out = '';
  const code = await main(['node', 'fsx-onboard', '--state-dir', stateDir, 'run', file, '--json'], { out: (t) => (out += t), err: () => {} });
  return { code, report: JSON.parse(out) as { status: string; error?: string; cause?: string; steps: { name: string }[] } };
}

async function seededStateDir(seed: SeedInput): Promise<string> {
  const stateDir = mkdtempSync(join(tmpdir(), 'fsx-onboard-budget-'));
  const validation = validateSeed(seed);
  if (!validation.ok) throw new Error(JSON.stringify(validation.problems));
  const box = await Sandbox.open({ stateFile: join(stateDir, 'sandbox.json') });
  box.applySeed(validation.seed);
  await box.save();
  return stateDir;
}

const worldNow = async (stateDir: string) => touchable(await Sandbox.open({ stateFile: join(stateDir, 'sandbox.json') }), parsed(p2Example));

describe('the policy size budget', () => {
  it.each([
    ['bucket', 'bucket.name', 20 * 1024, 19_800],
    ['key', 'key.arn', 32 * 1024, 32_000],
  ] as const)('refuses a request whose statements do not fit in the %s policy, before any change', async (document, field, limit, filled) => {
    const stateDir = await seededStateDir(crowdedSeed(document, filled));
    const untouched = await worldNow(stateDir);
    const { code, report } = await runIn(stateDir);
    expect(code).toBe(ExitCode.BadInput);
    expect(report.error).toBe('PolicyTooLarge');
    expect(report.steps.map((s) => s.name)).toEqual(['ValidateRequest']);
    expect(report.cause).toContain(`${field}: the ${document} policy of ${document === 'bucket' ? BUCKET : KEY_ARN} would be `);
    expect(report.cause).toContain(`over ${document === 'bucket' ? 'S3' : 'KMS'}'s limit of ${limit.toLocaleString('en-US')} bytes`);
    expect(await worldNow(stateDir)).toEqual(untouched);
  });

  it('lets a request through whose statements just fit', async () => {
    const stateDir = await seededStateDir(crowdedSeed('bucket', 18_000));
    const { code, report } = await runIn(stateDir);
    expect(report.status, report.cause).toBe('SUCCEEDED');
    expect(code).toBe(ExitCode.Ok);
  });
});
