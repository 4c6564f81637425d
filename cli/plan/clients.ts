// The client factory `plan` reads through: the same factory the steps use, bound to the sandbox
// (as the local runner binds it) or to AWS with the caller's credentials. Either way the target
// roles are assumed exactly as a run assumes them.
import { fromIni } from '@aws-sdk/credential-providers';
import { createClientFactory, type ClientFactory } from '../../lambdas/shared/clients.js';
import { everyClient } from '../../lambdas/shared/every-client.js';
import { sandboxClientFactory } from '../local/sandbox-clients.js';
import type { Sandbox } from '../../sandbox/index.js';

export function sandboxFactory(sandbox: Sandbox, region: string): ClientFactory {
  return sandboxClientFactory(sandbox, region);
}

export interface AwsPlanOptions {
  region?: string;
  profile?: string;
  externalId?: string;
}

/** Base identity: the named profile, else the standard chain (AWS_* variables, SSO, instance role …). */
export function awsFactory(opts: AwsPlanOptions, requestRegion: string): ClientFactory {
  return createClientFactory({
    clients: everyClient,
    region: opts.region ?? requestRegion,
    ...(opts.profile ? { credentials: fromIni({ profile: opts.profile }) } : {}),
    ...(opts.externalId ? { externalId: opts.externalId } : {}),
    sessionName: 'fsx-onboard-plan',
  });
}

export type { ClientFactory };
export { planOnboarding, type OnboardingPlan } from '../../lambdas/shared/preflight/plan.js';
export type { CheckResult, PlannedChange } from '../../lambdas/shared/preflight/types.js';
