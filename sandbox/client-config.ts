// Settings for SDK clients that talk to the sandbox. The SDK's own retry (standard mode, 3
// attempts) runs as against AWS, but without real-time backoff: simulated calls need no
// pause. Explicit settings also spare each new client its lookups of environment variables
// and config files, which would otherwise dominate a run that lasts milliseconds.
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import type { RetryStrategyV2 } from '@smithy/types';

export interface SandboxClientConfig {
  retryStrategy: RetryStrategyV2;
  requestChecksumCalculation: 'WHEN_REQUIRED';
  responseChecksumValidation: 'WHEN_REQUIRED';
  useFipsEndpoint: false;
  useDualstackEndpoint: false;
  defaultsMode: 'standard';
  maxAttempts: number;
  authSchemePreference: string[];
  /** No endpoint is called: AWS_ENDPOINT_URL and endpoint_url settings do not apply. */
  ignoreConfiguredEndpointUrls: true;
  userAgentAppId: string;
}

/** A fresh config (with its own retry quota) for one set of clients. */
export function sandboxClientConfig(): SandboxClientConfig {
  return {
    retryStrategy: new ConfiguredRetryStrategy(3, () => 0),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    useFipsEndpoint: false,
    useDualstackEndpoint: false,
    defaultsMode: 'standard',
    maxAttempts: 3,
    authSchemePreference: [],
    ignoreConfiguredEndpointUrls: true,
    userAgentAppId: 'fsx-onboard-sandbox',
  };
}
