#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so a fresh clone works after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

// The SDK warns once per process that its releases after January 2027 need Node 22. The
// versions here are pinned by the lockfile, and the warning would interleave with progress
// lines; the README states the Node versions supported.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
// `fsx-onboard … | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv);
