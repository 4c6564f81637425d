import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The local ASL interpreter needs Promise.withResolvers on Node 20 (see test/setup.ts).
    setupFiles: ['test/setup.ts'],
    testTimeout: 20_000,
    // Synthesizing the CDK app in an infra test's beforeAll takes ~12 s on a cold 2-core machine,
    // past vitest's 10 s default for hooks.
    hookTimeout: 60_000,
    pool: 'forks',
    // Test files in one worker share loaded modules (the SDK and CDK take most of a file's
    // time to import). What a file changes globally is undone after it: SDK client mocks
    // (test/setup.ts) and stubbed environment variables.
    isolate: false,
    unstubEnvs: true,
    allowOnly: false,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
