import { readdirSync } from 'node:fs';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { DescribeFileSystemsCommand } from '@aws-sdk/client-fsx';
import { describe, expect, it } from 'vitest';
import { createClientFactory } from '../../lambdas/shared/clients.js';
import { everyClient } from '../../lambdas/shared/every-client.js';
import { sandboxClientConfig } from '../../sandbox/client-config.js';
import { readSeedFile, Sandbox, validateSeed, type SeedInput } from '../../sandbox/index.js';
import { exampleRequest, START, world } from './world.js';

const KEY = 'arn:aws:kms:us-east-1:333333333333:key/2a1bae3d-a3e7-475b-acb2-b0dd92a5ff99';
const BUCKET = 'genomics-reference-data';

function valid(input: SeedInput) {
  const result = validateSeed(input);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.seed;
}

describe('seeds', () => {
  it('lists every problem of a seed by field path', () => {
    const result = validateSeed({
      roles: [{ arn: 'arn:aws:iam::12:role/x' }],
      buckets: [{ name: BUCKET, accountId: '222222222222', region: 'us-east-1', encryption: { algorithm: 'aws:kms' } }],
      keys: [{ arn: KEY, keySpec: 'RSA_1024' }],
      extra: true,
    });
    expect(result.ok).toBe(false);
    const fields = !result.ok ? result.problems.map((p) => p.field) : [];
    expect(fields).toEqual(expect.arrayContaining(['(seed)', 'roles.0.arn', 'buckets.0.encryption.kmsKeyArn', 'keys.0.keySpec']));
    // Cross-field rules run once the fields themselves are valid.
    const twice = validateSeed({
      absentRoles: ['arn:aws:iam::222222222222:role/a', 'arn:aws:iam::222222222222:role/a'],
      roles: [{ arn: 'arn:aws:iam::222222222222:role/a' }],
    });
    expect(!twice.ok && twice.problems.map((p) => p.field)).toEqual(['absentRoles.1', 'absentRoles.0', 'absentRoles.1']);
  });

  it('refuses a seeded bucket policy over 20 KB, which S3 could never hold', () => {
    const Statement = Array.from({ length: 200 }, (_, i) => ({
      Sid: `S${i}`,
      Effect: 'Allow' as const,
      Principal: '*' as const,
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${BUCKET}/a-rather-long-prefix-for-team-number-${i}/*`,
    }));
    const result = validateSeed({ buckets: [{ name: BUCKET, accountId: '222222222222', region: 'us-east-1', policy: { Statement } }] });
    expect(!result.ok && result.problems).toEqual([{ field: 'buckets.0.policy', message: "must be at most 20480 bytes (S3's limit)" }]);
  });

  it('validates every shipped seed', async () => {
    const files = readdirSync('examples/seeds').filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const file of files) expect(await readSeedFile(`examples/seeds/${file}`), file).toMatchObject({ ok: true });
  });

  it('is idempotent: the second application creates nothing', async () => {
    const sandbox = await Sandbox.open({ inMemory: true, startTime: START });
    const seed = valid({ roles: [{ arn: 'arn:aws:iam::222222222222:role/team/analytics' }], keys: [{ arn: KEY, state: 'Disabled' }] });
    const first = sandbox.applySeed(seed);
    expect(first.created).toEqual(['role arn:aws:iam::222222222222:role/team/analytics', `key ${KEY}`]);
    const state = JSON.stringify(sandbox.state);
    expect(sandbox.applySeed(seed)).toEqual({ created: [], unchanged: first.created, conflicts: [] });
    expect(JSON.stringify(sandbox.state)).toBe(state);
    expect(sandbox.state.roles['arn:aws:iam::222222222222:role/team/analytics']).toMatchObject({ name: 'analytics', path: '/team/' });
  });

  it('overwrites nothing: a conflicting seed names each difference and changes nothing', async () => {
    const w = await world();
    const state = JSON.stringify(w.sandbox.state);
    const outcome = w.sandbox.applySeed(
      valid({
        keys: [{ arn: KEY, keySpec: 'RSA_2048' }],
        buckets: [
          { name: BUCKET, accountId: '222222222222', region: 'us-east-1', encryption: { algorithm: 'AES256' }, objects: [{ key: 'new.txt', body: 'x' }] },
        ],
        absentRoles: ['arn:aws:iam::222222222222:role/fsx-onboard-bucket'],
      }),
    );
    expect(outcome.conflicts).toEqual([
      'absent role arn:aws:iam::222222222222:role/fsx-onboard-bucket exists (run `fsx-onboard sandbox reset` first)',
      `key ${KEY} exists with a different keySpec`,
      `bucket ${BUCKET} exists with a different encryption`,
    ]);
    expect(JSON.stringify(w.sandbox.state)).toBe(state);
  });

  it('keeps a role declared absent out of the world the request needs', async () => {
    const sandbox = await Sandbox.open({ inMemory: true, startTime: START });
    sandbox.applySeed(valid({ absentRoles: ['arn:aws:iam::333333333333:role/fsx-onboard-key'] }));
    sandbox.ensureWorldFor(exampleRequest());
    expect(Object.keys(sandbox.state.roles)).not.toContain('arn:aws:iam::333333333333:role/fsx-onboard-key');
    expect(Object.keys(sandbox.state.roles)).toContain('arn:aws:iam::222222222222:role/fsx-onboard-bucket');
  });

  it('stores seeded objects under the seeded SSE-KMS encryption, so reading them calls KMS', async () => {
    const request = exampleRequest();
    const sandbox = await Sandbox.open({ inMemory: true, startTime: START });
    // Another team's key in B, which the bucket role may not use: its objects cannot be read back.
    const otherKey = 'arn:aws:kms:us-east-1:222222222222:key/00000000-1111-2222-3333-444444444444';
    const objectKey = 'cohort-2026/.fsx-onboard-canary-genomics-scratch-2026-11/x';
    sandbox.applySeed(
      valid({
        keys: [{ arn: otherKey }],
        buckets: [
          {
            name: BUCKET,
            accountId: '222222222222',
            region: 'us-east-1',
            encryption: { algorithm: 'aws:kms', kmsKeyArn: otherKey, bucketKeyEnabled: true },
            objects: [{ key: objectKey, body: 'hello' }],
          },
        ],
      }),
    );
    sandbox.ensureWorldFor(request);
    expect(sandbox.state.buckets[BUCKET]!.objects[objectKey]).toMatchObject({
      sse: 'aws:kms',
      kmsKeyArn: otherKey,
      encryptionContextArn: `arn:aws:s3:::${BUCKET}`,
    });
    const { s3 } = createClientFactory({
      clients: everyClient,
      region: request.region,
      credentials: sandbox.orchestratorCredentials,
      plugins: [sandbox.plugin],
      clientConfig: sandboxClientConfig(),
    }).forTarget('bucket', '222222222222');
    await expect(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: objectKey }))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringMatching(/kms:Decrypt/),
    });
  });

  it('adds an available file system that a request can adopt', async () => {
    const w = await world();
    w.sandbox.applySeed(
      valid({
        fileSystems: [
          {
            id: 'fs-0123456789abcdef0',
            accountId: '111111111111',
            region: 'us-east-1',
            deploymentType: 'PERSISTENT_2',
            storageCapacityGiB: 2400,
            subnetIds: ['subnet-0a1b2c3d4e5f60718'],
            securityGroupIds: ['sg-0123456789abcdef0'],
          },
        ],
      }),
    );
    const { FileSystems } = await w.fileSystem.fsx.send(new DescribeFileSystemsCommand({ FileSystemIds: ['fs-0123456789abcdef0'] }));
    expect(FileSystems?.[0]).toMatchObject({ Lifecycle: 'AVAILABLE', StorageCapacity: 2400, DNSName: 'fs-0123456789abcdef0.fsx.us-east-1.amazonaws.com' });
  });
});
