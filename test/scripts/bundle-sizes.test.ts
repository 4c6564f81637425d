import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ORCHESTRATOR_STACK } from '../../infra/names.js';
import { BUNDLE_BUDGET_BYTES, functionBundles, overBudget } from '../../scripts/bundle-sizes.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A cdk.out holding an orchestrator template whose functions have these asset files. */
function cdkOut(functions: Record<string, Record<string, number> | undefined>): string {
  const out = mkdtempSync(join(tmpdir(), 'bundle-sizes-'));
  dirs.push(out);
  const resources: Record<string, unknown> = { Role: { Type: 'AWS::IAM::Role' } };
  for (const [name, files] of Object.entries(functions)) {
    const metadata: Record<string, string> = { 'aws:cdk:path': `${ORCHESTRATOR_STACK}/Steps/${name}/Resource` };
    if (files) {
      metadata['aws:asset:path'] = `asset.${name}`;
      mkdirSync(join(out, `asset.${name}`));
      for (const [file, bytes] of Object.entries(files)) writeFileSync(join(out, `asset.${name}`, file), 'x'.repeat(bytes));
    }
    resources[`Steps${name}`] = { Type: 'AWS::Lambda::Function', Metadata: metadata, Properties: { Handler: 'index.handler' } };
  }
  writeFileSync(join(out, `${ORCHESTRATOR_STACK}.template.json`), JSON.stringify({ Resources: resources }));
  return out;
}

describe('bundle sizes', () => {
  it('measures each function of the orchestrator template from its asset folder, code and maps apart', () => {
    const bundles = functionBundles(cdkOut({ CreateGrant: { 'index.mjs': 1200, 'index.mjs.map': 300, 'README.txt': 50 }, ShareKey: { 'index.mjs': 900 } }));
    expect(bundles.map(({ name, codeBytes, mapBytes, handler }) => ({ name, codeBytes, mapBytes, handler }))).toEqual([
      { name: 'Steps/CreateGrant', codeBytes: 1200, mapBytes: 300, handler: 'index.handler' },
      { name: 'Steps/ShareKey', codeBytes: 900, mapBytes: 0, handler: 'index.handler' },
    ]);
  });

  it('refuses a function synthesized without its bundle', () => {
    expect(() => functionBundles(cdkOut({ CreateGrant: undefined }))).toThrow(/CreateGrant has no aws:asset:path/);
  });

  it('counts a map against the budget with its code', () => {
    const bundle = { name: 'Steps/X', handler: 'index.handler', dir: '', codeBytes: BUNDLE_BUDGET_BYTES - 10, mapBytes: 0 };
    expect(overBudget(bundle)).toBeUndefined();
    expect(overBudget({ ...bundle, mapBytes: 11 })).toMatch(/over the 500.0 KB budget/);
  });
});
