// A shared bucket in the sandbox (issue 8): Bucket Keys already on are kept when the request
// does not say, objects under a key the SLR will not be granted refuse the run before any
// change, listing that key lets the run proceed, and the bucket-wide default-encryption change
// is reported before SetDefaultEncryption makes it.
import { describe, expect, it } from 'vitest';
import { formatEvent } from '../../cli/format.js';
import type { SeedInput } from '../../sandbox/index.js';
import { p2Example, parsed, run, touchable } from './helpers.js';
import { BUCKET, KEY_ARN, seededSandbox } from './seeding.js';

const OLD_KEY = 'arn:aws:kms:us-east-1:222222222222:key/6b5a4938-2716-4f5e-8d7c-6b5a49382716';
const withoutBucketKeySetting = () => {
  const r = structuredClone(p2Example);
  delete r['bucket'].bucketKeyEnabled;
  return r;
};

/** The bucket already encrypts with B's own key, Bucket Keys on; `objects` are stored as given. */
function sharedBucket(objects: NonNullable<SeedInput['buckets']>[number]['objects'] = []): SeedInput {
  return {
    keys: [{ arn: OLD_KEY, description: "The bucket's previous key, in B" }],
    buckets: [
      {
        name: BUCKET,
        accountId: '222222222222',
        region: 'us-east-1',
        encryption: { algorithm: 'aws:kms', kmsKeyArn: OLD_KEY, bucketKeyEnabled: true },
        objects,
      },
    ],
  };
}

const underOldKey = [
  { key: 'cohort-2026/sample-001.bam', body: 'reads', encryption: { algorithm: 'aws:kms' as const, kmsKeyArn: OLD_KEY } },
  { key: 'cohort-2026/readme.txt', body: 'SSE-S3 is fine', encryption: { algorithm: 'AES256' as const } },
];

describe('a shared bucket', () => {
  it('keeps Bucket Keys on when the request does not say, and reports the change before SetDefaultEncryption', async () => {
    const sandbox = await seededSandbox(sharedBucket());
    const lines: string[] = [];
    const report = await run(withoutBucketKeySetting(), sandbox, { onEvent: (e) => lines.push(formatEvent(e)) });
    expect(report.status, `${report.error}: ${report.cause}`).toBe('SUCCEEDED');
    expect(sandbox.state.buckets[BUCKET]!.encryption).toEqual({ sseAlgorithm: 'aws:kms', kmsMasterKeyId: KEY_ARN, bucketKeyEnabled: true });

    const text = lines.join('\n');
    const reported = text.indexOf(`default encryption of ${BUCKET}: SSE-KMS with ${OLD_KEY}, Bucket Keys on → SSE-KMS with ${KEY_ARN}, Bucket Keys on`);
    expect(reported).toBeGreaterThan(-1);
    expect(reported).toBeLessThan(text.indexOf('▸ SetDefaultEncryption'));
    expect(text).toContain('identities of account 222222222222 whose IAM policies allow s3:PutObject');
    expect(report.outputs.defaultEncryptionChange).toMatchObject({ before: `SSE-KMS with ${OLD_KEY}, Bucket Keys on` });

    // Rollback puts the bucket's own configuration back, Bucket Keys included.
    const rollback = await run(withoutBucketKeySetting(), sandbox, { machine: 'rollback-only' });
    expect(rollback.status, `${rollback.error}: ${rollback.cause}`).toBe('SUCCEEDED');
    expect(sandbox.state.buckets[BUCKET]!.encryption).toEqual({ sseAlgorithm: 'aws:kms', kmsMasterKeyId: OLD_KEY, bucketKeyEnabled: true });
  });

  it('refuses an object under a key not granted to the SLR before any change: no bucket statement, no file system', async () => {
    const sandbox = await seededSandbox(sharedBucket(underOldKey));
    const request = parsed(withoutBucketKeySetting());
    sandbox.ensureWorldFor(request);
    const before = touchable(sandbox, request);
    const report = await run(withoutBucketKeySetting(), sandbox);
    expect(report.status).toBe('FAILED');
    expect(report.error).toBe('ObjectsUnderUnlistedKey');
    expect(report.cause).toContain(`key ${OLD_KEY} encrypts 1 sampled object(s), e.g. s3://${BUCKET}/cohort-2026/sample-001.bam`);
    expect(report.cause).toContain('"No data available"');
    expect(report.cause).toContain('bucket.additionalKeyArns');
    expect(report.steps.map((s) => s.name)).toEqual(['ValidateRequest']);
    expect(touchable(sandbox, request)).toEqual(before);
    expect(before.bucketPolicy).toBeNull();
    expect(before.fileSystems).toEqual([]);
  });

  it('proceeds past validation once that key is listed in bucket.additionalKeyArns', async () => {
    const sandbox = await seededSandbox(sharedBucket(underOldKey));
    const request = withoutBucketKeySetting();
    request['bucket'].additionalKeyArns = [OLD_KEY];
    const report = await run(request, sandbox);
    expect(report.steps.find((s) => s.name === 'ValidateRequest')?.status).toBe('succeeded');
    expect(report.steps.map((s) => s.name)).toContain('PutBucketAccessPolicy');
    // The objects keep the key they were written with.
    expect(sandbox.state.buckets[BUCKET]!.objects['cohort-2026/sample-001.bam']!.kmsKeyArn).toBe(OLD_KEY);
    // A seeded object's own encryption wins over the bucket's default (here SSE-KMS).
    expect(sandbox.state.buckets[BUCKET]!.objects['cohort-2026/readme.txt']).toMatchObject({ sse: 'AES256' });
    expect(sandbox.state.buckets[BUCKET]!.objects['cohort-2026/readme.txt']!.kmsKeyArn).toBeUndefined();
  });
});
