// The client factory bound to a sandbox, as every local command reads and writes through it:
// the orchestrator's credentials, the sandbox plugin, every client. One per sandbox and region,
// and per scope when asked: executions that run at once each get their own (as concurrent
// Lambda invocations run in separate environments), so that one never awaits another's pending
// AssumeRole through a shared credential cache while the other waits for its turn.
import type { AwsCredentialIdentity, Pluggable } from '@smithy/types';
import { createClientFactory, type ClientFactory } from '../../lambdas/shared/clients.js';
import { everyClient } from '../../lambdas/shared/every-client.js';
import { sandboxClientConfig } from '../../sandbox/client-config.js';

interface BoundSandbox {
  orchestratorCredentials: AwsCredentialIdentity;
  // biome-ignore lint/suspicious/noExplicitAny: SDK plugins are generic over every client's input and output types
  plugin: Pluggable<any, any>;
}

const factories = new WeakMap<BoundSandbox, Map<string, ClientFactory>>();

export function sandboxClientFactory(sandbox: BoundSandbox, region: string, scope?: string): ClientFactory {
  let byRegion = factories.get(sandbox);
  if (!byRegion) factories.set(sandbox, (byRegion = new Map()));
  const key = scope === undefined ? region : `${region} ${scope}`;
  let factory = byRegion.get(key);
  if (!factory) {
    factory = createClientFactory({
      clients: everyClient,
      region,
      credentials: sandbox.orchestratorCredentials,
      plugins: [sandbox.plugin],
      clientConfig: sandboxClientConfig(),
    });
    byRegion.set(key, factory);
  }
  return factory;
}
