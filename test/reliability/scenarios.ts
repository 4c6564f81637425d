// Failure scenarios shared by the reliability tests (small counts) and `npm run
// bench:reliability` (full counts). Each runs on fresh in-memory sandboxes and reports whether
// the run behaved as it must and how its end state differs from the expected one.
import { renderDefinition } from '../../workflow/render.js';
import { CreateFileSystemCommand } from '@aws-sdk/client-fsx';
import type { RunReport } from '../../cli/run-report.js';
import { stepHandlers } from '../../lambdas/registry.js';
import { createClientFactory } from '../../lambdas/shared/clients.js';
import { everyClient } from '../../lambdas/shared/every-client.js';
import { serviceLinkedRoleArn } from '../../core/naming.js';
import type { OnboardingRequest } from '../../core/request.js';
import type { StepHandler } from '../../lambdas/shared/step-deps.js';
import type { Sandbox } from '../../sandbox/index.js';
import { forwardStepNames, Steps, type StepName, type TaskStep } from '../../workflow/steps.js';
import { freshSandbox, parsed, run } from '../e2e/helpers.js';
import { diffStates, endState, withoutIds, type EndState } from './world-state.js';

export interface Outcome {
  label: string;
  /** The run behaved as the scenario requires (succeeded, or failed where and how it should). */
  succeeded: boolean;
  /** Why it did not, when it did not. */
  problem?: string;
  /** Differences between the expected end state and the actual one. */
  diff: string[];
}

type Raw = Record<string, any>;

/** Forward steps that change something in an account (each has a compensation). */
export const mutatingSteps = forwardStepNames.filter((n) => (Steps[n] as TaskStep).compensation !== undefined);

/** The AWS call each mutating step makes to change the world: where a permanent failure bites. */
const changingCall: Partial<Record<StepName, string>> = {
  PutBucketAccessPolicy: 's3:PutBucketPolicy',
  ShareKey: 'kms:PutKeyPolicy',
  // After the write-ahead change record: rollback must delete that parameter too.
  SetDefaultEncryption: 's3:PutBucketEncryption',
  CreateFileSystem: 'fsx:CreateFileSystem',
  CreateDataRepositoryAssociation: 'fsx:CreateDataRepositoryAssociation',
  NarrowBucketPolicy: 's3:PutBucketPolicy',
  CreateGrant: 'kms:CreateGrant',
  // After the S3-side canary is put: rollback must delete that object too.
  StartTestExport: 'ssm:SendCommand',
};

/** Deletions (file system, DRA) finish on the virtual clock: let them complete before comparing. */
export const SETTLE_SECONDS = 3600;

export function withStop(raw: Raw, onFailure: 'stop' | 'rollback' = 'stop'): Raw {
  return { ...structuredClone(raw), onFailure };
}

/**
 * Makes `operation` fail permanently (AccessDenied from the sandbox) while `step` runs, and
 * only then, so the compensations that use the same operation still work.
 */
export function failWhileRunning(sandbox: Sandbox, step: StepName, operation: string, code = 'AccessDenied'): Partial<Record<StepName, StepHandler<any>>> {
  const handler: StepHandler<any> = async (input, deps) => {
    const previous = sandbox.faults;
    sandbox.faults = {
      ...previous,
      permanent: { ...previous.permanent, [operation]: { code, message: `injected permanent failure of ${operation}`, httpStatusCode: 403 } },
    };
    try {
      return await (stepHandlers[step] as StepHandler<any>)(input, deps);
    } finally {
      sandbox.faults = previous;
    }
  };
  return { [step]: handler };
}

/** A file system made before the onboarding (untagged), for `existingFileSystemId`. */
export async function preexistingFileSystem(sandbox: Sandbox, raw: Raw): Promise<string> {
  const request = parsed(raw);
  await sandbox.ensureWorldFor(request);
  const clients = createClientFactory({
    clients: everyClient,
    region: request.region,
    credentials: sandbox.orchestratorCredentials,
    plugins: [sandbox.plugin],
  });
  const { fsx } = clients.forTarget('fileSystem', request.fileSystem.accountId);
  const { FileSystem } = await fsx.send(
    new CreateFileSystemCommand({
      FileSystemType: 'LUSTRE',
      FileSystemTypeVersion: '2.15',
      StorageCapacity: 1200,
      SubnetIds: request.fileSystem.subnetIds,
      SecurityGroupIds: request.fileSystem.securityGroupIds,
      LustreConfiguration: { DeploymentType: 'PERSISTENT_2', PerUnitStorageThroughput: 125 },
    }),
  );
  sandbox.clock.advance(SETTLE_SECONDS);
  return FileSystem!.FileSystemId!;
}

const cleanStates = new Map<string, EndState>();

/** The end state of a clean onboarding of `raw` on a fresh sandbox (memoised). */
export async function cleanEndState(raw: Raw): Promise<EndState> {
  const key = JSON.stringify({ ...raw, onFailure: undefined });
  let state = cleanStates.get(key);
  if (!state) {
    const sandbox = await freshSandbox();
    const report = await run(raw, sandbox);
    if (report.status !== 'SUCCEEDED') throw new Error(`clean run failed: ${report.error}: ${report.cause}`);
    state = endState(sandbox, parsed(raw));
    cleanStates.set(key, state);
  }
  return state;
}

const failedAt = (report: RunReport) => report.steps.filter((s) => s.status === 'failed').map((s) => s.name);
// A caught failure is followed by the compensations, so the step's record keeps its last error.
const deniedAt = (report: RunReport) => report.steps.filter((s) => /^AccessDenied/.test(s.lastError ?? '')).map((s) => s.name);
const outcome = (label: string, problem: string | undefined, diff: string[]): Outcome => ({
  label,
  succeeded: !problem,
  ...(problem ? { problem } : {}),
  diff,
});

/** (a) An onboarding with `rate` transient faults on every call succeeds through Retry alone. */
export async function underTransientFaults(raw: Raw, seed: number, rate = 0.2): Promise<Outcome> {
  const expected = await cleanEndState(raw);
  const sandbox = await freshSandbox();
  sandbox.faults = { transientRate: rate, seed };
  const report = await run(raw, sandbox);
  sandbox.faults = {};
  const problem = report.status === 'SUCCEEDED' ? undefined : `${report.error}: ${report.cause}`;
  return outcome(`transient ${rate * 100}% seed ${seed}`, problem, diffStates(expected, endState(sandbox, parsed(raw))));
}

/** (b) A permanent failure at `step` with onFailure "rollback" leaves the accounts as before. */
export async function rollbackAfterFailureAt(raw: Raw, step: StepName, options: { adopt?: boolean } = {}): Promise<Outcome> {
  const sandbox = await freshSandbox();
  const document = withStop(raw, 'rollback');
  if (options.adopt) document['fileSystem'].existingFileSystemId = await preexistingFileSystem(sandbox, raw);
  const request = parsed(document);
  await sandbox.ensureWorldFor(request);
  const before = endState(sandbox, request);
  // Adopting makes no call that changes anything: break its read, so the failure is still at this step.
  const operation = options.adopt && step === 'CreateFileSystem' ? 'fsx:DescribeFileSystems' : changingCall[step]!;
  const report = await run(document, sandbox, { handlers: failWhileRunning(sandbox, step, operation) });
  sandbox.clock.advance(SETTLE_SECONDS);
  let problem: string | undefined;
  if (report.status !== 'FAILED' || !/^AccessDenied/.test(report.error ?? '')) problem = `expected AccessDenied, got ${report.status} ${report.error ?? ''}`;
  else if (deniedAt(report).join() !== step) problem = `failed at ${deniedAt(report).join(', ')}, not ${step}`;
  else if (!/left behind: \{\}$/.test(report.cause ?? '')) problem = `rollback incomplete: ${report.cause}`;
  const expected = options.adopt ? withAdoptedServiceLinkedRole(before, step, request) : before;
  return outcome(`rollback at ${step}${options.adopt ? ' (adopted file system)' : ''}`, problem, diffStates(expected, endState(sandbox, request)));
}

/**
 * FSx creates AWSServiceRoleForFSxS3Access_<fs-id> when it first links the file system to S3
 * (here: the DRA) and deletes it only with the file system; IAM refuses to delete it while the
 * file system exists. An adopted file system is never deleted, so its SLR rightly stays.
 */
function withAdoptedServiceLinkedRole(before: EndState, step: StepName, request: OnboardingRequest): EndState {
  const linked = forwardStepNames.indexOf(step) > forwardStepNames.indexOf('CreateDataRepositoryAssociation');
  if (!linked) return before;
  const slr = withoutIds(serviceLinkedRoleArn('aws', request.fileSystem.accountId, request.fileSystem.existingFileSystemId!));
  return { ...before, serviceLinkedRoles: [...before.serviceLinkedRoles, slr] };
}

/** (c) The same failure with onFailure "stop", then the fault fixed and the request resumed. */
export async function stopThenResume(raw: Raw, step: StepName): Promise<Outcome> {
  const expected = await cleanEndState(raw);
  const sandbox = await freshSandbox();
  const document = withStop(raw);
  const stopped = await run(document, sandbox, { handlers: failWhileRunning(sandbox, step, changingCall[step]!) });
  let problem: string | undefined;
  if (stopped.status !== 'FAILED' || failedAt(stopped).join() !== step)
    problem = `expected to stop at ${step}, got ${stopped.status} at ${failedAt(stopped).join(', ')}`;
  // `fsx-onboard resume` re-runs the recorded request: the same document, on the same world.
  const resumed = await run(document, sandbox);
  if (!problem && resumed.status !== 'SUCCEEDED') problem = `resume failed: ${resumed.error}: ${resumed.cause}`;
  return outcome(`stop at ${step}, resume`, problem, diffStates(expected, endState(sandbox, parsed(document))));
}

/** (c') A stopped run undone on demand by the rollback machine (`fsx-onboard rollback`). */
export async function stopThenRollback(raw: Raw, step: StepName): Promise<Outcome> {
  const sandbox = await freshSandbox();
  const document = withStop(raw);
  const request = parsed(document);
  await sandbox.ensureWorldFor(request);
  const before = endState(sandbox, request);
  await run(document, sandbox, { handlers: failWhileRunning(sandbox, step, changingCall[step]!) });
  const undone = await run(document, sandbox, { machine: 'rollback-only' });
  sandbox.clock.advance(SETTLE_SECONDS);
  const problem = undone.status === 'SUCCEEDED' ? undefined : `rollback failed: ${undone.error}: ${undone.cause}`;
  return outcome(`stop at ${step}, rollback`, problem, diffStates(before, endState(sandbox, request)));
}

/**
 * (d) A Lambda that crashes after doing its work (result lost, Lambda.Unknown). The state's
 * Retry runs the step again, which must find the work done and do nothing twice; then the
 * whole request runs again and must change nothing more.
 */
export async function crashThenRerun(raw: Raw, step: StepName): Promise<Outcome> {
  const expected = await cleanEndState(raw);
  const sandbox = await freshSandbox();
  const document = withStop(raw);
  // A poll step runs once per check: the crash costs exactly one invocation more than a clean run.
  const clean = await run(document, await freshSandbox());
  const cleanAttempts = clean.steps.find((s) => s.name === step)?.attempts ?? 0;
  const crashed = await run(document, sandbox, { crashAfter: [step] });
  const record = crashed.steps.find((s) => s.name === step);
  let problem: string | undefined;
  if (crashed.status !== 'SUCCEEDED') problem = `the retry after the crash did not converge: ${crashed.status} ${crashed.error ?? ''}: ${crashed.cause ?? ''}`;
  else if (record?.attempts !== cleanAttempts + 1)
    problem = `expected ${step} to run once more than in a clean run (${cleanAttempts} + the retry), got ${record?.attempts ?? 0}`;
  const afterRetry = diffStates(expected, endState(sandbox, parsed(document)));
  if (!problem && afterRetry.length) problem = `the retry left a different end state: ${afterRetry.join('; ')}`;
  const rerun = await run(document, sandbox);
  if (!problem && rerun.status !== 'SUCCEEDED') problem = `re-run failed: ${rerun.error}: ${rerun.cause}`;
  return outcome(`crash after ${step}, retry, re-run`, problem, diffStates(expected, endState(sandbox, parsed(document))));
}

/** Invocations a step gets when it is throttled every time: one try plus the Retry policy's MaxAttempts for throttling. */
export function attemptsWhenAlwaysThrottled(): number {
  const retry = renderDefinition('stop').States['StartTestExport']!['Retry'] as { ErrorEquals: string[]; MaxAttempts: number }[];
  return 1 + retry.find((r) => r.ErrorEquals.includes('ThrottlingException'))!.MaxAttempts;
}
