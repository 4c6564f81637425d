// What a handler is given besides its input: the one client factory. Lives beside the
// factory because core/ knows nothing of SDK clients.
import type { StepInput } from '../../core/step-io.js';
import type { ClientFactory } from './clients.js';

export interface StepDeps {
  clients: ClientFactory;
}

export type StepHandler<Out = Record<string, unknown>> = (input: StepInput, deps: StepDeps) => Promise<Out>;
