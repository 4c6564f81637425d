// fileSystemKeyArns: the keys file systems may be encrypted with at rest reach the file-system
// role only through FSx, are read only where their account's role can read them, and must be exact.
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../infra/config.js';
import { allStatements, cdkContext, synthesize } from './synth.js';

const FS_KEY = 'arn:aws:kms:us-east-1:111111111111:key/7c4e2a91-5b3d-4f6e-9a8b-1d2c3e4f5a6b';
const reader = (context: Record<string, unknown>) => (key: string) => context[key];

describe('file-system keys in the deployment', () => {
  it('lets the file-system role use a configured key only through FSx, and read its policy', () => {
    const synth = synthesize({ fileSystemKeyArns: [FS_KEY] });
    const statements = allStatements(synth.targetTemplates.get('111111111111')!);
    const through = statements.find((s) => s.statement['Sid'] === 'FileSystemKeyThroughFsx')?.statement;
    expect(through).toMatchObject({
      Action: ['kms:CreateGrant', 'kms:Decrypt', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey'],
      Resource: FS_KEY,
      Condition: { StringEquals: { 'kms:ViaService': 'fsx.us-east-1.amazonaws.com' } },
    });
    expect(statements.find((s) => s.statement['Sid'] === 'CheckFileSystemKey')?.statement).toMatchObject({
      Action: ['kms:DescribeKey', 'kms:GetKeyPolicy'],
      Resource: FS_KEY,
    });
  });

  it('grants nothing for file-system keys when none is configured', () => {
    const statements = allStatements(synthesize().targetTemplates.get('111111111111')!);
    expect(statements.map((s) => s.statement['Sid'])).not.toContain('FileSystemKeyThroughFsx');
  });

  it('refuses a key pattern and a key of an account no target role lives in', () => {
    expect(() => readConfig(reader({ ...cdkContext(), fileSystemKeyArns: ['arn:aws:kms:us-east-1:111111111111:key/*'] }), {})).toThrow(
      /fileSystemKeyArns.*no "\*"/,
    );
    expect(() => readConfig(reader({ ...cdkContext(), fileSystemKeyArns: [FS_KEY.replace('111111111111', '999999999999')] }), {})).toThrow(
      /999999999999.*not in a fileSystemAccounts or keyAccounts account/,
    );
  });
});
