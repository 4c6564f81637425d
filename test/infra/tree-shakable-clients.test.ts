// The EC2 client's schemas with literal keys: the same shapes, and bundles that keep only the
// shapes their commands reach (infra/tree-shakable-clients.ts).
import { buildSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { handlerBundleOptions } from '../../infra/bundling.js';
import { literalKeys } from '../../infra/tree-shakable-clients.js';
import { projectRoot } from '../../infra/task-functions.js';

describe('the tree-shakable EC2 client', () => {
  it('replaces a computed key by the string constant it names, and nothing else', () => {
    const source = [
      'const _eQN = "ec2QueryName";',
      'const _xN = "xmlName";',
      'export var X$ = [3, n0, _X, 0, [_M], [[1, { [_eQN]: `Min`, [_xN]: _m4, [other]: 1 }]]];',
    ].join('\n');
    const patched = literalKeys(source);
    expect(patched).toContain('{ "ec2QueryName": `Min`, "xmlName": _m4, [other]: 1 }');
    expect(patched).toContain('[3, n0, _X, 0, [_M]');
  });

  it('keeps the EC2 part of a bundle to the commands it names: CheckClientInstance well under the 500 KB budget', () => {
    const result = buildSync({
      ...handlerBundleOptions(projectRoot),
      entryPoints: [{ in: 'lambdas/check-client-instance/handler.ts', out: 'check-client-instance/index' }],
      write: false,
      outdir: '/tmp/fsx-onboard-tree-shake-test',
    });
    const output = Object.values(result.metafile!.outputs)[0]!;
    const schemas = Object.entries(output.inputs).find(([path]) => path.endsWith('schemas/schemas_0.js'))?.[1].bytesInOutput ?? 0;
    // Without literal keys every EC2 shape stays: ~550 KB of schemas alone.
    expect(schemas).toBeLessThan(60_000);
    expect(result.outputFiles!.reduce((n, f) => n + f.contents.length, 0)).toBeLessThan(500_000);
  });
});
