// Runs the same ASL that is deployed to Step Functions on aws-local-stepfunctions, with each
// Task bound by state name to its real handler and every AWS client bound to the sandbox.
// Waits and retry pauses advance the sandbox's virtual clock instead of sleeping.
import './polyfills.js';
import { StateMachine } from 'aws-local-stepfunctions';
import type { AwsCredentialIdentity, Pluggable } from '@smithy/types';
import type { Scheduler } from '../sandbox/scheduler.js';
import type { FloorQuery } from '../sandbox/floor.js';
import { sandboxClientFactory } from './local/sandbox-clients.js';
import { validateRequest, type OnboardingRequest, type RequestProblem } from '../core/request.js';
import type { StepHandler } from '../lambdas/shared/step-deps.js';
import { stepHandlers } from '../lambdas/registry.js';
import { OFFBOARD_INPUT, pollOfPause, renderDefinition, renderRollbackDefinition, type AslDefinition, type FailureMode } from '../workflow/render.js';
import { allStepNames, type Segment, type StepName } from '../workflow/steps.js';
import { outputsOf, type Moment, type RunEvent, type RunReport } from './run-report.js';
import { followEvents, type WaitRecord } from './local/execution-events.js';
import { StepRecords } from './local/step-records.js';
import { bindTasks, type BoundTasks } from './local/task-binding.js';
import { virtualWaits } from './local/virtual-waits.js';
import { localExecutionArn } from './local/execution-arn.js';
import { runAsProcess } from './local/processes.js';

/** What the runner needs of the sandbox (sandbox/ implements it). */
interface LocalSandbox {
  // biome-ignore lint/suspicious/noExplicitAny: SDK plugins are generic over every client's input and output types
  plugin: Pluggable<any, any>;
  orchestratorCredentials: AwsCredentialIdentity;
  clock: { now(): number; advance(seconds: number): void };
  scheduler: Scheduler;
  ensureWorldFor(request: OnboardingRequest): void | Promise<void>;
  /** The run's floor: what the world itself spends creating what it created and landing the export. */
  floorSeconds?(query: FloorQuery): number;
}

export type LocalMachine = FailureMode | 'rollback-only';

export interface LocalRunOptions {
  sandbox: LocalSandbox;
  /** Progress callback, called as states are entered, retried, done or failed. */
  onEvent?: (event: RunEvent) => void;
  /** Which definition to run; by default the request's `onFailure` picks it. */
  machine?: LocalMachine;
  /** `rollback-only`: keep the file system (offboarding): the machine gets the request wrapped with the flag. */
  keepFileSystem?: boolean;
  /** rollback-only: remove only the link of the repository at this fileSystemPath (the file system, with keepFileSystem false, only if no other link is left). */
  repository?: string;
  /** Fault injection: these states' functions time out on their first attempt, before doing anything (Sandbox.Timedout; retried). */
  lambdaTimeoutIn?: readonly StepName[];
  /** Fault injection: these states do their work, then their Lambda crashes on the first attempt (Lambda.Unknown; the retry finds the work done). */
  crashAfter?: readonly StepName[];
  /** Fault injection: these Wait states take no simulated time (what if the machine did not wait?). */
  skipWaits?: readonly string[];
  /** Runs the forward path in another order than the deployed one (the benchmark's blog order). */
  forwardPath?: Segment[];
  /** Overrides the handlers bound to states (tests use it to observe or break a step). */
  // biome-ignore lint/suspicious/noExplicitAny: each handler has its own output type
  handlers?: Partial<Record<StepName, StepHandler<any>>>;
}

export type LocalRunResult = { kind: 'refused'; problems: RequestProblem[] } | { kind: 'ran'; report: RunReport };

const LOCAL_ACCOUNT = '000000000000';
const localFunctionArn = (step: StepName) => `arn:aws:lambda:us-east-1:${LOCAL_ACCOUNT}:function:fsx-onboard-${step}`;

// Each definition is built once per process. The interpreter would validate it on construction
// (100-300 ms, with asl-validator); it is generated code, validated with the same options
// (checkPaths, checkArn) for each variant at test time (test/workflow/definition.test.ts).
type LocalDefinition = { definition: AslDefinition; machine: StateMachine };
const machines = new Map<LocalMachine, LocalDefinition>();
const otherOrders = new WeakMap<Segment[], Map<LocalMachine, LocalDefinition>>();

function cacheFor(forwardPath: Segment[] | undefined): Map<LocalMachine, LocalDefinition> {
  if (!forwardPath) return machines;
  let cache = otherOrders.get(forwardPath);
  if (!cache) otherOrders.set(forwardPath, (cache = new Map()));
  return cache;
}

function localMachine(kind: LocalMachine, forwardPath?: Segment[]): LocalDefinition {
  const cache = cacheFor(forwardPath);
  let entry = cache.get(kind);
  if (!entry) {
    const definition =
      kind === 'rollback-only'
        ? renderRollbackDefinition({ functionArn: localFunctionArn })
        : renderDefinition(kind, { functionArn: localFunctionArn, ...(forwardPath ? { forwardPath } : {}) });
    entry = { definition, machine: new StateMachine(definition as never, { validationOptions: { noValidate: true } }) };
    cache.set(kind, entry);
  }
  return entry;
}

/** A poll's pause lasts what the check before it asked for, as its SecondsPath reads it on AWS. */
function pollPauseSeconds(tasks: BoundTasks): (state: string) => number {
  return (state) => {
    const poll = pollOfPause(state);
    const seconds = poll ? (tasks.lastOutput(poll) as { waitSeconds?: unknown } | undefined)?.waitSeconds : undefined;
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0)
      throw new Error(`${state}: the check before it gave no waitSeconds (a non-negative integer), so the Wait cannot tell how long to pause`);
    return seconds;
  };
}

function floorQuery(report: RunReport, request: OnboardingRequest, since: number): FloorQuery {
  const { outputs } = report;
  const associationIds = (outputs.repositories ?? []).flatMap((r) => (r.dataRepositoryAssociationId ? [r.dataRepositoryAssociationId] : []));
  return { ...(outputs.fileSystemId ? { fileSystemId: outputs.fileSystemId } : {}), associationIds, since, exportMode: request.testExport.mode };
}

export async function runLocally(rawRequest: unknown, options: LocalRunOptions): Promise<LocalRunResult> {
  const validation = validateRequest(rawRequest);
  if (!validation.ok) return { kind: 'refused', problems: validation.problems };
  const request = validation.request;
  const { sandbox, onEvent } = options;
  await sandbox.ensureWorldFor(request);

  const kind: LocalMachine = options.machine ?? request.onFailure;
  const { definition, machine } = localMachine(kind, options.forwardPath);
  // An execution that starts while others run gets clients of its own (see sandbox-clients.ts).
  // Lock leases are read on the sandbox's clock, as DynamoDB's on AWS are on the real one.
  const deps = {
    clients: sandboxClientFactory(sandbox, request.region, sandbox.scheduler.busy() ? request.requestId : undefined),
    now: () => sandbox.clock.now(),
  };
  const wallStart = performance.now();
  const simStart = sandbox.clock.now();
  const timingOf = (m: Moment) => ({ wallMs: m.wallMs - wallStart, simulatedSeconds: (m.simMs - simStart) / 1000 });
  const now = (): Moment => ({ wallMs: performance.now(), simMs: sandbox.clock.now() });
  const timing = () => timingOf(now());
  const records = new StepRecords();
  const tasks = bindTasks({
    definition,
    clock: sandbox.clock,
    scheduler: sandbox.scheduler,
    handlers: { ...stepHandlers, ...options.handlers },
    deps,
    records,
    lambdaTimeoutIn: options.lambdaTimeoutIn,
    crashAfter: options.crashAfter,
  });
  const waits = new Map<string, WaitRecord>();
  const input =
    kind === 'rollback-only' && (options.keepFileSystem || options.repository !== undefined)
      ? {
          [OFFBOARD_INPUT.request]: rawRequest,
          [OFFBOARD_INPUT.deleteFileSystem]: !options.keepFileSystem,
          ...(options.repository !== undefined ? { [OFFBOARD_INPUT.repository]: options.repository } : {}),
        }
      : rawRequest;
  const { execution, process } = runAsProcess(sandbox.scheduler, request.requestId, machine, input as never, {
    overrides: {
      taskResourceLocalHandlers: tasks.handlers,
      waitTimeOverrides: virtualWaits(definition, sandbox.scheduler, pollPauseSeconds(tasks), options.skipWaits, (state, seconds) =>
        waits.set(state, { at: now(), seconds }),
      ),
      retryIntervalOverrides: Object.fromEntries(allStepNames.map((n) => [n, 0])),
    },
    // Poll states read $$.Execution.RedriveCount; a local run is never a redrive (resume starts over).
    // Locking steps read $$.Execution.Id: the owner of the locks they take.
    context: { Execution: { Id: localExecutionArn(request.region, kind, request.requestId), Name: request.requestId, RedriveCount: 0 } },
  });
  const following = followEvents(execution.eventLogs, records, { now: timing, of: timingOf }, onEvent, waits);

  let status: RunReport['status'] = 'SUCCEEDED';
  let finalState: unknown;
  let thrown: { error: string; cause: string } | undefined;
  try {
    finalState = await execution.result;
  } catch (error) {
    status = 'FAILED';
    const cause = (error as { cause?: { name?: string; message?: string } }).cause;
    thrown = { error: cause?.name ?? 'ExecutionError', cause: cause?.message ?? String(error) };
  }
  const followed = await following;
  const failure = followed.failure ?? thrown;
  if (status === 'FAILED') {
    // An uncaught failure ("stop" mode) never emits StateCaught: report it at the step that broke.
    for (const r of records.all())
      if (r.status === 'failed' && r.error && !followed.caught.has(r.name))
        onEvent?.({ kind: 'failed', step: r.name, ...timing(), error: r.error, cause: r.cause ?? '' });
  }

  const report: RunReport = {
    executionName: request.requestId,
    machine: kind,
    status,
    ...(failure ? { error: failure.error, cause: failure.cause } : {}),
    steps: records.all(),
    outputs: outputsOf(finalState ? ((finalState as { steps?: Record<string, Record<string, unknown>> }).steps ?? {}) : followed.lastOutputs, request),
    metrics: {
      stateTransitions: followed.stateTransitions,
      lambdaInvocations: tasks.invocations(),
      awsCalls: process.awsCalls,
      // When this execution ended: with others running in the same world, the clock may be past it.
      simulatedSeconds: Math.round(((process.endedAt ?? sandbox.clock.now()) - simStart) / 1000),
      wallMs: Math.round(performance.now() - wallStart),
    },
    finalState: finalState ?? null,
  };
  if (status === 'SUCCEEDED' && sandbox.floorSeconds) report.metrics.floorSeconds = sandbox.floorSeconds(floorQuery(report, request, simStart));
  return { kind: 'ran', report };
}
