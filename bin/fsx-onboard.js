#!/usr/bin/env node
// Runs the command line compiled to dist/ by `npm run build`, which `npm ci` and `npm install`
// run too (the `prepare` script). When dist/ is missing or older than the sources (an edit, a
// pull, a branch switch), it says so on stderr and runs the TypeScript sources through tsx
// instead: the same behaviour, only slower to start (1-2 s instead of ~0.1 s).
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The SDK warns once per process that its releases after January 2027 need Node 22. The
// versions here are pinned by the lockfile, and the warning would interleave with progress
// lines; the README states the Node versions supported.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// `fsx-onboard … | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Why dist/ cannot be used, or undefined when it was built from the sources as they are. */
function staleness() {
  let inputs;
  try {
    inputs = JSON.parse(readFileSync(join(root, 'dist', 'inputs.json'), 'utf8')).inputs;
  } catch {
    return 'dist/ is missing';
  }
  for (const [source, mtimeMs] of Object.entries(inputs)) {
    const now = statSync(join(root, source), { throwIfNoEntry: false });
    if (now?.mtimeMs !== mtimeMs) return `dist/ is older than ${source}`;
  }
  return undefined;
}

const why = staleness();
let main;
if (why === undefined) {
  ({ main } = await import('../dist/main.js'));
} else {
  process.stderr.write(`fsx-onboard: ${why}; running the sources through tsx (slower). Run \`npm run build\` to rebuild.\n`);
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../cli/main.ts'));
}
process.exitCode = await main(process.argv);
