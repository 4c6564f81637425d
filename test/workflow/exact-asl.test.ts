// The exact JSON of one Task and one poll loop: what Step Functions runs is pinned here, so a
// change to the retry policy or the poll shape is a deliberate edit of this file.
import { describe, expect, it } from 'vitest';
import { functionArnPlaceholder, renderDefinition, renderRollbackDefinition } from '../../workflow/render.js';
import { rollbackPath } from '../../workflow/steps.js';

const retry = [
  {
    ErrorEquals: ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'],
    IntervalSeconds: 2,
    MaxAttempts: 6,
    BackoffRate: 2,
    JitterStrategy: 'FULL',
  },
  {
    ErrorEquals: [
      'ThrottlingException',
      'Throttling',
      'TooManyRequestsException',
      'RequestLimitExceeded',
      'SlowDown',
      'ServiceUnavailable',
      'ServiceUnavailableException',
      'InternalError',
      'InternalFailure',
      'InternalServerError',
      'KMSInternalException',
      'DependencyTimeoutException',
      'OperationAborted',
      'ConcurrentModificationException',
      'ConflictException',
      'ProvisionedThroughputExceededException',
    ],
    IntervalSeconds: 2,
    MaxAttempts: 6,
    BackoffRate: 2,
    MaxDelaySeconds: 60,
    JitterStrategy: 'FULL',
  },
  { ErrorEquals: ['InvalidArnException', 'PrincipalNotYetPropagated'], IntervalSeconds: 5, MaxAttempts: 8, BackoffRate: 1.5, MaxDelaySeconds: 30 },
  // Another execution holds the shared document's lock, or the re-read did not show the write whole.
  {
    ErrorEquals: ['ResourceLocked', 'SharedDocumentChanged'],
    IntervalSeconds: 1,
    MaxAttempts: 30,
    BackoffRate: 1.5,
    MaxDelaySeconds: 15,
    JitterStrategy: 'FULL',
  },
  // An attempt whose result was lost (function timeout, crash, client timeout, state timeout).
  {
    ErrorEquals: ['Sandbox.Timedout', 'Lambda.Unknown', 'Lambda.ClientExecutionTimeoutException', 'States.Timeout'],
    IntervalSeconds: 2,
    MaxAttempts: 2,
    BackoffRate: 2,
  },
];

const parameters = { 'request.$': '$.request', 'context.$': '$.context', 'steps.$': '$.steps' };

describe('exact ASL', () => {
  it('renders a compensation Task with the retry policy and a Catch that records what was left behind', () => {
    const states = renderDefinition('rollback').States;
    expect(states['DeleteFileSystem']).toEqual({
      Type: 'Task',
      Comment: 'Deletes the file system if this request created it; never an adopted one.',
      Resource: functionArnPlaceholder('DeleteFileSystem'),
      Parameters: parameters,
      ResultPath: '$.steps.DeleteFileSystem',
      TimeoutSeconds: 120,
      Retry: retry,
      // A failed delete needs no wait for its deletion: the Catch skips the poll that follows.
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.leftBehind.DeleteFileSystem', Next: 'RestoreDefaultEncryption' }],
      Next: 'WaitForFileSystemDeletion',
    });
  });

  it('passes a step that edits a shared document its lock owner: the execution ARN and the state', () => {
    const states = renderDefinition('rollback').States;
    expect(states['RemoveBucketAccess']).toMatchObject({
      Parameters: { ...parameters, lock: { 'execution.$': '$$.Execution.Id', state: 'RemoveBucketAccess' } },
      Retry: retry,
    });
    expect(states['DeleteFileSystem']!['Parameters']).not.toHaveProperty('lock');
  });

  it('renders a poll as Task → Choice on done → Wait → Task', () => {
    const states = renderRollbackDefinition().States;
    expect(states['WaitForFileSystemDeletion']).toEqual({
      Type: 'Task',
      Comment: 'Polls until the file system is gone.',
      Resource: functionArnPlaceholder('WaitForFileSystemDeletion'),
      Parameters: { ...parameters, poll: { delaySeconds: 60, maxAttempts: 60, 'redriveCount.$': '$$.Execution.RedriveCount' } },
      ResultPath: '$.steps.WaitForFileSystemDeletion',
      TimeoutSeconds: 120,
      Retry: retry,
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.leftBehind.WaitForFileSystemDeletion', Next: 'RestoreDefaultEncryption' }],
      Next: 'WaitForFileSystemDeletionDone',
    });
    expect(states['WaitForFileSystemDeletionDone']).toEqual({
      Type: 'Choice',
      Comment: 'Done when WaitForFileSystemDeletion reports done; otherwise wait and check again.',
      Choices: [{ Variable: '$.steps.WaitForFileSystemDeletion.done', BooleanEquals: true, Next: 'RestoreDefaultEncryption' }],
      Default: 'WaitForFileSystemDeletionPause',
    });
    expect(states['WaitForFileSystemDeletionPause']).toEqual({
      Type: 'Wait',
      SecondsPath: '$.steps.WaitForFileSystemDeletion.waitSeconds',
      Next: 'WaitForFileSystemDeletion',
    });
  });

  it('reads a bare request as a full rollback and a wrapped one as an offboarding, keeping the flag past ValidateRequest', () => {
    const states = renderRollbackDefinition().States;
    expect(renderRollbackDefinition().StartAt).toBe('ReadRollbackInput');
    expect(states['ReadRollbackInput']).toEqual({
      Type: 'Choice',
      Comment: 'A wrapped request offboards (the flag says whether the file system goes too); a bare request rolls back everything.',
      Choices: [{ Variable: '$.request', IsPresent: true, Next: 'OffboardRepositoryRequested' }],
      Default: 'RollbackInput',
    });
    // A wrapped request may name one repository; without one, "repository" is null (every link).
    expect(states['OffboardRepositoryRequested']).toEqual({
      Type: 'Choice',
      Comment: 'A wrapped request may name one repository (its fileSystemPath): then only that link is removed.',
      Choices: [{ Variable: '$.repository', IsPresent: true, Next: 'OffboardRepositoryInput' }],
      Default: 'OffboardInput',
    });
    expect(states['OffboardRepositoryInput']).toEqual({
      Type: 'Pass',
      Parameters: { 'request.$': '$.request', 'deleteFileSystem.$': '$.deleteFileSystem', 'repository.$': '$.repository' },
      Next: 'ValidateRequest',
    });
    expect(states['OffboardInput']).toEqual({
      Type: 'Pass',
      Parameters: { 'request.$': '$.request', 'deleteFileSystem.$': '$.deleteFileSystem', repository: null },
      Next: 'ValidateRequest',
    });
    expect(states['RollbackInput']).toEqual({
      Type: 'Pass',
      Parameters: { 'request.$': '$', deleteFileSystem: true, repository: null },
      Next: 'ValidateRequest',
    });
    expect(states['ValidateRequest']).toMatchObject({
      Parameters: { 'request.$': '$.request', mode: 'rollback', 'repository.$': '$.repository' },
      ResultPath: '$.validated',
      Next: 'RollbackStarted',
    });
    expect(states['RollbackStarted']).toEqual({
      Type: 'Pass',
      Comment: 'Undo what this request changed, newest first.',
      Parameters: {
        'request.$': '$.validated.request',
        'context.$': '$.validated.context',
        'steps.$': '$.validated.steps',
        'deleteFileSystem.$': '$.deleteFileSystem',
        leftBehind: {},
      },
      Next: 'CleanUpTestExport',
    });
  });

  it('decides on the flag before DeleteFileSystem, from both ways into it, and skips its wait when keeping it', () => {
    const states = renderRollbackDefinition().States;
    expect(states['DeleteFileSystemRequested']).toEqual({
      Type: 'Choice',
      Comment: 'Offboarding keeps the file system: skip its deletion and the wait for it.',
      Choices: [{ Variable: '$.deleteFileSystem', BooleanEquals: false, Next: 'RestoreDefaultEncryption' }],
      Default: 'DeleteFileSystem',
    });
    expect(states['WaitForDataRepositoryAssociationDeletionDone']).toMatchObject({
      Choices: [{ Variable: '$.steps.WaitForDataRepositoryAssociationDeletion.done', BooleanEquals: true, Next: 'DeleteFileSystemRequested' }],
    });
    expect(states['DeleteDataRepositoryAssociation']).toMatchObject({
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.leftBehind.DeleteDataRepositoryAssociation', Next: 'DeleteFileSystemRequested' }],
    });
    // Nothing else leads into DeleteFileSystem: the Choice is the only way in.
    const into = Object.entries(states).filter(([, state]) => /"(Next|Default)":"DeleteFileSystem"/.test(JSON.stringify(state)));
    expect(into.map(([name]) => name)).toEqual(['DeleteFileSystemRequested']);
    // The onboarding machine's own rollback chain has no flag: it always deletes what it created.
    expect(renderDefinition('rollback').States['DeleteFileSystemRequested']).toBeUndefined();
  });

  it('derives the rollback order from the forward steps, newest first, each deletion followed by its wait', () => {
    expect(rollbackPath).toEqual([
      'CleanUpTestExport',
      'RevokeGrant',
      'RemoveBucketAccess',
      'DeleteDataRepositoryAssociation',
      'WaitForDataRepositoryAssociationDeletion',
      'DeleteFileSystem',
      'WaitForFileSystemDeletion',
      'RestoreDefaultEncryption',
      'UnshareKey',
    ]);
  });
});
