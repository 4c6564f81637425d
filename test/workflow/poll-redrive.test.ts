// A redrive after a poll timeout gets the whole poll budget again. Step Functions redrives a
// failed execution by re-running the failed state with the input it had (RedriveExecution docs),
// and that input holds the count the timed-out poll had spent. Each rendered poll loop runs here
// on the ASL interpreter, with the real poll counter (pollCount) behind its Task, once as the
// first run and then as redrives ($$.Execution.RedriveCount 1 and 2).
import '../../cli/polyfills.js';
import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import type { StepInput } from '../../core/step-io.js';
import type { OutputStepName } from '../../core/step-outputs.js';
import { pollCount } from '../../lambdas/shared/step-support.js';
import type { AslDefinition, AslState } from '../../workflow/asl.js';
import { renderDefinition, renderRollbackDefinition } from '../../workflow/render.js';
import { allStepNames, Steps, type StepName } from '../../workflow/steps.js';

const pollSteps = allStepNames.filter((n) => (Steps[n] as { poll?: unknown }).poll) as (StepName & OutputStepName)[];
const maxAttemptsOf = (step: StepName) => (Steps[step] as unknown as { poll: { maxAttempts: number } }).poll.maxAttempts;
const localArn = (step: StepName) => `arn:aws:lambda:us-east-1:000000000000:function:${step}`;

/** Every state of the deployed definitions, Parallel branches included. */
function renderedStates(): Record<string, AslState> {
  const all: Record<string, AslState> = {};
  const visit = (states: Record<string, AslState>) => {
    for (const [name, state] of Object.entries(states)) {
      all[name] ??= state;
      for (const branch of (state['Branches'] as { States: Record<string, AslState> }[] | undefined) ?? []) visit(branch.States);
    }
  };
  for (const d of [
    renderDefinition('stop', { functionArn: localArn }),
    renderDefinition('rollback', { functionArn: localArn }),
    renderRollbackDefinition({ functionArn: localArn }),
  ])
    visit(d.States);
  return all;
}

/** The step's rendered poll loop (Task → Choice → Wait → Task) alone, ending in a Succeed once done. */
function pollLoop(step: StepName): AslDefinition {
  const states = renderedStates();
  const { Catch: _catch, ...task } = states[step]!;
  const check = states[`${step}Done`]! as { Choices: Record<string, unknown>[] };
  return {
    Comment: `${step} poll loop`,
    StartAt: step,
    States: {
      [step]: task,
      [`${step}Done`]: { ...check, Choices: check.Choices.map((c) => ({ ...c, Next: 'Finished' })) },
      [`${step}Pause`]: states[`${step}Pause`]!,
      Finished: { Type: 'Succeed' },
    },
  };
}

/**
 * Runs the loop with a check that is never done, until it gives up. Returns how many checks ran
 * and the failed state's input (what a redrive starts from).
 */
async function runUntilGivenUp(step: StepName & OutputStepName, input: unknown, redriveCount: number) {
  let checks = 0;
  let lastInput: StepInput | undefined;
  const machine = new StateMachine(pollLoop(step) as never, { validationOptions: { checkPaths: true, checkArn: true } });
  const execution = machine.run(input as never, {
    overrides: {
      taskResourceLocalHandlers: {
        [step]: async (event: unknown) => {
          checks += 1;
          lastInput = event as StepInput;
          const poll = pollCount(lastInput, step);
          poll.giveUpIfNotDone('something that never happens');
          return { done: false, ...poll.counted } as never;
        },
      },
      waitTimeOverrides: { [`${step}Pause`]: 0 },
    },
    context: { Execution: { Name: 'redrive-test', RedriveCount: redriveCount } },
  });
  const failure = await execution.result.then(
    () => undefined,
    (e: { cause?: { name?: string; message?: string } }) => e.cause,
  );
  const { request, context, steps } = lastInput!;
  return { checks, failure, failedStateInput: { request, context, steps } };
}

describe('poll budget after a redrive', () => {
  it('covers every poll step', () => {
    expect(pollSteps.length).toBeGreaterThanOrEqual(6);
  });

  it.each(pollSteps)('%s: the first run and each redrive get maxAttempts checks before PollTimedOut', async (step) => {
    const max = maxAttemptsOf(step);
    const first = await runUntilGivenUp(step, { request: {}, context: {}, steps: {} }, 0);
    expect(first.checks).toBe(max);
    expect(first.failure).toMatchObject({ name: 'PollTimedOut', message: expect.stringContaining(`gave up after ${max} checks`) });
    // What the redrive starts from: the count spent so far, written by the last successful check.
    expect((first.failedStateInput.steps as Record<string, { attempts: number }>)[step]!.attempts).toBe(max - 1);

    const redrive = await runUntilGivenUp(step, first.failedStateInput, 1);
    expect([redrive.checks, redrive.failure?.name]).toEqual([max, 'PollTimedOut']);
    const again = await runUntilGivenUp(step, redrive.failedStateInput, 2);
    expect([again.checks, again.failure?.name]).toEqual([max, 'PollTimedOut']);
  });

  it('counts on within one run: a retried check after a redrive keeps that redrive’s count', () => {
    const step = 'WaitForFileSystem';
    const input = (steps: Record<string, unknown>, redriveCount: number) =>
      ({ request: {}, context: {}, steps, poll: { delaySeconds: 30, maxAttempts: 5, redriveCount } }) as unknown as StepInput;
    expect(pollCount(input({}, 0), step).counted).toEqual({ attempts: 1, waitSeconds: 30 });
    expect(pollCount(input({ [step]: { done: false, attempts: 3 } }, 0), step).counted).toEqual({ attempts: 4, waitSeconds: 30 });
    expect(pollCount(input({ [step]: { done: false, attempts: 4 } }, 1), step).counted).toEqual({ attempts: 1, redriveCount: 1, waitSeconds: 30 });
    expect(pollCount(input({ [step]: { done: false, attempts: 2, redriveCount: 1 } }, 1), step).counted).toEqual({
      attempts: 3,
      redriveCount: 1,
      waitSeconds: 30,
    });
  });
});
