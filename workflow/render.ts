// Renders the typed step list to Amazon States Language. Pure: the same JSON is deployed by
// infra/ (with function ARNs substituted) and run locally by cli/.
import type { AslDefinition, AslState } from './asl.js';
import { retryPolicy } from './retry-policy.js';
import { beforeAnyChange, forwardPath, rollbackPath, Steps, type PauseSegment, type Segment, type StepName, type TaskStep } from './steps.js';

/**
 * "rollback": every forward step catches into the compensation chain.
 * "stop": no Catch at all, so a failure fails the execution AT the broken step and
 * RedriveExecution restarts there (a Catch that ends in a Fail state would redrive into the Fail).
 */
export type FailureMode = 'rollback' | 'stop';

export type { AslDefinition } from './asl.js';

/** Placeholder the CDK stack substitutes with each function's ARN. */
export const functionArnPlaceholder = (step: StepName): string => `\${${step}FunctionArn}`;

export interface RenderOptions {
  /** Resource of each Task; placeholders by default. */
  functionArn?: (step: StepName) => string;
  /** The forward path to render; the deployed one by default (a benchmark renders the blog's sequential order). */
  forwardPath?: Segment[];
}

const ROLLBACK_STARTED = 'RollbackStarted';
const REPORT_ROLLBACK = 'ReportRollback';
const ROLLED_BACK = 'RolledBack';
const ONBOARDED = 'Onboarded';
const ROLLBACK_DONE = 'RollbackComplete';
const ROLLBACK_INCOMPLETE = 'RollbackIncomplete';
const CHECK_LEFT_BEHIND = 'CheckLeftBehind';

// Whole-execution bound: the slowest documented provisioning plus every poll bound would
// exceed a day only if something is stuck; a day keeps a stuck run from billing forever.
const EXECUTION_TIMEOUT_SECONDS = 24 * 60 * 60;

/** Context object field (Step Functions docs, "Context object") naming how often the execution was redriven. */
const REDRIVE_COUNT_PARAMETER = 'redriveCount.$';
/** Context object field naming the execution (its ARN): who holds a lock. */
const EXECUTION_ID_PARAMETER = 'execution.$';

const pollStateNames = (step: StepName) => ({ check: `${step}Done`, pause: `${step}Pause`, finished: `${step}Finished` });

/** Where a poll's Wait reads its seconds: the check's own `waitSeconds`. */
const pollWaitPath = (step: StepName): string => `$.steps.${step}.waitSeconds`;

/** The poll step whose pause this Wait state is, if it is one. */
export function pollOfPause(state: string): StepName | undefined {
  return (Object.keys(Steps) as StepName[]).find((name) => Steps[name].poll !== undefined && pollStateNames(name).pause === state);
}

function taskState(
  step: TaskStep,
  resource: string,
  next: string | undefined,
  catchTo: { next: string; resultPath: string } | undefined,
  extraParameters: Record<string, unknown> = {},
): Record<string, AslState> {
  const name = step.name as StepName;
  const parameters: Record<string, unknown> = {
    ...(name === 'ValidateRequest' ? { 'request.$': '$' } : { 'request.$': '$.request', 'context.$': '$.context', 'steps.$': '$.steps' }),
    ...extraParameters,
  };
  // The lock's owner: this execution (its ARN, unique per state machine and name) and this state.
  if (step.lockedDocument) parameters['lock'] = { [EXECUTION_ID_PARAMETER]: '$$.Execution.Id', state: name };
  // The redrive count lets a poll tell a redriven check (whose input holds the spent count) from the next one.
  if (step.poll)
    parameters['poll'] = { delaySeconds: step.poll.delaySeconds, maxAttempts: step.poll.maxAttempts, [REDRIVE_COUNT_PARAMETER]: '$$.Execution.RedriveCount' };
  const states: Record<string, AslState> = {};
  const body: AslState = {
    Type: 'Task',
    Comment: step.summary,
    Resource: resource,
    Parameters: parameters,
    // ValidateRequest's result replaces the state (ResultPath omitted means "$").
    ...(name === 'ValidateRequest' ? {} : { ResultPath: `$.steps.${name}` }),
    TimeoutSeconds: step.timeoutSeconds,
    Retry: retryPolicy(),
  };
  if (catchTo) body['Catch'] = [{ ErrorEquals: ['States.ALL'], ResultPath: catchTo.resultPath, Next: catchTo.next }];
  if (!step.poll) {
    states[name] = next ? { ...body, Next: next } : { ...body, End: true };
    return states;
  }
  const { check, pause, finished } = pollStateNames(name);
  states[name] = { ...body, Next: check };
  states[check] = {
    Type: 'Choice',
    Comment: `Done when ${name} reports done; otherwise wait and check again.`,
    Choices: [{ Variable: `$.steps.${name}.done`, BooleanEquals: true, Next: next ?? finished }],
    Default: pause,
  };
  // The check says when to check next (workflow/poll-schedule.ts): a creation's typical time first, then its interval, backing off past its typical maximum.
  states[pause] = { Type: 'Wait', SecondsPath: pollWaitPath(name), Next: name };
  // A Choice cannot end a branch, so a poll that ends one hands over to a Succeed.
  if (!next) states[finished] = { Type: 'Succeed' };
  return states;
}

/** Forward steps, each with Retry, chained; with a Catch into the rollback chain in "rollback" mode. */
function renderSequence(
  names: StepName[],
  after: string | undefined,
  resource: (s: StepName) => string,
  catchTo: (s: StepName) => { next: string; resultPath: string } | undefined,
): Record<string, AslState> {
  const states: Record<string, AslState> = {};
  names.forEach((name, i) => {
    Object.assign(states, taskState(Steps[name], resource(name), names[i + 1] ?? after, catchTo(name)));
  });
  return states;
}

function segmentStart(segment: Segment): string {
  return segment.kind === 'sequence' ? segment.steps[0]! : segment.name;
}

function renderPause(pause: PauseSegment, after: string | undefined): Record<string, AslState> {
  return { [pause.name]: { Type: 'Wait', Comment: pause.summary, Seconds: pause.seconds, ...(after ? { Next: after } : { End: true }) } };
}

/** A Parallel's branch: its steps and pauses chained, the last one ending the branch; no Catch (the Parallel catches). */
function renderBranch(items: Extract<Segment, { kind: 'parallel' }>['branches'][number], resource: (s: StepName) => string): Record<string, AslState> {
  const states: Record<string, AslState> = {};
  const nameOf = (item: (typeof items)[number]) => (typeof item === 'string' ? item : item.name);
  items.forEach((item, i) => {
    const next = items[i + 1] === undefined ? undefined : nameOf(items[i + 1]!);
    Object.assign(states, typeof item === 'string' ? taskState(Steps[item], resource(item), next, undefined) : renderPause(item, next));
  });
  return states;
}

function renderForward(mode: FailureMode, resource: (s: StepName) => string, path: Segment[]): Record<string, AslState> {
  const states: Record<string, AslState> = {};
  const rollbackCatch = (name: StepName) =>
    mode === 'rollback' && !(beforeAnyChange as readonly StepName[]).includes(name) ? { next: ROLLBACK_STARTED, resultPath: '$.failure' } : undefined;
  path.forEach((segment, i) => {
    const after = path[i + 1] ? segmentStart(path[i + 1]!) : ONBOARDED;
    if (segment.kind === 'sequence') {
      Object.assign(states, renderSequence(segment.steps, after, resource, rollbackCatch));
      return;
    }
    if (segment.kind === 'pause') {
      Object.assign(states, renderPause(segment, after));
      return;
    }
    // Branch failures surface on the Parallel state, which catches them as a whole.
    const parallel: AslState = {
      Type: 'Parallel',
      Comment: segment.summary,
      Branches: segment.branches.map((branch) => ({
        StartAt: typeof branch[0] === 'string' ? branch[0] : branch[0]!.name,
        States: renderBranch(branch, resource),
      })),
      // Each branch returns the whole state; merge the branches' step results back into one.
      ResultSelector: {
        'request.$': '$[0].request',
        'context.$': '$[0].context',
        'steps.$': 'States.JsonMerge($[0].steps, $[1].steps, false)',
      },
      Next: after,
    };
    if (mode === 'rollback') parallel['Catch'] = [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: ROLLBACK_STARTED }];
    states[segment.name] = parallel;
  });
  states[ONBOARDED] = { Type: 'Succeed', Comment: 'The file system is linked and the export check passed.' };
  return states;
}

/** Compensations in order; a compensation that still fails after its retries is recorded in $.leftBehind and the chain goes on. */
function renderCompensations(resource: (s: StepName) => string, after: string): Record<string, AslState> {
  return renderSequence(rollbackPath, after, resource, (name) => ({ next: nextCompensation(name, after), resultPath: `$.leftBehind.${name}` }));
}

function nextCompensation(name: StepName, after: string): string {
  const i = rollbackPath.indexOf(name);
  // A failed delete needs no wait for its deletion: skip the poll that follows it.
  const skip = rollbackPath[i + 1] && Steps[rollbackPath[i + 1]!].poll ? 2 : 1;
  return rollbackPath[i + skip] ?? after;
}

export function renderDefinition(mode: FailureMode, options: RenderOptions = {}): AslDefinition {
  const resource = options.functionArn ?? functionArnPlaceholder;
  const path = options.forwardPath ?? forwardPath;
  const states = renderForward(mode, resource, path);
  if (mode === 'rollback') {
    states[ROLLBACK_STARTED] = {
      Type: 'Pass',
      Comment: 'The onboarding failed: undo what this request changed, newest first.',
      Result: {},
      ResultPath: '$.leftBehind',
      Next: rollbackPath[0],
    };
    Object.assign(states, renderCompensations(resource, REPORT_ROLLBACK));
    states[REPORT_ROLLBACK] = {
      Type: 'Pass',
      Comment: 'The original error, and what rollback could not remove.',
      Parameters: {
        'error.$': '$.failure.Error',
        'cause.$': "States.Format('{} | rolled back; left behind: {}', $.failure.Cause, States.JsonToString($.leftBehind))",
      },
      Next: ROLLED_BACK,
    };
    states[ROLLED_BACK] = { Type: 'Fail', Comment: 'Failed and rolled back.', ErrorPath: '$.error', CausePath: '$.cause' };
  }
  return {
    Comment: `fsx-onboard: link FSx for Lustre to a KMS-encrypted S3 bucket across accounts (on failure: ${mode}).`,
    StartAt: segmentStart(path[0]!),
    TimeoutSeconds: EXECUTION_TIMEOUT_SECONDS,
    States: states,
  };
}

/** The input field that wraps the request when the rollback machine offboards (see renderRollbackDefinition). */
export const OFFBOARD_INPUT = { request: 'request', deleteFileSystem: 'deleteFileSystem', repository: 'repository' } as const;

const READ_ROLLBACK_INPUT = 'ReadRollbackInput';
const FULL_ROLLBACK_INPUT = 'RollbackInput';
const OFFBOARD_INPUT_STATE = 'OffboardInput';
const OFFBOARD_REPOSITORY_CHOICE = 'OffboardRepositoryRequested';
const OFFBOARD_REPOSITORY_INPUT = 'OffboardRepositoryInput';
const DELETE_FILE_SYSTEM_CHOICE = 'DeleteFileSystemRequested';

/** Points every transition into `from` (Next, Choice Next, Catch Next) at `to` instead. */
function redirect(states: Record<string, AslState>, from: string, to: string): void {
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      const node = value as Record<string, unknown>;
      if (node['Next'] === from) node['Next'] = to;
      for (const child of Object.values(node)) visit(child);
    }
  };
  visit(states);
}

/**
 * The compensation chain alone, for rolling back a stopped or finished execution on demand.
 * Input: the original request (everything this request changed is undone, its file system
 * included), or `{"request": <request>, "deleteFileSystem": false}` (offboarding: the links are
 * removed and the file system kept), with `"repository": "<fileSystemPath>"` to remove that one
 * repository's link only (the file system and every other link stay). The request schema is strict, so a request never has a
 * `request` field and the two inputs cannot be confused.
 */
export function renderRollbackDefinition(options: RenderOptions = {}): AslDefinition {
  const resource = options.functionArn ?? functionArnPlaceholder;
  const compensations = renderCompensations(resource, CHECK_LEFT_BEHIND);
  const afterFileSystem = nextCompensation('WaitForFileSystemDeletion', CHECK_LEFT_BEHIND);
  redirect(compensations, 'DeleteFileSystem', DELETE_FILE_SYSTEM_CHOICE);
  const validate = taskState(Steps.ValidateRequest, resource('ValidateRequest'), ROLLBACK_STARTED, undefined, {
    'request.$': `$.${OFFBOARD_INPUT.request}`,
    mode: 'rollback',
    [`${OFFBOARD_INPUT.repository}.$`]: `$.${OFFBOARD_INPUT.repository}`,
  });
  // ValidateRequest's result would replace the state and lose the flag: keep it beside it.
  validate['ValidateRequest']!['ResultPath'] = '$.validated';
  const states: Record<string, AslState> = {
    [READ_ROLLBACK_INPUT]: {
      Type: 'Choice',
      Comment: 'A wrapped request offboards (the flag says whether the file system goes too); a bare request rolls back everything.',
      Choices: [{ Variable: `$.${OFFBOARD_INPUT.request}`, IsPresent: true, Next: OFFBOARD_REPOSITORY_CHOICE }],
      Default: FULL_ROLLBACK_INPUT,
    },
    [OFFBOARD_REPOSITORY_CHOICE]: {
      Type: 'Choice',
      Comment: 'A wrapped request may name one repository (its fileSystemPath): then only that link is removed.',
      Choices: [{ Variable: `$.${OFFBOARD_INPUT.repository}`, IsPresent: true, Next: OFFBOARD_REPOSITORY_INPUT }],
      Default: OFFBOARD_INPUT_STATE,
    },
    [OFFBOARD_REPOSITORY_INPUT]: {
      Type: 'Pass',
      Parameters: {
        [`${OFFBOARD_INPUT.request}.$`]: `$.${OFFBOARD_INPUT.request}`,
        [`${OFFBOARD_INPUT.deleteFileSystem}.$`]: `$.${OFFBOARD_INPUT.deleteFileSystem}`,
        [`${OFFBOARD_INPUT.repository}.$`]: `$.${OFFBOARD_INPUT.repository}`,
      },
      Next: 'ValidateRequest',
    },
    [OFFBOARD_INPUT_STATE]: {
      Type: 'Pass',
      Parameters: {
        [`${OFFBOARD_INPUT.request}.$`]: `$.${OFFBOARD_INPUT.request}`,
        [`${OFFBOARD_INPUT.deleteFileSystem}.$`]: `$.${OFFBOARD_INPUT.deleteFileSystem}`,
        [OFFBOARD_INPUT.repository]: null,
      },
      Next: 'ValidateRequest',
    },
    [FULL_ROLLBACK_INPUT]: {
      Type: 'Pass',
      Parameters: { [`${OFFBOARD_INPUT.request}.$`]: '$', [OFFBOARD_INPUT.deleteFileSystem]: true, [OFFBOARD_INPUT.repository]: null },
      Next: 'ValidateRequest',
    },
    // Schema checks only: a rollback must not be blocked by the key it is cleaning up after.
    ...validate,
    [ROLLBACK_STARTED]: {
      Type: 'Pass',
      Comment: 'Undo what this request changed, newest first.',
      Parameters: {
        'request.$': '$.validated.request',
        'context.$': '$.validated.context',
        'steps.$': '$.validated.steps',
        [`${OFFBOARD_INPUT.deleteFileSystem}.$`]: `$.${OFFBOARD_INPUT.deleteFileSystem}`,
        leftBehind: {},
      },
      Next: rollbackPath[0],
    },
    ...compensations,
    [DELETE_FILE_SYSTEM_CHOICE]: {
      Type: 'Choice',
      Comment: 'Offboarding keeps the file system: skip its deletion and the wait for it.',
      Choices: [{ Variable: `$.${OFFBOARD_INPUT.deleteFileSystem}`, BooleanEquals: false, Next: afterFileSystem }],
      Default: 'DeleteFileSystem',
    },
    [CHECK_LEFT_BEHIND]: {
      Type: 'Choice',
      Choices: [{ Or: rollbackPath.map((name) => ({ Variable: `$.leftBehind.${name}`, IsPresent: true })), Next: ROLLBACK_INCOMPLETE }],
      Default: ROLLBACK_DONE,
    },
    [ROLLBACK_INCOMPLETE]: {
      Type: 'Pass',
      Parameters: { 'cause.$': "States.Format('rollback left behind: {}', States.JsonToString($.leftBehind))" },
      Next: 'RollbackFailed',
    },
    RollbackFailed: { Type: 'Fail', Error: 'RollbackIncomplete', CausePath: '$.cause' },
    [ROLLBACK_DONE]: { Type: 'Succeed', Comment: 'Everything this request changed is undone.' },
  };
  return {
    Comment: 'fsx-onboard rollback: undo what one onboarding request changed (offboard: all but its file system).',
    StartAt: READ_ROLLBACK_INPUT,
    TimeoutSeconds: EXECUTION_TIMEOUT_SECONDS,
    States: states,
  };
}
