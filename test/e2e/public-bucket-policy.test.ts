// S3 Block Public Access, on by default for new buckets: a bucket that already holds another
// team's public statement refuses every later PutBucketPolicy. The onboarding must stop at its
// first bucket step with an error naming BlockPublicPolicy, having created nothing.
import { describe, expect, it } from 'vitest';
import { type SeedInput, validateSeed } from '../../sandbox/index.js';
import { p2Example, parsed, run, touchable } from './helpers.js';
import { BUCKET, seededSandbox, shippedSeed } from './seeding.js';

const publicReports = {
  Sid: 'PublicReports',
  Effect: 'Allow' as const,
  Principal: '*' as const,
  Action: 's3:GetObject',
  Resource: `arn:aws:s3:::${BUCKET}/reports/*`,
};

// examples/seeds/public-bucket-statement.json, with its Block Public Access replaced (absent: S3's default).
const seed = (publicAccessBlock?: Record<string, boolean>): SeedInput => {
  const shipped = shippedSeed('public-bucket-statement');
  const { publicAccessBlock: _shipped, ...bucket } = shipped.buckets![0]!;
  return { ...shipped, buckets: [{ ...bucket, ...(publicAccessBlock ? { publicAccessBlock } : {}) }] };
};

describe('a bucket holding a public statement', () => {
  it('is what the shipped seed describes, with all four settings on', () => {
    const bucket = shippedSeed('public-bucket-statement').buckets![0]!;
    expect(bucket.policy!.Statement).toEqual([publicReports]);
    expect(Object.values(bucket.publicAccessBlock!)).toEqual([true, true, true, true]);
  });

  it('fails the run at PutBucketAccessPolicy with BucketPolicyPublic naming BlockPublicPolicy, and nothing is created', async () => {
    const sandbox = await seededSandbox(seed());
    const request = parsed(p2Example);
    sandbox.ensureWorldFor(request);
    const before = touchable(sandbox, request);
    const report = await run(p2Example, sandbox);
    expect(report.status).toBe('FAILED');
    expect(report.error).toBe('BucketPolicyPublic');
    expect(report.cause).toContain('BlockPublicPolicy');
    expect(report.cause).toContain('PublicReports');
    expect(report.steps.find((s) => s.status === 'failed')?.name).toBe('PutBucketAccessPolicy');
    const after = touchable(sandbox, request);
    // No file system, no key statement, no grant, the bucket policy as it was.
    expect(after).toEqual(before);
    expect(after.fileSystems).toEqual([]);
  });

  it('onboards once Block Public Access is off for the bucket, the public statement kept as it was', async () => {
    const off = { blockPublicAcls: false, ignorePublicAcls: false, blockPublicPolicy: false, restrictPublicBuckets: false };
    const sandbox = await seededSandbox(seed(off));
    const report = await run(p2Example, sandbox);
    expect(report.status, `${report.error}: ${report.cause}`).toBe('SUCCEEDED');
    const bucket = sandbox.snapshot().buckets.find((b) => b.name === BUCKET)!;
    expect((bucket.policy as { Statement: unknown[] }).Statement[0]).toEqual(publicReports);
  });
});

describe('seed field buckets[].publicAccessBlock', () => {
  it('defaults each setting to on, and conflicts with a bucket whose settings differ', async () => {
    const sandbox = await seededSandbox(seed({ blockPublicPolicy: false }));
    expect(sandbox.state.buckets[BUCKET]!.publicAccessBlock).toEqual({
      blockPublicAcls: true,
      ignorePublicAcls: true,
      blockPublicPolicy: false,
      restrictPublicBuckets: true,
    });
    const again = validateSeed(seed());
    if (!again.ok) throw new Error('invalid seed');
    expect(sandbox.applySeed(again.seed).conflicts).toEqual([`bucket ${BUCKET} exists with a different publicAccessBlock`]);
  });
});
