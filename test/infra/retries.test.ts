// Function timeout < Task timeout, and every way an attempt can lose its result is retried: read
// from what is deployed (the synthesized functions and state machine definitions), for every Task.
import { beforeAll, describe, expect, it } from 'vitest';
import { functionDescription } from '../../infra/task-functions.js';
import { ErrorNames } from '../../core/errors.js';
import { interruptedAttemptErrorNames } from '../../workflow/retry-policy.js';
import { allStepNames, INVOKE_MARGIN_SECONDS, Steps, type StepName } from '../../workflow/steps.js';
import { resolveIntrinsics, synthesize, type Json, type Synthesized } from './synth.js';

interface Retrier {
  ErrorEquals: string[];
  MaxAttempts?: number;
  IntervalSeconds?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
}
interface TaskState {
  Type: string;
  Resource?: string;
  TimeoutSeconds?: number;
  Retry?: Retrier[];
  Parameters?: Record<string, unknown>;
  Branches?: { States: Record<string, TaskState> }[];
}

let synth: Synthesized;
let resources: Record<string, { Type: string; Properties: Record<string, Json> }>;

beforeAll(() => {
  synth = synthesize();
  resources = synth.orchestratorTemplate.toJSON()['Resources'];
});

/** Every Task of every deployed machine, with the step whose function it invokes. */
function deployedTasks(): { machine: string; state: string; step: StepName; task: TaskState }[] {
  const stepOfFunction = new Map<string, StepName>();
  for (const [id, r] of Object.entries(resources)) {
    const step = allStepNames.find((s) => r.Type === 'AWS::Lambda::Function' && r.Properties['Description'] === functionDescription(s));
    if (step) stepOfFunction.set(`getatt:${id}.Arn`, step);
  }
  const pseudo = { partition: 'aws', region: synth.config.region, account: synth.config.orchestratorAccount };
  const found: { machine: string; state: string; step: StepName; task: TaskState }[] = [];
  for (const r of Object.values(resources).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine')) {
    let text = resolveIntrinsics(r.Properties['DefinitionString']!, pseudo) as string;
    const substitutions = resolveIntrinsics(r.Properties['DefinitionSubstitutions']!, pseudo) as Record<string, string>;
    for (const [key, value] of Object.entries(substitutions)) text = text.split(`\${${key}}`).join(value);
    const visit = (states: Record<string, TaskState>) => {
      for (const [state, task] of Object.entries(states)) {
        if (task.Type === 'Parallel') for (const b of task.Branches ?? []) visit(b.States);
        if (task.Type !== 'Task') continue;
        const step = stepOfFunction.get(task.Resource ?? '');
        expect(step, `${state} invokes one of the step functions`).toBeDefined();
        found.push({ machine: String(r.Properties['StateMachineName']), state, step: step!, task });
      }
    };
    visit((JSON.parse(text) as { States: Record<string, TaskState> }).States);
  }
  return found;
}

const functionTimeout = (step: StepName): number => {
  const fn = Object.values(resources).find((r) => r.Type === 'AWS::Lambda::Function' && r.Properties['Description'] === functionDescription(step))!;
  return fn.Properties['Timeout'] as number;
};

describe('timeouts and retries', () => {
  it('covers every step in some machine', () => {
    expect(new Set(deployedTasks().map((t) => t.step))).toEqual(new Set(allStepNames));
  });

  it("times each function out before its Task, by the invoke margin, so the state sees the function's own error", () => {
    for (const { machine, state, step, task } of deployedTasks()) {
      const where = `${machine} ${state}`;
      expect(task.TimeoutSeconds, where).toBe(Steps[step].timeoutSeconds);
      expect(functionTimeout(step) + INVOKE_MARGIN_SECONDS, where).toBeLessThanOrEqual(task.TimeoutSeconds!);
      expect(functionTimeout(step), where).toBeGreaterThanOrEqual(3);
    }
  });

  it('retries a function timeout, a crash, a client-side Invoke timeout and a state timeout on every Task', () => {
    expect(interruptedAttemptErrorNames).toEqual(['Sandbox.Timedout', 'Lambda.Unknown', 'Lambda.ClientExecutionTimeoutException', 'States.Timeout']);
    for (const { machine, state, task } of deployedTasks()) {
      for (const error of interruptedAttemptErrorNames) {
        // Step Functions uses the first retrier whose ErrorEquals names the error.
        const retrier = (task.Retry ?? []).find((r) => r.ErrorEquals.includes(error) || r.ErrorEquals.includes('States.ALL'));
        expect(retrier, `${machine} ${state} retries ${error}`).toBeDefined();
        expect(retrier!.MaxAttempts ?? 3, `${machine} ${state} ${error}`).toBeGreaterThanOrEqual(1);
      }
    }
  });

  it('bounds the time interrupted attempts can take: each costs at most the Task timeout', () => {
    for (const { machine, state, task } of deployedTasks()) {
      const retrier = task.Retry!.find((r) => r.ErrorEquals.includes('Sandbox.Timedout'))!;
      // One try plus the retries, each up to TimeoutSeconds: under 10 minutes per state.
      expect((1 + retrier.MaxAttempts!) * task.TimeoutSeconds!, `${machine} ${state}`).toBeLessThanOrEqual(600);
    }
  });

  it('keeps every Retry block well-formed: each error in one retrier only, sane numbers, States.ALL last if at all', () => {
    for (const { machine, state, task } of deployedTasks()) {
      const where = `${machine} ${state}`;
      const retry = task.Retry ?? [];
      expect(retry.length, where).toBeGreaterThan(0);
      const names = retry.flatMap((r) => r.ErrorEquals);
      // Step Functions takes the first retrier naming an error: a second one for it never runs.
      expect(new Set(names).size, `${where} ${names.join(',')}`).toBe(names.length);
      // ASL: States.ALL must be alone in the last retrier.
      retry.forEach((r, i) => {
        if (r.ErrorEquals.includes('States.ALL')) expect([i, r.ErrorEquals.length], where).toEqual([retry.length - 1, 1]);
        expect(r.MaxAttempts ?? 3, where).toBeGreaterThanOrEqual(1);
        expect(r.IntervalSeconds ?? 1, where).toBeGreaterThanOrEqual(1);
        expect(r.BackoffRate ?? 2, where).toBeGreaterThanOrEqual(1);
        if (r.MaxDelaySeconds !== undefined) expect(r.MaxDelaySeconds, where).toBeGreaterThanOrEqual(r.IntervalSeconds ?? 1);
      });
    }
  });

  it('never retries an error a step raises on purpose, except the propagation wait and lock contention', () => {
    // A PollTimedOut retried would extend the poll bound; a KeyNotUsable retried would repeat a refusal.
    // A lock held by another execution, or a write the re-read did not show whole, clears when the other writer is done.
    const retriedOnPurpose = new Set<string>([ErrorNames.PrincipalNotYetPropagated, ErrorNames.ResourceLocked, ErrorNames.SharedDocumentChanged]);
    for (const { machine, state, task } of deployedTasks()) {
      const names = new Set((task.Retry ?? []).flatMap((r) => r.ErrorEquals));
      for (const own of Object.values(ErrorNames)) expect(names.has(own) && !retriedOnPurpose.has(own), `${machine} ${state} retries ${own}`).toBe(false);
    }
  });

  it('hands every poll Task the redrive count, so a redrive gets a full poll budget', () => {
    const polls = deployedTasks().filter(({ step }) => 'poll' in Steps[step]);
    expect(new Set(polls.map((p) => p.step)).size).toBeGreaterThanOrEqual(6);
    for (const { machine, state, task } of polls)
      expect(task.Parameters?.['poll'], `${machine} ${state}`).toMatchObject({ 'redriveCount.$': '$$.Execution.RedriveCount' });
  });
});
