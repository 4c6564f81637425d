import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The local ASL interpreter needs Promise.withResolvers on Node 20 (see test/setup.ts).
    setupFiles: ['test/setup.ts'],
    testTimeout: 20_000,
    pool: 'forks',
    allowOnly: false,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
