// The two guards of every read-modify-write of a shared document: the lock that keeps other
// executions from interleaving between the read and the write (resource-lock.ts), and the
// proof, from a fresh read after the write, that the document holds this step's change and
// every statement that was there before. A proof that fails is SharedDocumentChanged (someone
// wrote without the lock, or a write was lost): the state machine retries the step, which
// reads again and writes again, rather than reporting a success that is not there.
import { ErrorNames, OnboardingError } from '../../core/errors.js';
import { partitionOf } from '../../core/partition.js';
import { lockResourceOf } from '../../core/resource-locks.js';
import type { StepInput } from '../../core/step-io.js';
import { missingStatements } from '../../policy/documents.js';
import type { PolicyDocument, PolicyStatement } from '../../policy/types.js';
import { Steps, type StepName } from '../../workflow/steps.js';
import { lockOwnerOf, lockSettingsFor, withResourceLock } from './resource-lock.js';
import type { StepDeps } from './step-deps.js';

/** The ARN of the resource whose document `step` edits. */
function resourceArnOf(input: StepInput, step: StepName): string {
  return Steps[step].lockedDocument === 'key-policy' ? input.request.key.arn : `arn:${partitionOf(input.request.region)}:s3:::${input.request.bucket.name}`;
}

/** Runs `work` (the step's read, change, write and proof) holding the lock on the document `step` edits. */
export function underDocumentLock<T>(step: StepName, input: StepInput, deps: StepDeps<'dynamodb'>, work: () => Promise<T>): Promise<T> {
  const document = Steps[step].lockedDocument;
  if (!document) throw new Error(`${step} names no lockedDocument in workflow/steps.ts`);
  return withResourceLock(lockSettingsFor(deps), lockResourceOf(document, resourceArnOf(input, step)), lockOwnerOf(input), work);
}

export interface PolicyExpectation {
  /** What the write put in: each must be there, with the same meaning. */
  present: readonly PolicyStatement[];
  /** Sids the write took out: none may be there. */
  absentSids?: readonly string[];
  /** The document as read before the write: all its statements but ours must still be there. */
  before: PolicyDocument | undefined;
  /** Sids of this request's statements (changed or removed on purpose, so not kept from `before`). */
  ownSids: readonly string[];
}

/** Proves a re-read policy (undefined: none) against what the write meant to leave. */
export function provePolicy(after: PolicyDocument | undefined, what: string, expected: PolicyExpectation): void {
  const problems: string[] = [];
  const missingOurs = missingStatements(after, [...expected.present]);
  if (missingOurs.length) problems.push(`this request's ${missingOurs.map((s) => s.Sid ?? '(no Sid)').join(', ')} missing`);
  const stillThere = (expected.absentSids ?? []).filter((sid) => after?.Statement.some((s) => s.Sid === sid));
  if (stillThere.length) problems.push(`${stillThere.join(', ')} still present`);
  const others = (expected.before?.Statement ?? []).filter((s) => !s.Sid || !expected.ownSids.includes(s.Sid));
  const lost = missingStatements(after, others);
  if (lost.length) problems.push(`${lost.length} statement(s) of others lost (${lost.map((s) => s.Sid ?? '(no Sid)').join(', ')})`);
  if (problems.length)
    throw new OnboardingError(
      ErrorNames.SharedDocumentChanged,
      `${what} read back after this write does not hold what it should: ${problems.join('; ')}. Something changed it without the lock; the state machine retries the step, which reads and writes it again`,
    );
}
