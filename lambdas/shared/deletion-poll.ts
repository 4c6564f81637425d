// The shape both deletion polls share: describe each resource a delete step started deleting,
// fail on FAILED (with FSx's FailureDetails), and report done once none is found any more.
import { OnboardingError, type ErrorName } from '../../core/errors.js';
import { pollCount } from './step-support.js';
import type { StepInput } from '../../core/step-io.js';
import type { DeletionPollOutput, OutputStepName } from '../../core/step-outputs.js';

interface Deletable {
  Lifecycle?: string | undefined;
  FailureDetails?: { Message?: string | undefined } | undefined;
}

export async function pollUntilDeleted(
  input: StepInput,
  step: OutputStepName,
  ids: readonly string[],
  what: { noun: string; failedError: ErrorName; describe: (id: string) => Promise<Deletable | undefined> },
): Promise<DeletionPollOutput> {
  const poll = pollCount(input, step);
  const remaining: string[] = [];
  for (const id of ids) {
    const resource = await what.describe(id);
    if (!resource) continue;
    if (resource.Lifecycle === 'FAILED')
      throw new OnboardingError(what.failedError, `Deleting ${what.noun} ${id} failed: ${resource.FailureDetails?.Message ?? 'FSx gave no details'}`);
    remaining.push(id);
  }
  const done = remaining.length === 0;
  if (!done) poll.giveUpIfNotDone(`${what.noun}(s) ${remaining.join(', ')} to be deleted`);
  return { done, ...poll.counted, remaining };
}
