// What a handler is given besides its input: the one client factory. Lives beside the
// factory because core/ knows nothing of SDK clients. `K` names the clients the step uses;
// its handler (lambdas/<step>/handler.ts) must list the same classes, which the types check.
import type { StepInput } from '../../core/step-io.js';
import type { ClientFactory, ClientName } from './clients.js';

export interface StepDeps<K extends ClientName = ClientName> {
  clients: ClientFactory<K>;
  /**
   * The clock lock leases are measured on, in epoch ms: the real clock on AWS (Date.now, the
   * default), the services' virtual clock when they are the sandbox's.
   */
  now?: () => number;
}

export type StepHandler<Out = Record<string, unknown>, K extends ClientName = ClientName> = (input: StepInput, deps: StepDeps<K>) => Promise<Out>;
