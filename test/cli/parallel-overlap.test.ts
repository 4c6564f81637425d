// The local runner's clock is a scheduler: a Wait in one branch of a Parallel suspends that
// branch only, so the Parallel takes as long as its longest branch (as on AWS), not the sum.
import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import '../../cli/polyfills.js';
import { runAsProcess } from '../../cli/local/processes.js';
import { virtualWaits } from '../../cli/local/virtual-waits.js';
import type { AslDefinition } from '../../workflow/render.js';
import { freshSandbox } from '../e2e/helpers.js';

const task = (next?: string) => ({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', ...(next ? { Next: next } : { End: true }) });
/** These definitions' Waits all have fixed Seconds. */
const noSecondsPath = (state: string): number => {
  throw new Error(`${state} has no SecondsPath here`);
};
const wait = (seconds: number, next?: string) => ({ Type: 'Wait', Seconds: seconds, ...(next ? { Next: next } : { End: true }) });

const definition = {
  StartAt: 'Both',
  States: {
    Both: {
      Type: 'Parallel',
      Next: 'After',
      Branches: [
        { StartAt: 'A1', States: { A1: task('WaitA'), WaitA: wait(300, 'A2'), A2: task() } },
        { StartAt: 'B1', States: { B1: task('WaitB'), WaitB: wait(780, 'B2'), B2: task() } },
        // A branch that ends in its Wait: the Parallel still waits for it.
        { StartAt: 'C1', States: { C1: task('WaitC'), WaitC: wait(500) } },
      ],
    },
    After: task(),
  },
} as unknown as AslDefinition;

async function runIt() {
  const sandbox = await freshSandbox();
  const start = sandbox.clock.now();
  const seen: Record<string, number> = {};
  const handler = (name: string) => async () => {
    // A task's start is a turn, as in the runner's task binding (cli/local/task-binding.ts).
    await sandbox.scheduler.sleep(0);
    seen[name] = (sandbox.clock.now() - start) / 1000;
    return {};
  };
  const machine = new StateMachine(definition as never, { validationOptions: { noValidate: true } });
  const { execution, process } = runAsProcess(
    sandbox.scheduler,
    'overlap',
    machine,
    {},
    {
      overrides: {
        taskResourceLocalHandlers: Object.fromEntries(['A1', 'A2', 'B1', 'B2', 'C1', 'After'].map((n) => [n, handler(n)])),
        waitTimeOverrides: virtualWaits(definition, sandbox.scheduler, noSecondsPath),
      },
    },
  );
  await execution.result;
  return { seen, seconds: ((process.endedAt ?? 0) - start) / 1000 };
}

describe('Parallel branches on the local scheduler', () => {
  it('overlap their waits: the Parallel takes its longest branch (780 s), not the sum (1,580 s)', async () => {
    const { seen, seconds } = await runIt();
    expect(seen).toEqual({ A1: 0, B1: 0, C1: 0, A2: 300, B2: 780, After: 780 });
    expect(seconds).toBe(780);
  });

  it('a branch that ends in a Wait holds the Parallel until its wake-up', async () => {
    const shorter = structuredClone(definition) as unknown as { States: { Both: { Branches: { States: Record<string, { Seconds?: number }> }[] } } };
    // With B shortened below C's 500 s, C's trailing Wait is the longest branch.
    (shorter.States.Both.Branches[1] as { States: Record<string, { Seconds?: number }> }).States['WaitB']!.Seconds = 100;
    const sandbox = await freshSandbox();
    const start = sandbox.clock.now();
    let after = -1;
    const machine = new StateMachine(shorter as never, { validationOptions: { noValidate: true } });
    const noop = async () => {
      await sandbox.scheduler.sleep(0);
      return {};
    };
    const { execution } = runAsProcess(
      sandbox.scheduler,
      'trailing',
      machine,
      {},
      {
        overrides: {
          taskResourceLocalHandlers: {
            A1: noop,
            A2: noop,
            B1: noop,
            B2: noop,
            C1: noop,
            After: async () => {
              await sandbox.scheduler.sleep(0);
              after = (sandbox.clock.now() - start) / 1000;
              return {};
            },
          },
          waitTimeOverrides: virtualWaits(shorter as unknown as AslDefinition, sandbox.scheduler, noSecondsPath),
        },
      },
    );
    await execution.result;
    expect(after).toBe(500);
  });

  it('a failing branch fails the Parallel at once, as on AWS: the Catch does not wait for the other branch to wake', async () => {
    const failing = {
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          Next: 'After',
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Handled' }],
          Branches: [
            { StartAt: 'A1', States: { A1: task() } },
            { StartAt: 'B1', States: { B1: task('WaitB'), WaitB: wait(780, 'B2'), B2: task() } },
          ],
        },
        After: task(),
        Handled: task(),
      },
    } as unknown as AslDefinition;
    const sandbox = await freshSandbox();
    const start = sandbox.clock.now();
    const seen: Record<string, number> = {};
    const at =
      (name: string, fail = false) =>
      async () => {
        await sandbox.scheduler.sleep(fail ? 45 : 0);
        seen[name] = (sandbox.clock.now() - start) / 1000;
        if (fail) throw Object.assign(new Error('injected'), { name: 'Injected' });
        return {};
      };
    const machine = new StateMachine(failing as never, { validationOptions: { noValidate: true } });
    const { execution } = runAsProcess(
      sandbox.scheduler,
      'failing',
      machine,
      {},
      {
        overrides: {
          taskResourceLocalHandlers: { A1: at('A1', true), B1: at('B1'), B2: at('B2'), After: at('After'), Handled: at('Handled') },
          waitTimeOverrides: virtualWaits(failing, sandbox.scheduler, noSecondsPath),
        },
      },
    );
    await execution.result;
    expect(seen).toEqual({ B1: 0, A1: 0.045, Handled: 0.045 });
  });
});
