// `npm run build` (and `prepare`, so `npm ci` and `npm install` run it): compiles the command
// line to JavaScript in dist/, which bin/fsx-onboard.js runs. Without it every call would
// transpile the TypeScript graph first (1-2 s for `--help`).
//
// One ES module per command module: cli/main.ts imports each with a dynamic import, and
// esbuild's splitting turns each into a chunk of its own, so a command loads only its code.
// Packages stay in node_modules (they are installed anyway; bundling them would copy the SDK).
// dist/inputs.json lists every source file and its modification time, so the bin can tell
// when dist/ is older than the sources (see bin/fsx-onboard.js).
import { rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist');

await rm(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { main: 'cli/main.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
});

const sources = Object.keys(result.metafile.inputs).sort();
const inputs: Record<string, number> = {};
for (const source of sources) inputs[source] = (await stat(join(root, source))).mtimeMs;
await writeFile(join(outdir, 'inputs.json'), `${JSON.stringify({ inputs }, null, 2)}\n`);

const chunks = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'));
console.log(`Built ${relative(root, outdir)}/: ${chunks.length} modules from ${sources.length} source files.`);
