// Issue 8: the SLR's grants are made from account A (FSx Lustre User Guide), on the request's key
// and on each of bucket.additionalKeyArns, and rollback revokes them all. An additional key's
// policy is its owner's: without the statement for A's file-system role the run stops clearly.
import { describe, expect, it } from 'vitest';
import type { SeedInput } from '../../sandbox/index.js';
import { p2Example, run } from './helpers.js';
import { seededSandbox } from './seeding.js';

const A = '111111111111';
const OTHER_KEY = 'arn:aws:kms:us-east-1:444444444444:key/0f0f0f0f-1111-2222-3333-444444444444';
const FILE_SYSTEM_ROLE = `arn:aws:iam::${A}:role/fsx-onboard-filesystem`;
const withOtherKey = (onFailure: 'stop' | 'rollback') => ({
  ...structuredClone(p2Example),
  onFailure,
  bucket: { ...p2Example['bucket'], additionalKeyArns: [OTHER_KEY] },
});

/** The other team's key, with or without the statements its owner adds for A's file-system role. */
function otherKey(allowsA: boolean): SeedInput {
  const root = { Sid: 'Root', Effect: 'Allow' as const, Principal: { AWS: 'arn:aws:iam::444444444444:root' }, Action: 'kms:*', Resource: '*' };
  const grants = {
    Sid: 'FsxOnboardGrantsFromA',
    Effect: 'Allow' as const,
    Principal: { AWS: FILE_SYSTEM_ROLE },
    Action: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'],
    Resource: '*',
  };
  return { keys: [{ arn: OTHER_KEY, policy: { Version: '2012-10-17', Statement: allowsA ? [root, grants] : [root] } }] };
}

describe('grants from account A', () => {
  it('grants the SLR every key from the file-system role, and the rollback revokes them all', async () => {
    const sandbox = await seededSandbox(otherKey(true));
    const report = await run(withOtherKey('rollback'), sandbox);
    expect(report.status).toBe('SUCCEEDED');
    const grants = sandbox.snapshot().keys.flatMap((k) => k.grants.map((g) => ({ key: k.arn, name: g.name, grantee: g.granteePrincipal })));
    expect(grants.map((g) => g.key).sort()).toEqual([p2Example['key'].arn, OTHER_KEY].sort());
    expect(new Set(grants.map((g) => g.name))).toEqual(new Set([`fsx-onboard-${p2Example['requestId']}`]));
    const created = sandbox.snapshot().cloudTrail.filter((r) => r['eventName'] === 'CreateGrant' && !r['errorCode']);
    expect(new Set(created.map((r) => (r['userIdentity'] as { arn: string }).arn))).toEqual(
      new Set([`arn:aws:sts::${A}:assumed-role/fsx-onboard-filesystem/fsx-onboard`]),
    );

    const undone = await run(withOtherKey('rollback'), sandbox, { machine: 'rollback-only' });
    expect(undone.steps.find((st) => st.name === 'RevokeGrant')).toMatchObject({ status: 'succeeded' });
    expect(sandbox.snapshot().keys.flatMap((k) => k.grants)).toEqual([]);
  });

  it("stops with KeyGrantNotAllowed when an additional key's policy does not allow A's role, and rolls back cleanly", async () => {
    const sandbox = await seededSandbox(otherKey(false));
    const report = await run(withOtherKey('rollback'), sandbox);
    expect(report.error).toBe('KeyGrantNotAllowed');
    expect(report.cause).toContain(`${FILE_SYSTEM_ROLE} may not manage grants on ${OTHER_KEY}`);
    expect(report.cause).toContain('its owner must add it');
    // The grant on the request's key was made, then revoked by the rollback; nothing was left behind.
    expect(sandbox.snapshot().keys.flatMap((k) => k.grants)).toEqual([]);
    expect(report.cause).not.toMatch(/left behind: \{"/);
  });
});
