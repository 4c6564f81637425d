import { describe, expect, it } from 'vitest';
import { readConfig, targetAccounts } from '../../infra/config.js';
import { cdkContext } from './synth.js';

const reader = (context: Record<string, unknown>) => (key: string) => context[key];
const base = () => cdkContext();

describe('deployment context', () => {
  it('reads the cdk.json defaults into one role per configured account', () => {
    const config = readConfig(reader(base()), {});
    expect(config.orchestratorAccount).toBe('111111111111');
    expect(targetAccounts(config)).toEqual([
      { account: '111111111111', roles: ['fileSystem'] },
      { account: '222222222222', roles: ['bucket'] },
      { account: '333333333333', roles: ['key'] },
    ]);
  });

  it('accepts account lists as comma-separated strings from -c', () => {
    const config = readConfig(reader({ ...base(), bucketAccounts: '222222222222, 444444444444', keyAccounts: '["333333333333"]' }), {});
    expect(config.accounts.bucket).toEqual(['222222222222', '444444444444']);
    expect(config.accounts.key).toEqual(['333333333333']);
  });

  it('requires exact key ARNs, refusing a pattern with the rule it breaks', () => {
    const { keyArns: _unused, ...rest } = base();
    expect(() => readConfig(reader(rest), {})).toThrow(/context "keyArns" is required: the exact ARNs/);
    expect(() => readConfig(reader({ ...base(), keyArns: ['arn:aws:kms:us-east-1:333333333333:key/*'] }), {})).toThrow(
      /context "keyArns" must list exact key ARNs, not patterns .*kms:PutKeyPolicy is never granted on a wildcard/,
    );
    expect(() => readConfig(reader({ ...base(), keyArns: ['arn:aws:kms:us-east-1:333333333333:alias/data'] }), {})).toThrow(
      /context "keyArns" must be KMS key ARNs/,
    );
    const exact = 'arn:aws:kms:us-east-1:333333333333:key/2a1bae3d-a3e7-475b-acb2-b0dd92a5ff99';
    expect(readConfig(reader({ ...base(), keyArns: [exact] }), {}).keyArns).toEqual([exact]);
  });

  it('names the function roles <functionRolePrefix>-<StateName>, within 64 characters, and refuses the retired orchestratorRoleName', () => {
    expect(readConfig(reader(base()), {}).functionRolePrefix).toBe('fsx-onboard');
    expect(readConfig(reader({ ...base(), functionRolePrefix: 'team42-fsx' }), {}).functionRolePrefix).toBe('team42-fsx');
    expect(() => readConfig(reader({ ...base(), functionRolePrefix: 'x'.repeat(24) }), {})).toThrow(/functionRolePrefix.*1-23 characters/);
    expect(() => readConfig(reader({ ...base(), orchestratorRoleName: 'fsx-onboard-orchestrator' }), {})).toThrow(/orchestratorRoleName.*functionRolePrefix/);
  });

  it('reads the Lustre-client tag and the linked prefixes, refusing prefixes of unconfigured buckets', () => {
    const config = readConfig(reader({ ...base(), lustreClientTagKey: 'ops:lustre', lustreClientTagValue: 'yes' }), {});
    expect(config.lustreClientTag).toEqual({ key: 'ops:lustre', value: 'yes' });
    const { lustreClientTagKey: _k, lustreClientTagValue: _v, linkedPrefixes: _p, ...defaults } = base();
    expect(readConfig(reader(defaults), {})).toMatchObject({ lustreClientTag: { key: 'fsx-onboard:lustre-client', value: 'true' }, linkedPrefixes: [] });
    expect(() => readConfig(reader({ ...base(), lustreClientTagKey: 'aws:reserved' }), {})).toThrow(/lustreClientTagKey/);
    expect(() => readConfig(reader({ ...base(), linkedPrefixes: ['other-bucket/data/'] }), {})).toThrow(/linkedPrefixes.*outside "bucketNames": other-bucket/);
    expect(() => readConfig(reader({ ...base(), linkedPrefixes: ['genomics-reference-data/*'] }), {})).toThrow(/linkedPrefixes.*no wildcards/);
  });

  it('falls back to the CLI environment for the orchestrator account and region', () => {
    const { orchestratorAccount: _a, region: _r, ...rest } = base();
    const config = readConfig(reader(rest), { CDK_DEFAULT_ACCOUNT: '777777777777', CDK_DEFAULT_REGION: 'eu-west-1' });
    expect([config.orchestratorAccount, config.region]).toEqual(['777777777777', 'eu-west-1']);
  });

  it('rejects a malformed account, a missing external id and a deployment without buckets', () => {
    expect(() => readConfig(reader({ ...base(), bucketAccounts: 'not-an-account' }), {})).toThrow(/bucketAccounts.*12-digit/);
    const { externalId: _e, ...noExternalId } = base();
    expect(() => readConfig(reader(noExternalId), {})).toThrow(/externalId.*required/);
    expect(() => readConfig(reader({ ...base(), bucketNames: [] }), {})).toThrow(/bucketNames.*required/);
    expect(() => readConfig(reader({ ...base(), externalId: 'has spaces' }), {})).toThrow(/externalId/);
  });
});
