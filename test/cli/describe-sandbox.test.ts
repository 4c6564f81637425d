import { describe, expect, it } from 'vitest';
import { describeSandbox } from '../../cli/describe-sandbox.js';
import { seededSandbox } from '../e2e/seeding.js';

describe('sandbox show', () => {
  it("shows each bucket's Block Public Access settings that are on", async () => {
    const sandbox = await seededSandbox({
      buckets: [
        { name: 'strict-bucket', accountId: '222222222222', region: 'us-east-1' },
        {
          name: 'open-bucket',
          accountId: '222222222222',
          region: 'us-east-1',
          publicAccessBlock: { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: false, restrictPublicBuckets: false },
        },
      ],
    });
    const shown = describeSandbox(sandbox.snapshot());
    expect(shown).toMatch(
      /s3:\/\/strict-bucket[^\n]*\n(?: {4}[^\n]*\n)* {4}block public access: blockPublicAcls, ignorePublicAcls, blockPublicPolicy, restrictPublicBuckets\n/,
    );
    expect(shown).toMatch(/s3:\/\/open-bucket[^\n]*\n(?: {4}[^\n]*\n)* {4}block public access: blockPublicAcls, ignorePublicAcls\n/);
  });
});
