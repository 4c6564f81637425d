// A step of one link, run for every repository of the request. The state machine stays one
// path: a per-repository step (workflow/steps.ts `perRepository`) does its work once per
// repository, each time on that repository's view of the state (linkInput): its bucket, key and
// path in the request's link fields, its names, accounts and roles in the context, its own
// earlier results in `steps`. So every link has its own statements, key share, default
// encryption, association, grant and canary, and every compensation undoes only its own link's.
import { linkRequest } from '../../core/link-request.js';
import type { StepInput, StepResults } from '../../core/step-io.js';
import type { OutputStepName } from '../../core/step-outputs.js';
import { rollbackPath, Steps, type StepName } from '../../workflow/steps.js';

/** Where a per-repository step keeps each repository's result, beside repositories[0]'s fields. */
export interface PerRepositoryResult<O> {
  repositories?: O[];
}

function repositoryCount(input: StepInput): number {
  return input.request.repositories?.length ?? 1;
}

/** A per-repository step's result for one repository, or the result of a step of the whole file system. */
function linkSteps(steps: StepResults, index: number): StepResults {
  const view: Record<string, unknown> = {};
  for (const [name, result] of Object.entries(steps)) {
    const perRepository = (result as PerRepositoryResult<unknown> | undefined)?.repositories;
    const own = Array.isArray(perRepository) ? perRepository[index] : result;
    if (own !== undefined) view[name] = own;
  }
  return view as StepResults;
}

/** The context without the first link's shared statement groups (each link has its own, if any). */
function withoutShared(context: StepInput['context']): StepInput['context'] {
  const { shared: _shared, ...rest } = context;
  return rest;
}

/** The state as the link of `repositories[index]` sees it. */
export function linkInput<I extends StepInput>(input: I, index: number): I {
  if (repositoryCount(input) <= 1) return input;
  const link = input.context.repositories?.[index];
  const { context } = input;
  return {
    ...input,
    request: linkRequest(input.request, index),
    context: link
      ? {
          ...withoutShared(context),
          names: link.names,
          accounts: { ...context.accounts, ...link.accounts },
          roleArns: { ...context.roleArns, ...link.roleArns },
          ...(link.shared ? { shared: link.shared } : {}),
        }
      : context,
    steps: linkSteps(input.steps, index),
  };
}

interface PollResult {
  done?: boolean;
  attempts?: number;
  waitSeconds?: number;
}

/**
 * One result of several repositories' results: repositories[0]'s fields (what a one-repository
 * request reports, and what readers of one link read), `changed` when any changed, `done` when
 * all are, the next check when the soonest not-done one wants it, and every repository's own under `repositories`.
 */
function combine<O extends object>(outputs: O[], poll: boolean): O & PerRepositoryResult<O> {
  const first = outputs[0]!;
  const combined: Record<string, unknown> = { ...first, repositories: outputs };
  if ('changed' in first) combined['changed'] = outputs.some((o) => (o as { changed?: boolean }).changed === true);
  if (poll) {
    combined['done'] = outputs.every((o) => (o as PollResult).done === true);
    combined['attempts'] = Math.max(...outputs.map((o) => (o as PollResult).attempts ?? 0));
    // The next check comes when the soonest of the repositories still waited on is due.
    const waits = outputs.filter((o) => (o as PollResult).done !== true).map((o) => (o as PollResult).waitSeconds ?? 0);
    if (waits.length) combined['waitSeconds'] = Math.min(...waits);
  }
  return combined as O & PerRepositoryResult<O>;
}

/**
 * `step` for every repository, when the state is a per-repository one: forward in the
 * request's order, compensations in reverse (the last link made is the first undone). A poll
 * checks only the repositories not done yet. A request of one repository runs `step` as it is.
 */
export function forState<In extends StepInput, D, O extends object>(
  name: StepName,
  step: (input: In, deps: D) => Promise<O>,
): (input: In, deps: D) => Promise<O | (O & PerRepositoryResult<O>)> {
  const spec: { perRepository?: boolean; poll?: unknown } = Steps[name];
  if (!spec.perRepository) return step;
  const poll = spec.poll !== undefined;
  const reverse = rollbackPath.includes(name);
  return async (input, deps) => {
    const count = repositoryCount(input);
    if (count <= 1) return step(input, deps);
    const order = [...Array(count).keys()];
    if (reverse) order.reverse();
    const outputs: O[] = new Array(count);
    for (const index of order) {
      const view = linkInput(input, index);
      const previous = view.steps[name as OutputStepName] as (O & PollResult) | undefined;
      outputs[index] = poll && previous?.done === true ? previous : await step(view, deps);
    }
    return combine(outputs, poll);
  };
}
