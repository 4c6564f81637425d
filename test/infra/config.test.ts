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

  it('defaults keyArns to every key of each key account in the region', () => {
    const { keyArns: _unused, ...rest } = base();
    const config = readConfig(reader({ ...rest, keyAccounts: ['333333333333', '555555555555'] }), {});
    expect(config.keyArns).toEqual(['arn:aws:kms:us-east-1:333333333333:key/*', 'arn:aws:kms:us-east-1:555555555555:key/*']);
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
