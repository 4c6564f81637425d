import validator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { functionArnPlaceholder, renderDefinition, renderRollbackDefinition, type AslDefinition } from '../../workflow/render.js';
import { allStepNames, forwardStepNames, rollbackPath, Steps, type PollSpec, type StepName } from '../../workflow/steps.js';
import { pollBoundSeconds } from '../../workflow/poll-schedule.js';

type State = Record<string, unknown>;
const localArn = (s: StepName) => `arn:aws:lambda:us-east-1:000000000000:function:fsx-onboard-${s}`;

/** Every state, including those inside Parallel branches. */
function flatten(states: Record<string, State>): Record<string, State> {
  const all: Record<string, State> = {};
  for (const [name, state] of Object.entries(states)) {
    all[name] = state;
    if (state['Type'] === 'Parallel') for (const b of state['Branches'] as { States: Record<string, State> }[]) Object.assign(all, flatten(b.States));
  }
  return all;
}
const tasks = (def: AslDefinition) => Object.entries(flatten(def.States as Record<string, State>)).filter(([, s]) => s['Type'] === 'Task');

describe('the state machine definition', () => {
  const variants: [string, AslDefinition][] = [
    ['rollback', renderDefinition('rollback', { functionArn: localArn })],
    ['stop', renderDefinition('stop', { functionArn: localArn })],
    ['rollback machine', renderRollbackDefinition({ functionArn: localArn })],
  ];

  it.each(variants)('is valid ASL for asl-validator (%s)', (_name, def) => {
    const result = validator(structuredClone(def) as never, { checkArn: true, checkPaths: true });
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it.each(variants)('gives every Task a Retry with BackoffRate >= 1 and a timeout (%s)', (_name, def) => {
    for (const [name, state] of tasks(def)) {
      const retry = state['Retry'] as { BackoffRate: number; ErrorEquals: string[] }[];
      expect(retry, name).toBeDefined();
      expect(retry.length, name).toBeGreaterThan(0);
      for (const r of retry) expect(r.BackoffRate, name).toBeGreaterThanOrEqual(1);
      expect(state['TimeoutSeconds'], name).toBeGreaterThan(0);
    }
  });

  it('retries throttling, OperationAborted and IAM/KMS propagation errors', () => {
    const def = renderDefinition('rollback');
    const retried = (state: string) =>
      (flatten(def.States as Record<string, State>)[state]!['Retry'] as { ErrorEquals: string[] }[]).flatMap((r) => r.ErrorEquals);
    expect(retried('CreateGrant')).toEqual(
      expect.arrayContaining(['ThrottlingException', 'OperationAborted', 'InvalidArnException', 'PrincipalNotYetPropagated', 'Lambda.ServiceException']),
    );
  });

  it('binds every Task to the state of the same name (placeholders by default)', () => {
    for (const [name, state] of tasks(renderDefinition('rollback'))) expect(state['Resource']).toBe(functionArnPlaceholder(name as StepName));
    const names = tasks(renderDefinition('rollback'))
      .map(([n]) => n)
      .sort();
    expect(names).toEqual([...allStepNames].sort());
  });

  it('routes every mutating step to the rollback chain in "rollback" mode', () => {
    const def = renderDefinition('rollback');
    const top = def.States as Record<string, State>;
    const parallel = top['PrepareKeyAndFileSystem']!;
    expect((parallel['Catch'] as { Next: string }[])[0]!.Next).toBe('RollbackStarted');
    for (const name of forwardStepNames) {
      if (!Steps[name].compensation || !top[name]) continue;
      const catches = top[name]!['Catch'] as { ErrorEquals: string[]; Next: string }[];
      expect(catches, name).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'RollbackStarted' }]);
    }
  });

  it('has a compensation for every mutating step, each in the rollback chain', () => {
    for (const name of forwardStepNames) {
      const compensation = (Steps[name] as { compensation?: StepName }).compensation;
      if (compensation) expect(rollbackPath, name).toContain(compensation);
    }
    const mutating = forwardStepNames.filter((n) => (Steps[n] as { compensation?: string }).compensation);
    expect(mutating).toEqual(
      expect.arrayContaining([
        'PutBucketAccessPolicy',
        'ShareKey',
        'SetDefaultEncryption',
        'CreateFileSystem',
        'CreateDataRepositoryAssociation',
        'NarrowBucketPolicy',
        'CreateGrant',
      ]),
    );
  });

  it('runs compensations in reverse order of the steps they undo', () => {
    const order = forwardStepNames.map((n) => (Steps[n] as { compensation?: StepName }).compensation).filter((c): c is StepName => !!c);
    const firstUse = [...new Set(order.reverse())];
    const chain = rollbackPath.filter((n) => firstUse.includes(n));
    expect(chain).toEqual(firstUse);
  });

  it('has no Catch at all in "stop" mode, so the execution fails at the broken step and can be redriven', () => {
    const def = renderDefinition('stop');
    for (const [name, state] of Object.entries(flatten(def.States as Record<string, State>))) expect(state['Catch'], name).toBeUndefined();
    expect(def.States['RollbackStarted']).toBeUndefined();
  });

  it('bounds every poll loop, its pause reading when to check next from the check', () => {
    const def = renderDefinition('rollback');
    const all = flatten(def.States as Record<string, State>);
    for (const name of allStepNames.filter((n) => (Steps[n] as { poll?: unknown }).poll)) {
      const poll = (Steps[name] as { poll: PollSpec }).poll;
      expect(pollBoundSeconds(poll.delaySeconds, poll.maxAttempts, poll.typical), name).toBeLessThanOrEqual(3 * 60 * 60);
      expect(all[name]!['Parameters']).toMatchObject({ poll: { delaySeconds: poll.delaySeconds, maxAttempts: poll.maxAttempts } });
      expect(all[`${name}Pause`]).toEqual({ Type: 'Wait', SecondsPath: `$.steps.${name}.waitSeconds`, Next: name });
    }
    expect(def.TimeoutSeconds).toBeGreaterThan(0);
  });

  it('waits for the new grant to propagate before the test export, in both variants', () => {
    for (const mode of ['rollback', 'stop'] as const) {
      const states = flatten(renderDefinition(mode).States as Record<string, State>);
      expect(states['CreateGrant']).toMatchObject({ Next: 'WaitForGrantPropagation' });
      // KMS: "usually in less than five minutes"; FSx cannot present the grant token. The pause
      // ends its branch of the Parallel, which the test export follows.
      expect(states['WaitForGrantPropagation']).toEqual({ Type: 'Wait', Comment: expect.any(String), Seconds: 300, End: true });
      expect(states['GrantWhileCreating']).toMatchObject({ Type: 'Parallel', Next: 'StartTestExport' });
    }
  });

  it('overlaps the grant with the creations: the association is requested before the file system is AVAILABLE', () => {
    const states = renderDefinition('rollback').States as Record<string, State>;
    expect(states['PrepareKeyAndFileSystem']).toMatchObject({ Next: 'CreateDataRepositoryAssociation' });
    expect(states['CreateDataRepositoryAssociation']).toMatchObject({ Next: 'GrantWhileCreating' });
    const [creations, grant] = states['GrantWhileCreating']!['Branches'] as { StartAt: string; States: Record<string, State> }[];
    expect(creations!.StartAt).toBe('WaitForFileSystem');
    expect(Object.keys(creations!.States)).toContain('WaitForDataRepositoryAssociation');
    expect(grant!.StartAt).toBe('WaitForServiceLinkedRole');
    expect(Object.keys(grant!.States)).toEqual(expect.arrayContaining(['NarrowBucketPolicy', 'CreateGrant', 'WaitForGrantPropagation']));
  });

  it('ends a rolled-back run in a Fail state that carries the original error and what was left behind', () => {
    const def = renderDefinition('rollback');
    expect(def.States['RolledBack']).toEqual({ Type: 'Fail', Comment: expect.any(String), ErrorPath: '$.error', CausePath: '$.cause' });
    expect(JSON.stringify(def.States['ReportRollback'])).toContain('$.leftBehind');
  });
});
