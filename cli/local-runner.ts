// Runs the same ASL that is deployed to Step Functions on aws-local-stepfunctions, with each
// Task bound by state name to its real handler and every AWS client bound to the sandbox.
// Waits and retry pauses advance the sandbox's virtual clock instead of sleeping.
import './polyfills.js';
import { StateMachine } from 'aws-local-stepfunctions';
import type { AwsCredentialIdentity, Pluggable } from '@smithy/types';
import { createClientFactory, type ClientFactory } from '../lambdas/shared/clients.js';
import { sandboxClientConfig } from '../sandbox/client-config.js';
import { validateRequest, type OnboardingRequest, type RequestProblem } from '../core/request.js';
import type { StepHandler } from '../lambdas/shared/step-deps.js';
import { stepHandlers } from '../lambdas/registry.js';
import { renderDefinition, renderRollbackDefinition, type AslDefinition, type FailureMode } from '../workflow/render.js';
import { allStepNames, forwardPath, Steps, type StepName } from '../workflow/steps.js';
import { outputsOf, type RunEvent, type RunReport, type StepRecord } from './run-report.js';
import { retryDelaySeconds } from './retry-clock.js';

/** What the runner needs of the sandbox (sandbox/ implements it). */
export interface LocalSandbox {
  // biome-ignore lint/suspicious/noExplicitAny: SDK plugins are generic over every client's input and output types
  plugin: Pluggable<any, any>;
  orchestratorCredentials: AwsCredentialIdentity;
  clock: { now(): number; advance(seconds: number): void };
  metrics: { awsCalls: number };
  ensureWorldFor(request: OnboardingRequest): void | Promise<void>;
}

export type LocalMachine = FailureMode | 'rollback-only';

export interface LocalRunOptions {
  sandbox: LocalSandbox;
  /** Progress callback, called as states are entered, retried, done or failed. */
  onEvent?: (event: RunEvent) => void;
  /** Which definition to run; by default the request's `onFailure` picks it. */
  machine?: LocalMachine;
  /** Fault injection: these states time out as a Lambda would (States.Timeout) on their first attempt, before doing anything. */
  lambdaTimeoutIn?: readonly StepName[];
  /** Fault injection: these states do their work, then their Lambda crashes (Lambda.Unknown, not retried) on the first attempt. */
  crashAfter?: readonly StepName[];
  /** Fault injection: these Wait states take no simulated time (what if the machine did not wait?). */
  skipWaits?: readonly string[];
  /** Overrides the handlers bound to states (tests use it to observe or break a step). */
  // biome-ignore lint/suspicious/noExplicitAny: each handler has its own output type
  handlers?: Partial<Record<StepName, StepHandler<any>>>;
}

export type LocalRunResult = { kind: 'refused'; problems: RequestProblem[] } | { kind: 'ran'; report: RunReport };

const LOCAL_ACCOUNT = '000000000000';
const localFunctionArn = (step: StepName) => `arn:aws:lambda:us-east-1:${LOCAL_ACCOUNT}:function:fsx-onboard-${step}`;

// The interpreter validates a definition when it is constructed (100-300 ms): build each once.
const machines = new Map<LocalMachine, { definition: AslDefinition; machine: StateMachine }>();

export function localMachine(kind: LocalMachine): { definition: AslDefinition; machine: StateMachine } {
  let entry = machines.get(kind);
  if (!entry) {
    const definition =
      kind === 'rollback-only' ? renderRollbackDefinition({ functionArn: localFunctionArn }) : renderDefinition(kind, { functionArn: localFunctionArn });
    entry = { definition, machine: new StateMachine(definition as never, { validationOptions: { checkPaths: true, checkArn: true } }) };
    machines.set(kind, entry);
  }
  return entry;
}

/** Wait states of the forward path worth showing (poll pauses are shown through their polls). */
const pauseNames = new Set(forwardPath.filter((s) => s.kind === 'pause').map((s) => s.name));

const factories = new WeakMap<LocalSandbox, Map<string, ClientFactory>>();

function clientsFor(sandbox: LocalSandbox, region: string): ClientFactory {
  let byRegion = factories.get(sandbox);
  if (!byRegion) factories.set(sandbox, (byRegion = new Map()));
  let factory = byRegion.get(region);
  if (!factory) {
    factory = createClientFactory({ region, credentials: sandbox.orchestratorCredentials, plugins: [sandbox.plugin], clientConfig: sandboxClientConfig() });
    byRegion.set(region, factory);
  }
  return factory;
}

/**
 * Wait states take no real time locally: the interpreter reads each state's override when the
 * Wait runs, and this getter spends the state's Seconds on the virtual clock instead.
 */
function virtualWaits(definition: AslDefinition, clock: LocalSandbox['clock'], skip: readonly string[] = []): Record<string, number> {
  const overrides: Record<string, number> = {};
  const visit = (states: Record<string, Record<string, unknown>>) => {
    for (const [name, state] of Object.entries(states)) {
      if (state['Type'] === 'Wait') {
        const seconds = skip.includes(name) ? 0 : Number(state['Seconds'] ?? 0);
        Object.defineProperty(overrides, name, {
          enumerable: true,
          get: () => {
            clock.advance(seconds);
            return 0;
          },
        });
      }
      if (state['Type'] === 'Parallel') for (const b of state['Branches'] as { States: Record<string, Record<string, unknown>> }[]) visit(b.States);
    }
  };
  visit(definition.States as Record<string, Record<string, unknown>>);
  return overrides;
}

export async function runLocally(rawRequest: unknown, options: LocalRunOptions): Promise<LocalRunResult> {
  const validation = validateRequest(rawRequest);
  if (!validation.ok) return { kind: 'refused', problems: validation.problems };
  const request = validation.request;
  const { sandbox, onEvent } = options;
  await sandbox.ensureWorldFor(request);

  const kind: LocalMachine = options.machine ?? request.onFailure;
  const { definition, machine } = localMachine(kind);
  const deps = { clients: clientsFor(sandbox, request.region) };
  const wallStart = performance.now();
  const simStart = sandbox.clock.now();
  const awsCallsStart = sandbox.metrics.awsCalls;
  const records = new Map<string, StepRecord>();
  const lastError = new Map<string, string>();
  const timeoutsLeft = new Set(options.lambdaTimeoutIn ?? []);
  const crashesLeft = new Set(options.crashAfter ?? []);
  let lambdaInvocations = 0;
  let stateTransitions = 0;

  const record = (name: string): StepRecord => {
    let r = records.get(name);
    if (!r) records.set(name, (r = { name, status: 'running', attempts: 0, durationMs: 0, simulatedSeconds: 0 }));
    return r;
  };

  const bind = (name: StepName) => async (input: unknown) => {
    const step = options.handlers?.[name] ?? stepHandlers[name];
    const r = record(name);
    // Time the state machine would have spent before this call on a retry backoff.
    const previousError = lastError.get(name);
    const stepInput = input as Parameters<StepHandler>[0];
    if (previousError) sandbox.clock.advance(retryDelaySeconds(definition, name, previousError, r.failures ?? 1));
    lastError.delete(name);
    lambdaInvocations += 1;
    r.attempts += 1;
    const t0 = performance.now();
    const s0 = sandbox.clock.now();
    try {
      if (timeoutsLeft.delete(name)) {
        sandbox.clock.advance(Steps[name].timeoutSeconds);
        throw Object.assign(new Error(`${name} timed out after ${Steps[name].timeoutSeconds} s (injected)`), { name: 'States.Timeout' });
      }
      const output = await step(stepInput, deps);
      if (crashesLeft.delete(name)) {
        throw Object.assign(new Error(`${name}'s Lambda crashed after doing its work (injected): its result was lost`), { name: 'Lambda.Unknown' });
      }
      return output as never;
    } catch (error) {
      const errorName = error instanceof Error ? error.name : 'Error';
      lastError.set(name, errorName);
      r.failures = (r.failures ?? 0) + 1;
      r.lastError = errorName;
      r.lastCause = error instanceof Error ? error.message : String(error);
      // Lambda reports only errorType and errorMessage to Step Functions; pass on the same, so
      // that the interpreter (which prefers an Error's `cause`) shows the message as AWS would.
      throw Object.assign(new Error(r.lastCause), { name: errorName });
    } finally {
      r.durationMs += performance.now() - t0;
      r.simulatedSeconds += (sandbox.clock.now() - s0) / 1000;
    }
  };

  const taskResourceLocalHandlers = Object.fromEntries(allStepNames.map((n) => [n, bind(n)]));
  const execution = machine.run(rawRequest as never, {
    overrides: {
      taskResourceLocalHandlers,
      waitTimeOverrides: virtualWaits(definition, sandbox.clock, options.skipWaits),
      retryIntervalOverrides: Object.fromEntries(allStepNames.map((n) => [n, 0])),
    },
  });

  const lastOutputs: Record<string, unknown> = {};
  // Poll steps are entered once per check; announce each state once.
  const announced = new Set<string>();
  const caught = new Set<string>();
  let failure: { error: string; cause: string } | undefined;
  const consumeEvents = (async () => {
    for await (const event of execution.eventLogs) {
      const ev = event as {
        type: string;
        state?: { name: string; type: string; output?: unknown };
        Error?: string;
        Cause?: unknown;
        retry?: { attempt: number };
      };
      const wallMs = performance.now() - wallStart;
      const simulatedSeconds = (sandbox.clock.now() - simStart) / 1000;
      if (ev.type === 'StateEntered') stateTransitions += 1;
      if (ev.type === 'StateEntered' && ev.state && pauseNames.has(ev.state.name))
        onEvent?.({ kind: 'entered', step: ev.state.name, wallMs, simulatedSeconds });
      if (!ev.state || !(ev.state.name in Steps)) {
        if (ev.type === 'ExecutionFailed') failure = { error: String(ev.Error), cause: String(ev.Cause ?? '') };
        continue;
      }
      const name = ev.state.name;
      const r = record(name);
      if (ev.type === 'StateEntered' && !announced.has(name)) {
        announced.add(name);
        onEvent?.({ kind: 'entered', step: name, wallMs, simulatedSeconds });
      }
      if (ev.type === 'StateRetried')
        onEvent?.({
          kind: 'retried',
          step: name,
          wallMs,
          simulatedSeconds,
          error: r.lastError ?? 'Error',
          cause: r.lastCause ?? '',
          attempt: ev.retry?.attempt ?? 0,
        });
      if (ev.type === 'StateFailed') {
        r.status = 'failed';
        r.error = String(ev.Error);
        r.cause = String(ev.Cause ?? '');
      }
      if (ev.type === 'StateEntered') caught.delete(name);
      if (ev.type === 'StateCaught') {
        // A caught failure exits the state too: it stays failed, with the error the Catch saw.
        caught.add(name);
        r.status = 'failed';
        r.error = r.error ?? r.lastError ?? 'Error';
        r.cause = r.cause ?? r.lastCause ?? '';
        onEvent?.({ kind: 'failed', step: name, wallMs, simulatedSeconds, error: r.error, cause: r.cause });
      }
      if (ev.type === 'StateExited' && !caught.has(name)) {
        const out = ev.state.output as { steps?: Record<string, Record<string, unknown>> } | undefined;
        // ValidateRequest's output is the whole state; its own report sits under steps.ValidateRequest.
        const mine = name === 'ValidateRequest' ? (out?.steps?.[name] ?? {}) : out?.steps?.[name];
        if (mine) lastOutputs[name] = mine;
        const polling = Steps[name as StepName].poll && mine && mine['done'] !== true;
        if (!polling) {
          r.status = 'succeeded';
          delete r.error;
          delete r.cause;
          onEvent?.({ kind: 'done', step: name, wallMs, simulatedSeconds, record: r, output: mine });
        }
      }
    }
  })();

  let status: RunReport['status'] = 'SUCCEEDED';
  let finalState: unknown;
  try {
    finalState = await execution.result;
  } catch (error) {
    status = 'FAILED';
    const caught = (error as { cause?: { name?: string; message?: string } }).cause;
    failure ??= { error: caught?.name ?? 'ExecutionError', cause: caught?.message ?? String(error) };
  }
  await consumeEvents;
  if (status === 'FAILED') {
    // An uncaught failure ("stop" mode) never emits StateCaught: report it at the step that broke.
    for (const r of records.values())
      if (r.status === 'failed' && r.error && !caught.has(r.name))
        onEvent?.({
          kind: 'failed',
          step: r.name,
          wallMs: performance.now() - wallStart,
          simulatedSeconds: (sandbox.clock.now() - simStart) / 1000,
          error: r.error,
          cause: r.cause ?? '',
        });
  }

  const report: RunReport = {
    executionName: request.requestId,
    machine: kind,
    status,
    ...(failure ? { error: failure.error, cause: failure.cause } : {}),
    steps: [...records.values()],
    outputs: outputsOf(
      finalState ? ((finalState as { steps?: Record<string, Record<string, unknown>> }).steps ?? {}) : (lastOutputs as Record<string, Record<string, unknown>>),
    ),
    metrics: {
      stateTransitions,
      lambdaInvocations,
      awsCalls: sandbox.metrics.awsCalls - awsCallsStart,
      simulatedSeconds: Math.round((sandbox.clock.now() - simStart) / 1000),
      wallMs: Math.round(performance.now() - wallStart),
    },
    finalState: finalState ?? null,
  };
  return { kind: 'ran', report };
}
