// The Lambda entry every task shares: thin, typed, clients built once per region at module
// scope (reused across warm invocations), the work done by the step function it wraps. Each
// handler passes the client classes its step uses, so its bundle holds only those SDK clients.
import { clientFactoryFromEnvironment, type ClientClasses, type ClientFactory, type ClientName } from './clients.js';
import { ErrorNames, OnboardingError } from '../../core/errors.js';
import { sessionNameFor } from '../../core/naming.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from './step-deps.js';

const MAX_FACTORIES = 16;

/** Region of the request; ValidateRequest gets the raw request, so read it defensively. */
function regionOf(event: unknown): string {
  const region = (event as { request?: { region?: unknown } } | undefined)?.request?.region;
  if (typeof region === 'string' && /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/.test(region)) return region;
  const fallback = process.env['AWS_REGION'];
  if (!fallback) throw new OnboardingError(ErrorNames.RequestInvalid, 'region: the request names no valid region and AWS_REGION is not set');
  return fallback;
}

/** The request's session name (core/naming.ts), or none when the event names no valid request id. */
function sessionNameOf(event: unknown): string | undefined {
  const requestId = (event as { request?: { requestId?: unknown } } | undefined)?.request?.requestId;
  return typeof requestId === 'string' && /^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$/.test(requestId) ? sessionNameFor(requestId) : undefined;
}

/** A function's client factory per region and request session, built from its environment on first use. */
function factoriesFromEnvironment<K extends ClientName>(clients: ClientClasses<K>): (region: string, sessionName?: string) => ClientFactory<K> {
  const factories = new Map<string, ClientFactory<K>>();
  return (region, sessionName) => {
    const key = `${region} ${sessionName ?? ''}`;
    let factory = factories.get(key);
    // One factory per request's sessions: a warm container serving many requests drops old ones.
    if (!factory && factories.size >= MAX_FACTORIES) factories.clear();
    if (!factory) factories.set(key, (factory = clientFactoryFromEnvironment(process.env, region, clients, sessionName)));
    return factory;
  };
}

/**
 * The Lambda handler of `step`, with the clients it uses: `makeLambdaHandler(createFileSystem,
 * { fsx: FSxClient })`. A step typed to use a client that is not listed here does not compile.
 */
export function makeLambdaHandler<K extends ClientName, In = StepInput, Out = unknown>(
  step: (input: In, deps: StepDeps<K>) => Promise<Out>,
  clients: ClientClasses<K>,
): (event: In) => Promise<Out> {
  const factoryForRegion = factoriesFromEnvironment(clients);
  return async (event) => step(event, { clients: factoryForRegion(regionOf(event), sessionNameOf(event)) });
}
