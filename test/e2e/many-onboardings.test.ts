// One sandbox world hosts any number of onboardings with different accounts (issue 8): the
// target roles are recomputed from every onboarding seen, so a second bucket account or key
// account is covered, the first onboarding keeps working, and a seeded role is never rewritten.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode, main } from '../../cli/main.js';
import type { WorldState } from '../../sandbox/index.js';
import { p2Example, run } from './helpers.js';
import { seededSandbox } from './seeding.js';

const B2 = '444444444444';
const C2 = '555555555555';
const A2 = '666666666666';
const KEY2 = `arn:aws:kms:us-east-1:${C2}:key/7d3c2b1a-0f9e-4d8c-b7a6-958473625140`;

/** Another team's onboarding: its own bucket in another account, its own key in another. */
function proteomics(edit?: (r: Record<string, any>) => void): Record<string, any> {
  const r = structuredClone(p2Example);
  r['requestId'] = 'proteomics-2026-12';
  r['fileSystem'].fileSystemPath = '/proteomics';
  r['bucket'] = { accountId: B2, name: 'proteomics-raw-data', prefix: 'runs/' };
  r['key'] = { arn: KEY2 };
  // The same client instance already mounts the first file system at /fsx: mount this one elsewhere.
  r['testExport'].mountPath = '/fsx-proteomics';
  edit?.(r);
  return r;
}

async function fsxOnboard(stateDir: string, request: Record<string, any>) {
  const file = join(stateDir, `${request['requestId']}.json`);
  writeFileSync(file, JSON.stringify(request));
  let out = '';
  const code = await main(['node', 'fsx-onboard', '--state-dir', stateDir, 'run', file, '--json'], { out: (t) => (out += t), err: () => {} });
  return { code, report: JSON.parse(out) as { status: string; error?: string; cause?: string } };
}

const world = (stateDir: string) => JSON.parse(readFileSync(join(stateDir, 'sandbox.json'), 'utf8')) as WorldState;

describe('many onboardings in one sandbox world', () => {
  it('onboards two requests with different bucket and key accounts one after another, and the first still works', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'fsx-onboard-many-'));
    const first = await fsxOnboard(stateDir, p2Example);
    expect(first.report.status, `${first.report.error}: ${first.report.cause}`).toBe('SUCCEEDED');
    const second = await fsxOnboard(stateDir, proteomics());
    expect(second.code, `${second.report.error}: ${second.report.cause}`).toBe(ExitCode.Ok);
    expect(second.report.status).toBe('SUCCEEDED');

    const w = world(stateDir);
    expect(w.onboardings?.map((o) => [o.bucket, o.key])).toEqual([
      ['222222222222', '333333333333'],
      [B2, C2],
    ]);
    // Each account got its own role, scoped to its own bucket or key only.
    const bucketRole2 = JSON.stringify(w.roles[`arn:aws:iam::${B2}:role/fsx-onboard-bucket`]!.inlinePolicies);
    expect(bucketRole2).toContain('proteomics-raw-data');
    expect(bucketRole2).not.toContain('genomics-reference-data');
    // The shared file-system role in A covers both buckets.
    const fsRole = JSON.stringify(w.roles['arn:aws:iam::111111111111:role/fsx-onboard-filesystem']!.inlinePolicies);
    expect(fsRole).toContain('proteomics-raw-data');
    expect(fsRole).toContain('genomics-reference-data');

    // The first onboarding's resources still work: re-running it reaches and checks every one of them.
    const again = await fsxOnboard(stateDir, p2Example);
    expect(again.report.status, `${again.report.error}: ${again.report.cause}`).toBe('SUCCEEDED');
  });

  it('serves a second file-system account through the one orchestrator of the world', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'fsx-onboard-many-'));
    expect((await fsxOnboard(stateDir, p2Example)).report.status).toBe('SUCCEEDED');
    const other = await fsxOnboard(
      stateDir,
      proteomics((r) => {
        r['fileSystem'].accountId = A2;
        // Subnets and security groups belong to one account: the other account has its own.
        r['fileSystem'].subnetIds = ['subnet-0f1e2d3c4b5a69788'];
        r['fileSystem'].securityGroupIds = ['sg-0fedcba987654321f'];
        r['testExport'].clientInstanceId = 'i-0a0b0c0d0e0f01234';
      }),
    );
    expect(other.report.status, `${other.report.error}: ${other.report.cause}`).toBe('SUCCEEDED');
    const w = world(stateDir);
    expect(Object.keys(w.roles).filter((arn) => arn.endsWith(':role/fsx-onboard-orchestrator'))).toEqual([
      'arn:aws:iam::111111111111:role/fsx-onboard-orchestrator',
    ]);
    expect(w.roles[`arn:aws:iam::${A2}:role/fsx-onboard-filesystem`]!.trustPolicy.Statement[0]!.Principal).toEqual({
      AWS: 'arn:aws:iam::111111111111:role/fsx-onboard-orchestrator',
    });
  });

  it('never rewrites a role a seed declared: the seeded bucket role keeps its own policy and the run is refused by it', async () => {
    const seededPolicy = { Version: '2012-10-17' as const, Statement: [{ Effect: 'Allow' as const, Action: 's3:GetBucketLocation', Resource: '*' }] };
    const sandbox = await seededSandbox({
      roles: [
        {
          arn: `arn:aws:iam::${B2}:role/fsx-onboard-bucket`,
          trustPolicy: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:role/fsx-onboard-orchestrator' }, Action: 'sts:AssumeRole' }],
          },
          policies: { narrow: seededPolicy },
        },
      ],
    });
    expect((await run(p2Example, sandbox)).status).toBe('SUCCEEDED');
    const report = await run(proteomics(), sandbox);
    expect(report.status).toBe('FAILED');
    expect(report.error).toBe('AccessDenied');
    expect(sandbox.state.roles[`arn:aws:iam::${B2}:role/fsx-onboard-bucket`]!.inlinePolicies).toEqual({ narrow: seededPolicy });
  });
});

describe('keys in bucket.additionalKeyArns', () => {
  it('are covered by the key role of their own account, so CreateGrant on them can be authorised', async () => {
    const sandbox = await seededSandbox({});
    const extra = `arn:aws:kms:us-east-1:${C2}:key/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d`;
    const request = structuredClone(p2Example);
    request['bucket'].additionalKeyArns = [extra];
    await run(request, sandbox);
    const keyRole = sandbox.state.roles[`arn:aws:iam::${C2}:role/fsx-onboard-key`];
    expect(JSON.stringify(keyRole?.inlinePolicies)).toContain(extra);
    expect(JSON.stringify(sandbox.state.roles['arn:aws:iam::111111111111:role/fsx-onboard-orchestrator']!.inlinePolicies)).toContain(
      `arn:aws:iam::${C2}:role/fsx-onboard-key`,
    );
  });
});
