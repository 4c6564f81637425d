// Twenty teams onboard onto one bucket and one key at the same moment: every read-modify-write
// of the shared documents happens under the resource lock, contenders retry with jitter, and no
// statement or grant is lost.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { namesFor } from '../../core/naming.js';
import { keyStatementSids } from '../../policy/documents.js';
import type { WorldState } from '../../sandbox/index.js';
import { cli } from '../cli/in-process-cli.js';
import { p2Example } from './helpers.js';

const TEAMS = 20;

describe('concurrent onboardings on one bucket and key', () => {
  it(`runs ${TEAMS} requests with --concurrency ${TEAMS}: all succeed, every statement and grant is there`, async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'fsx-onboard-concurrent-'));
    const ids = Array.from({ length: TEAMS }, (_, i) => `team-${String(i + 1).padStart(2, '0')}`);
    const files = ids.map((requestId, i) => {
      const file = join(stateDir, `${requestId}.json`);
      writeFileSync(file, JSON.stringify({ ...p2Example, requestId, testExport: { ...p2Example['testExport'], mountPath: `/fsx-${i + 1}` } }));
      return file;
    });
    const result = await cli('--state-dir', stateDir, 'run', ...files, '--concurrency', String(TEAMS), '--json');
    const runs = (JSON.parse(result.out) as { runs: { executionName: string; status: string; cause?: string; outputs: { serviceLinkedRoleArn?: string } }[] })
      .runs;
    expect(runs.filter((r) => r.status !== 'SUCCEEDED').map((r) => `${r.executionName}: ${r.cause}`)).toEqual([]);
    expect(result.code).toBe(0);

    const world = JSON.parse(readFileSync(join(stateDir, 'sandbox.json'), 'utf8')) as WorldState;
    const bucket = Object.values(world.buckets).find((b) => b.name === p2Example['bucket'].name)!;
    const key = world.keys[p2Example['key'].arn]!;
    const sidsOf = (policy: unknown) =>
      ((typeof policy === 'string' ? JSON.parse(policy) : policy) as { Statement: { Sid?: string }[] }).Statement.map((s) => s.Sid);
    const bucketSids = sidsOf(bucket.policy);
    const keySids = sidsOf(key.policy);
    for (const requestId of ids) {
      const names = namesFor(requestId);
      expect(bucketSids).toEqual(expect.arrayContaining([names.bucketAccessSid, names.bucketObjectAccessSid]));
      expect(keySids).toEqual(expect.arrayContaining(keyStatementSids(names)));
    }
    const grantees = key.grants.map((g) => g.granteePrincipal).sort();
    expect(grantees).toEqual(runs.map((r) => r.outputs.serviceLinkedRoleArn).sort());
    // No lock is left behind.
    expect(Object.values(world.tables ?? {}).flatMap((t) => Object.keys(t.items))).toEqual([]);
  });
});
