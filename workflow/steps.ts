// The onboarding as a typed list of steps. State names are a contract: ops see them in the
// console and redrive from them, and the local runner binds handlers to them.
import type { LockedDocument } from '../core/resource-locks.js';
import type { TypicalDuration } from './poll-schedule.js';

/** Where a step acts: A owns the file system, B the bucket, C the key. */
export type StepAccount = 'A' | 'B' | 'C' | 'orchestrator';

export interface PollSpec {
  /** Seconds between checks within the work's typical duration (every check, for a poll without one). */
  delaySeconds: number;
  /** Checks before the step fails with PollTimedOut (workflow/poll-schedule.ts pollBoundSeconds: how long that is). */
  maxAttempts: number;
  /**
   * How long the awaited work typically takes from its start: the check after the first waits
   * out the minimum, and checks back off past the maximum (workflow/poll-schedule.ts). The
   * handler may know better (a file system's type) and says so in its `waitSeconds`.
   */
  typical?: TypicalDuration;
}

export interface TaskStep {
  name: string;
  summary: string;
  accounts: readonly StepAccount[];
  /** Changes something in an account; then it names the compensation that undoes it. */
  compensation?: string;
  /** A poll step: its handler returns `{ done }` and the machine loops through a Wait. */
  poll?: PollSpec;
  /** A compensation that starts a deletion names the poll that waits for it to finish. */
  followedBy?: string;
  /** Task timeout (the state's TimeoutSeconds); the Lambda function's timeout is set below it. */
  timeoutSeconds: number;
  /**
   * The shared document the step reads, changes and writes whole, under a lock in the
   * orchestrator's lock table (so its accounts include `orchestrator`); the state passes it
   * the execution and state name as the lock's owner.
   */
  lockedDocument?: LockedDocument;
  /**
   * Acts on each of the request's repositories in turn (a compensation in reverse order), each on
   * its own bucket, key, path and names (lambdas/shared/per-repository.ts); the others act on the
   * one file system.
   */
  perRepository?: boolean;
}

/**
 * Seconds the Task timeout leaves above the function's: the Invoke call's own latency (a cold
 * start, Lambda's queueing). A function that runs out of time then fails with its own error
 * (`Sandbox.Timedout`, with its log's request id) before the state's TimeoutSeconds, and
 * States.Timeout is left for an Invoke that hangs beyond that margin.
 */
export const INVOKE_MARGIN_SECONDS = 10;

/** The Lambda function's timeout for a step: its Task timeout less the invoke margin. */
export const functionTimeoutSeconds = (step: StepName): number => Math.max(3, Steps[step].timeoutSeconds - INVOKE_MARGIN_SECONDS);

const task = (name: string, summary: string, accounts: readonly StepAccount[], extra: Partial<TaskStep> = {}): TaskStep => ({
  name,
  summary,
  accounts,
  timeoutSeconds: 120,
  ...extra,
});

export const Steps = {
  ValidateRequest: task(
    'ValidateRequest',
    'Checks the request, the key (symmetric, enabled, same region), the bucket (region, objects under other keys, the default-encryption change it will make), that its statements fit in the bucket and key policies, and an adopted file system before anything changes.',
    ['A', 'B', 'C'],
  ),
  CheckClientInstance: task(
    'CheckClientInstance',
    "Reads the Lustre client's instance type and whether it encrypts in transit (lustre-client mode); refuses a client that does not exist, or lacks encryption in transit the request requires, before anything changes.",
    ['A'],
  ),
  PutBucketAccessPolicy: task(
    'PutBucketAccessPolicy',
    'Adds bucket statements allowing the FSx SLRs of account A (by ARN pattern) and the DRA-creating role; shared statements (bucket.access "file-systems-of-account") record this request\'s reliance first.',
    ['B', 'orchestrator'],
    { compensation: 'RemoveBucketAccess', lockedDocument: 'bucket-policy', perRepository: true },
  ),
  ShareKey: task(
    'ShareKey',
    "Adds the blog's key-policy statements: key use for accounts A and B via S3 for this bucket, grants by A's file-system role; shared statements record this request's reliance first.",
    ['C', 'orchestrator'],
    { compensation: 'UnshareKey', lockedDocument: 'key-policy', perRepository: true },
  ),
  SetDefaultEncryption: task(
    'SetDefaultEncryption',
    'Sets SSE-KMS default encryption with the full key ARN, recording the previous configuration first.',
    ['B', 'orchestrator'],
    { compensation: 'RestoreDefaultEncryption', lockedDocument: 'bucket-encryption', perRepository: true },
  ),
  CreateFileSystem: task('CreateFileSystem', 'Creates the file system (or adopts an existing one); legacy types are linked to S3 here.', ['A'], {
    compensation: 'DeleteFileSystem',
  }),
  // PERSISTENT_2's ~10 minutes (577 s measured, terraform-provider-aws #22291); the handler knows other types' and a key's.
  WaitForFileSystem: task('WaitForFileSystem', 'Polls until the file system is AVAILABLE; FAILED or MISCONFIGURED stops with its FailureDetails.', ['A'], {
    poll: { delaySeconds: 60, maxAttempts: 40, typical: { min: 540, max: 900 } },
  }),
  CreateDataRepositoryAssociation: task(
    'CreateDataRepositoryAssociation',
    'Links the bucket prefix at fileSystemPath (PERSISTENT_2); FSx checks S3 access with this role.',
    ['A'],
    { compensation: 'DeleteDataRepositoryAssociation', perRepository: true },
  ),
  WaitForDataRepositoryAssociation: task(
    'WaitForDataRepositoryAssociation',
    'Polls until the association is AVAILABLE; FAILED or MISCONFIGURED stops with its FailureDetails.',
    ['A'],
    // 5 to 13 minutes from when FSx starts on it (~810 s measured, terraform-provider-aws #22291); over an hour with a large import.
    { poll: { delaySeconds: 60, maxAttempts: 40, typical: { min: 300, max: 780 } }, perRepository: true },
  ),
  WaitForServiceLinkedRole: task('WaitForServiceLinkedRole', 'Polls IAM until AWSServiceRoleForFSxS3Access_<fs-id> exists at its service path.', ['A'], {
    poll: { delaySeconds: 10, maxAttempts: 60 },
  }),
  NarrowBucketPolicy: task(
    'NarrowBucketPolicy',
    "Replaces the pattern principal in this request's bucket statements with the exact SLR ARN (shared statements keep the pattern).",
    ['B', 'orchestrator'],
    { compensation: 'RemoveBucketAccess', lockedDocument: 'bucket-policy', perRepository: true },
  ),
  CreateGrant: task(
    'CreateGrant',
    "From account A, grants the SLR the blog's KMS operations on the key(s); the grant token travels to the export check.",
    ['A'],
    {
      compensation: 'RevokeGrant',
      perRepository: true,
    },
  ),
  StartTestExport: task('StartTestExport', 'Writes and archives a canary through a Lustre client, or starts an EXPORT_TO_REPOSITORY task.', ['A', 'B'], {
    compensation: 'CleanUpTestExport',
    perRepository: true,
  }),
  WaitForTestExport: task(
    'WaitForTestExport',
    'Polls `lfs hsm_action` until NOOP, then reads the S3-side canary once FSx has imported it; or polls the export task until it ends and reports what it exported.',
    ['A'],
    {
      // The canary's archive and the S3-side canary's auto-import take about a minute (docs/sandbox.md, assumptions).
      poll: { delaySeconds: 15, maxAttempts: 36, typical: { min: 60, max: 300 } },
      perRepository: true,
    },
  ),
  // A poll only while a failure waits for its CloudTrail evidence (delivered ~5 min after the call).
  VerifyExport: task(
    'VerifyExport',
    'Proves the export landed encrypted with the key and that decrypt works, or reports access analysis; names CloudTrail denials.',
    ['A', 'B', 'C'],
    { poll: { delaySeconds: 60, maxAttempts: 16 }, perRepository: true },
  ),
  RemoveTestExport: task(
    'RemoveTestExport',
    "Deletes the canaries (and the export task's report) once the export is proven; every file system on the prefix would otherwise import each onboarding's test files.",
    ['B'],
    { perRepository: true },
  ),

  // C too: after a refused revoke it reads the key policy to tell whether a grant can exist.
  RevokeGrant: task('RevokeGrant', "From account A, revokes this request's grants, found by name.", ['A', 'C'], { perRepository: true }),
  CleanUpTestExport: task('CleanUpTestExport', "Deletes this request's canary objects and export report from the bucket.", ['A', 'B'], { perRepository: true }),
  RemoveBucketAccess: task(
    'RemoveBucketAccess',
    "Removes this request's bucket statements by Sid, leaving every other statement; shared statements only when no other onboarding relies on them.",
    ['B', 'orchestrator'],
    { lockedDocument: 'bucket-policy', perRepository: true },
  ),
  DeleteDataRepositoryAssociation: task(
    'DeleteDataRepositoryAssociation',
    "Deletes the association this request created (not the file system's data).",
    ['A'],
    {
      followedBy: 'WaitForDataRepositoryAssociationDeletion',
      perRepository: true,
    },
  ),
  WaitForDataRepositoryAssociationDeletion: task('WaitForDataRepositoryAssociationDeletion', 'Polls until the association is gone.', ['A'], {
    poll: { delaySeconds: 30, maxAttempts: 60 },
    perRepository: true,
  }),
  DeleteFileSystem: task('DeleteFileSystem', 'Deletes the file system if this request created it; never an adopted one.', ['A'], {
    followedBy: 'WaitForFileSystemDeletion',
  }),
  WaitForFileSystemDeletion: task('WaitForFileSystemDeletion', 'Polls until the file system is gone.', ['A'], { poll: { delaySeconds: 60, maxAttempts: 60 } }),
  RestoreDefaultEncryption: task(
    'RestoreDefaultEncryption',
    'Puts back the recorded default encryption if it is still the one this request set and no other onboarding relies on it.',
    ['B', 'orchestrator'],
    { lockedDocument: 'bucket-encryption', perRepository: true },
  ),
  UnshareKey: task(
    'UnshareKey',
    "Removes this request's key-policy statements by Sid; shared statements only when no other onboarding relies on them.",
    ['C', 'orchestrator'],
    { lockedDocument: 'key-policy', perRepository: true },
  ),
} as const satisfies Record<string, TaskStep>;

export type StepName = keyof typeof Steps;

/** A Wait in the forward path, for a delay AWS documents but offers no way to observe. */
export interface PauseSegment {
  kind: 'pause';
  name: string;
  summary: string;
  seconds: number;
}

/** What a branch of a Parallel runs, in order: steps and pauses. */
type BranchItem = StepName | PauseSegment;

/** A part of the forward path: steps in order, branches run side by side, or a pause. */
export type Segment = { kind: 'sequence'; steps: StepName[] } | { kind: 'parallel'; name: string; summary: string; branches: BranchItem[][] } | PauseSegment;

/**
 * KMS: a new grant takes effect "usually in less than five minutes"; until then only callers
 * that present its grant token may use it, and FSx (acting as the SLR) cannot. Exporting at
 * once could be denied and reported as a failure, so the machine waits that long first. It
 * waits on re-runs too: a run that crashed right after CreateGrant leaves a grant that looks
 * old to the next run but may not have propagated.
 */
const grantPropagation: PauseSegment = {
  kind: 'pause',
  name: 'WaitForGrantPropagation',
  summary: 'Waits five minutes for the grant to propagate: FSx cannot present the grant token, so it can use the grant only once KMS has propagated it.',
  seconds: 300,
};

/**
 * The forward path, its critical path the file system's and the association's creation and the
 * export. The bucket statement comes first because FSx checks S3 access when a legacy linked
 * file system or a DRA is created; the key share and the file system then proceed side by side.
 * The association is requested while the file system is still CREATING (FSx starts on it once
 * the file system is AVAILABLE), and its request creates the SLR: so the SLR's narrowed bucket
 * statement, its grant and the grant's propagation all happen while FSx is still creating.
 */
export const forwardPath: Segment[] = [
  { kind: 'sequence', steps: ['ValidateRequest', 'CheckClientInstance', 'PutBucketAccessPolicy'] },
  {
    kind: 'parallel',
    name: 'PrepareKeyAndFileSystem',
    summary: 'Key share and encryption proceed while the file system is requested.',
    branches: [['ShareKey', 'SetDefaultEncryption'], ['CreateFileSystem']],
  },
  { kind: 'sequence', steps: ['CreateDataRepositoryAssociation'] },
  {
    kind: 'parallel',
    name: 'GrantWhileCreating',
    summary:
      'While FSx creates the file system and then the association, the SLR (created with the association request) gets its narrowed bucket statement and its grant, and the grant propagates.',
    branches: [
      ['WaitForFileSystem', 'WaitForDataRepositoryAssociation'],
      ['WaitForServiceLinkedRole', 'NarrowBucketPolicy', 'CreateGrant', grantPropagation],
    ],
  },
  { kind: 'sequence', steps: ['StartTestExport', 'WaitForTestExport', 'VerifyExport', 'RemoveTestExport'] },
];

/** The steps of a part of the forward path, in order (a Parallel's branch by branch). */
const segmentSteps = (segment: Segment): StepName[] =>
  segment.kind === 'sequence' ? segment.steps : segment.kind === 'parallel' ? segment.branches.flat().filter((item) => typeof item === 'string') : [];

/** The forward path's pauses, wherever they are (on their own or in a branch). */
export const forwardPauses: PauseSegment[] = forwardPath.flatMap((segment) =>
  segment.kind === 'pause' ? [segment] : segment.kind === 'parallel' ? segment.branches.flat().filter((item) => typeof item !== 'string') : [],
);

/**
 * The forward steps before the first change: they only read, a failure there has nothing to
 * roll back (no Catch into the compensation chain), and a run that ends in one was refused.
 */
export const beforeAnyChange = ['ValidateRequest', 'CheckClientInstance'] as const satisfies readonly StepName[];

export const forwardStepNames: StepName[] = forwardPath.flatMap(segmentSteps);

export const allStepNames = Object.keys(Steps) as StepName[];

/**
 * Compensations in reverse order of the forward steps they undo, derived from each step's
 * `compensation` (a compensation shared by two steps runs once, at the later step's place),
 * each followed by the poll that waits for its deletion. Every one is idempotent and finds its
 * target by the request's Sids, grant name and tags, so the whole chain runs after any failure
 * and skips what was never done.
 */
export const rollbackPath: StepName[] = [...forwardStepNames]
  .reverse()
  .flatMap((name): StepName[] => {
    const step: TaskStep = Steps[name];
    if (!step.compensation) return [];
    const compensation = Steps[step.compensation as StepName] as TaskStep;
    return compensation.followedBy ? [step.compensation as StepName, compensation.followedBy as StepName] : [step.compensation as StepName];
  })
  .filter((name, i, all) => all.indexOf(name) === i);

/** Folder of a state's handler, `lambdas/<folder>/handler.ts`: `CreateGrant` → `create-grant`. */
export const handlerFolder = (name: StepName): string => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
