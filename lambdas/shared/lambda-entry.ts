// The Lambda entry every task shares: thin, typed, clients built once per region at module
// scope (reused across warm invocations), the work done by the step function it wraps.
import { clientFactoryFromEnvironment, type ClientFactory } from './clients.js';
import { ErrorNames, OnboardingError } from '../../core/errors.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from './step-deps.js';

const factories = new Map<string, ClientFactory>();

/** Region of the request; ValidateRequest gets the raw request, so read it defensively. */
function regionOf(event: unknown): string {
  const region = (event as { request?: { region?: unknown } } | undefined)?.request?.region;
  if (typeof region === 'string' && /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/.test(region)) return region;
  const fallback = process.env['AWS_REGION'];
  if (!fallback) throw new OnboardingError(ErrorNames.RequestInvalid, 'region: the request names no valid region and AWS_REGION is not set');
  return fallback;
}

export function factoryForRegion(region: string): ClientFactory {
  let factory = factories.get(region);
  if (!factory) factories.set(region, (factory = clientFactoryFromEnvironment(process.env, region)));
  return factory;
}

export function makeLambdaHandler<In = StepInput, Out = unknown>(step: (input: In, deps: StepDeps) => Promise<Out>): (event: In) => Promise<Out> {
  return async (event) => step(event, { clients: factoryForRegion(regionOf(event)) });
}
