// The running world: state + clock + the helpers every service model shares (authorisation
// through the policy evaluator, CloudTrail, scheduled side effects).
import { evaluateAccess } from '../policy/evaluate.js';
import type { AccessDecision, KmsGrant, PolicyDocument } from '../policy/types.js';
import { VirtualClock } from './clock.js';
import { CLOUDTRAIL_DELIVERY_MS, recordEvent, type EventInput, type TrailResource } from './cloudtrail.js';
import { accessDenied, type SimError, type ServiceName } from './errors.js';
import { identityPoliciesOf, type Caller } from './identity.js';
import { Scheduler } from './scheduler.js';
import type { JobState, WorldState } from './state.js';

export interface Faults {
  /** Probability (0..1) that a call fails with a transient error (ThrottlingException / SlowDown). */
  transientRate?: number;
  /** Seed of the deterministic fault sequence. */
  seed?: number;
  /** `service:Operation` (e.g. `kms:CreateGrant`) → error that operation always fails with. */
  permanent?: Record<string, { code: string; message: string; httpStatusCode?: number }>;
}

export interface AuthorizeRequest {
  action: string;
  resource: string;
  resourceAccount: string;
  context?: Record<string, string | string[]>;
}

export interface AuthorizeOptions {
  resourcePolicy?: PolicyDocument | undefined;
  kms?: { grants: KmsGrant[]; grantTokens?: string[] | undefined };
}

/** What a handler learns and reports about one call (for CloudTrail). */
// biome-ignore lint/suspicious/noExplicitAny: a command's input, typed by the service handler that serves it
export interface Call<I = any> {
  sim: Sim;
  service: ServiceName;
  operation: string;
  caller: Caller;
  region: string;
  input: I;
  resources: TrailResource[];
  /** Owner account of the resource acted on, if not the caller's (gets the event too). */
  resourceAccount?: string;
  responseElements?: unknown;
}

export type JobRunner = (sim: Sim, job: JobState) => void;

/** One authorisation the sandbox decided: who asked for which action on which resource, and the answer. */
export interface ObservedDecision {
  caller: Caller;
  request: AuthorizeRequest;
  decision: AccessDecision;
}

export class Sim {
  readonly clock: VirtualClock;
  /** Turns of the executions (and Parallel branches) that share this world's clock. */
  readonly scheduler: Scheduler;
  faults: Faults;
  /** How long after a call its CloudTrail event becomes visible to LookupEvents (virtual ms). */
  cloudTrailDeliveryMs = CLOUDTRAIL_DELIVERY_MS;
  private readonly jobRunners = new Map<JobState['kind'], JobRunner>();
  private readonly tickHooks: ((sim: Sim) => void)[] = [];
  /** Called with every authorisation decided (tests record what each identity needed). */
  readonly decisionObservers: ((observed: ObservedDecision) => void)[] = [];
  private running = false;
  /** The job list last put in order (a new world or a loaded state file brings another). */
  private ordered: JobState[] | undefined;

  constructor(
    public state: WorldState,
    faults: Faults = {},
  ) {
    this.clock = new VirtualClock(() => this.state);
    this.scheduler = new Scheduler({
      now: () => this.clock.now(),
      advanceMs: (ms) => {
        this.clock.advanceMs(ms);
        this.runDueJobs();
      },
    });
    this.faults = faults;
  }

  now(): number {
    return this.clock.now();
  }

  onJob(kind: JobState['kind'], runner: JobRunner): void {
    this.jobRunners.set(kind, runner);
  }

  /** Lazy lifecycle work (e.g. removing deleted file systems) run whenever time is observed. */
  onTick(hook: (sim: Sim) => void): void {
    this.tickHooks.push(hook);
  }

  /**
   * Jobs are kept in time order (then scheduling order), so the next due one is always first: a
   * world with thousands of file systems holds thousands of pending jobs.
   */
  schedule(at: number, kind: JobState['kind'], ref: Record<string, string>): void {
    const job: JobState = { at, seq: this.state.seq++, kind, ref };
    const jobs = this.orderedJobs();
    let low = 0;
    let high = jobs.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (jobs[mid]!.at <= at) low = mid + 1;
      else high = mid;
    }
    jobs.splice(low, 0, job);
  }

  /** The job list in order; a state file written before the order was kept is sorted once. */
  private orderedJobs(): JobState[] {
    if (this.ordered !== this.state.jobs) {
      this.state.jobs.sort((a, b) => a.at - b.at || a.seq - b.seq);
      this.ordered = this.state.jobs;
    }
    return this.state.jobs;
  }

  /** Runs, in time order, every scheduled side effect that is due by now. */
  runDueJobs(): void {
    if (this.running) return;
    this.running = true;
    try {
      const jobs = this.orderedJobs();
      while (jobs.length && jobs[0]!.at <= this.state.now) {
        const due = jobs.shift()!;
        this.clock.at(due.at, () => this.jobRunners.get(due.kind)?.(this, due));
      }
      for (const hook of this.tickHooks) hook(this);
    } finally {
      this.running = false;
    }
  }

  decide(caller: Caller, request: AuthorizeRequest, options: AuthorizeOptions = {}): AccessDecision {
    const decision = this.evaluate(caller, request, options);
    for (const observe of this.decisionObservers) observe({ caller, request, decision });
    return decision;
  }

  private evaluate(caller: Caller, request: AuthorizeRequest, options: AuthorizeOptions): AccessDecision {
    return evaluateAccess({
      request: {
        action: request.action,
        resource: request.resource,
        resourceAccount: request.resourceAccount,
        principal: { arn: caller.roleArn, sessionArn: caller.sessionArn, account: caller.account, type: 'AWS' },
        context: { 'aws:PrincipalArn': caller.roleArn, 'aws:PrincipalAccount': caller.account, ...request.context },
      },
      identityPolicies: identityPoliciesOf(this.state, caller.roleArn),
      ...(options.resourcePolicy ? { resourcePolicy: options.resourcePolicy } : {}),
      ...(options.kms
        ? { kms: { grants: options.kms.grants, ...(options.kms.grantTokens ? { grantTokens: options.kms.grantTokens } : {}), now: this.now() } }
        : {}),
    });
  }

  /** Throws the service's access-denied error with the evaluator's AWS wording. */
  authorize(service: ServiceName, caller: Caller, request: AuthorizeRequest, options: AuthorizeOptions = {}): AccessDecision {
    const decision = this.decide(caller, request, options);
    if (!decision.allowed) throw denied(service, caller, request, decision);
    return decision;
  }

  record(input: Omit<EventInput, 'time'>): void {
    recordEvent(this.state, { ...input, time: this.now() });
  }
}

function denied(service: ServiceName, caller: Caller, request: AuthorizeRequest, decision: AccessDecision): SimError {
  const message = decision.message ?? `User: ${caller.sessionArn} is not authorized to perform: ${request.action} on resource: ${request.resource}`;
  return accessDenied(service, message);
}
