import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DeleteObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCommandInvocationCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CreateDataRepositoryTaskCommand, DescribeDataRepositoryTasksCommand, FSxClient } from '@aws-sdk/client-fsx';
import { startTestExport } from '../../lambdas/start-test-export/start-test-export.js';
import { CANARY_IMPORT_CHECKS, waitForTestExport } from '../../lambdas/wait-for-test-export/wait-for-test-export.js';
import { cleanUpTestExport } from '../../lambdas/clean-up-test-export/clean-up-test-export.js';
import { canaryFor } from '../../core/canary.js';
import { namesFor } from '../../core/naming.js';
import { A, B, FS_ID, awsError, loadRequest, setup } from './fixtures.js';

const s3 = mockClient(S3Client);
const ssm = mockClient(SSMClient);
const fsx = mockClient(FSxClient);
const request = loadRequest('request.json');
const canary = canaryFor(request, namesFor(request.requestId));
const dir = '/fsx/genomics/.fsx-onboard-canary-genomics-scratch-2026-11';
const fsReady = {
  CreateFileSystem: { fileSystemId: FS_ID, created: true },
  WaitForFileSystem: { done: true, attempts: 9, lifecycle: 'AVAILABLE', dnsName: `${FS_ID}.fsx.us-east-1.amazonaws.com`, mountName: 'abcdefgh' },
};

beforeEach(() => {
  s3.reset();
  ssm.reset();
  fsx.reset();
});

describe('canary paths', () => {
  it('maps <mountPath><fileSystemPath>/<relative> to <prefix><relative>', () => {
    expect(canary.toS3).toMatchObject({
      clientPath: `${dir}/to-s3.txt`,
      s3Key: 'cohort-2026/.fsx-onboard-canary-genomics-scratch-2026-11/to-s3.txt',
      fileSystemRelativePath: 'genomics/.fsx-onboard-canary-genomics-scratch-2026-11/to-s3.txt',
    });
    const legacy = loadRequest('request-legacy.json');
    const legacyCanary = canaryFor(legacy, namesFor(legacy.requestId));
    expect(legacyCanary.fromS3).toMatchObject({
      clientPath: '/fsx/.fsx-onboard-canary-ml-training-scratch-01/from-s3.txt',
      s3Key: '.fsx-onboard-canary-ml-training-scratch-01/from-s3.txt',
    });
    expect(legacyCanary.directory.fileSystemRelativePath).toBe('.fsx-onboard-canary-ml-training-scratch-01');
  });
});

describe('StartTestExport (lustre-client)', () => {
  it('puts the S3-side canary via the bucket role and sends the exact client commands', async () => {
    // Without s3:ListBucket, S3 answers a HEAD of a missing key with 403.
    s3.on(HeadObjectCommand).rejects(awsError('Forbidden'));
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-start', RequestedDateTime: new Date('2026-11-27T10:00:00Z') } });
    const { input, deps, clients } = setup('request.json', fsReady);
    const out = await startTestExport(input, deps);
    expect(out).toEqual({ changed: true, mode: 'lustre-client', commandId: 'cmd-start', startedAt: '2026-11-27T10:00:00.000Z', canary });
    expect(clients.targets).toEqual(expect.arrayContaining([`bucket@${B}`, `fileSystem@${A}`]));
    expect(s3).toHaveReceivedCommandExactlyOnceWith(PutObjectCommand, {
      Bucket: 'genomics-reference-data',
      Key: 'cohort-2026/.fsx-onboard-canary-genomics-scratch-2026-11/from-s3.txt',
      Body: 'fsx-onboard canary from-s3 genomics-scratch-2026-11\n',
    });
    expect(ssm).toHaveReceivedCommandExactlyOnceWith(SendCommandCommand, {
      InstanceIds: ['i-0fedcba9876543210'],
      DocumentName: 'AWS-RunShellScript',
      Parameters: {
        commands: [
          'set -e',
          'mkdir -p /fsx',
          `mountpoint -q /fsx || mount -t lustre -o relatime,flock ${FS_ID}.fsx.us-east-1.amazonaws.com@tcp:/abcdefgh /fsx`,
          `findmnt -rn -t lustre -o SOURCE -M /fsx | grep -q ':/abcdefgh$' || (echo 'fsx-onboard: /fsx holds another file system or none, not mount name abcdefgh of ${FS_ID}.fsx.us-east-1.amazonaws.com: set testExport.mountPath to a free path' >&2; exit 3)`,
          `mkdir -p ${dir}`,
          `printf '%s\\n' 'fsx-onboard canary to-s3 genomics-scratch-2026-11' > ${dir}/to-s3.txt`,
          `lfs hsm_archive ${dir}/to-s3.txt`,
        ],
      },
    });
  });

  it('sends nothing once both canaries are already in S3', async () => {
    s3.on(HeadObjectCommand).resolves({ ServerSideEncryption: 'aws:kms' });
    const { input, deps } = setup('request.json', fsReady);
    await expect(startTestExport(input, deps)).resolves.toMatchObject({ changed: false, mode: 'lustre-client' });
    expect(s3).not.toHaveReceivedCommand(PutObjectCommand);
    expect(ssm).not.toHaveReceivedCommand(SendCommandCommand);
  });
});

describe('StartTestExport (data-repository-task)', () => {
  it('starts an EXPORT_TO_REPOSITORY task with a failed-files report inside the linked path', async () => {
    s3.on(HeadObjectCommand).rejects(awsError('NotFound'));
    fsx.on(DescribeDataRepositoryTasksCommand).resolves({ DataRepositoryTasks: [] });
    fsx.on(CreateDataRepositoryTaskCommand).resolves({
      DataRepositoryTask: { TaskId: 'task-1', Lifecycle: 'PENDING', Type: 'EXPORT_TO_REPOSITORY', CreationTime: new Date('2026-11-27T10:00:00Z') },
    });
    const { input, deps, names } = setup('request-legacy.json', fsReady);
    await expect(startTestExport(input, deps)).resolves.toMatchObject({
      changed: true,
      mode: 'data-repository-task',
      taskId: 'task-1',
      startedAt: '2026-11-27T10:00:00.000Z',
    });
    expect(fsx).toHaveReceivedCommandExactlyOnceWith(CreateDataRepositoryTaskCommand, {
      Type: 'EXPORT_TO_REPOSITORY',
      FileSystemId: FS_ID,
      Report: { Enabled: true, Path: 's3://ml-training-sets/.fsx-onboard-reports', Format: 'REPORT_CSV_20191124', Scope: 'FAILED_FILES_ONLY' },
      ClientRequestToken: names.exportTaskToken,
      Tags: [
        { Key: 'fsx-onboard:request-id', Value: 'ml-training-scratch-01' },
        { Key: 'fsx-onboard:managed-by', Value: 'fsx-onboard' },
      ],
    });
    // The linked directory is "/" here: no Paths (the canary directory exists only once FSx imported the canary).
    expect(fsx.commandCalls(CreateDataRepositoryTaskCommand)[0]!.args[0].input).not.toHaveProperty('Paths');
    expect(ssm.calls()).toHaveLength(0);
  });

  it('finds its task by tag on a second run and starts none', async () => {
    s3.on(HeadObjectCommand).resolves({});
    fsx.on(DescribeDataRepositoryTasksCommand).resolves({
      DataRepositoryTasks: [
        {
          TaskId: 'task-1',
          Type: 'EXPORT_TO_REPOSITORY',
          Lifecycle: 'EXECUTING',
          Tags: [{ Key: 'fsx-onboard:request-id', Value: 'ml-training-scratch-01' }],
          CreationTime: new Date(),
        },
      ],
    });
    const { input, deps } = setup('request-legacy.json', fsReady);
    await expect(startTestExport(input, deps)).resolves.toMatchObject({ changed: false, taskId: 'task-1' });
    expect(fsx).not.toHaveReceivedCommand(CreateDataRepositoryTaskCommand);
    expect(s3).not.toHaveReceivedCommand(PutObjectCommand);
  });
});

describe('StartTestExport (data-repository-task), untagged task', () => {
  it('recognises its task by the canary path when the tag is missing', async () => {
    s3.on(HeadObjectCommand).resolves({});
    fsx.on(DescribeDataRepositoryTasksCommand).resolves({
      DataRepositoryTasks: [
        { TaskId: 'task-theirs', Type: 'EXPORT_TO_REPOSITORY', Lifecycle: 'EXECUTING', Paths: ['datasets'], CreationTime: new Date() },
        {
          TaskId: 'task-1',
          Type: 'EXPORT_TO_REPOSITORY',
          Lifecycle: 'SUCCEEDED',
          Paths: ['.fsx-onboard-canary-ml-training-scratch-01'],
          CreationTime: new Date(),
        },
      ],
    });
    const { input, deps } = setup('request-legacy.json', fsReady);
    await expect(startTestExport(input, deps)).resolves.toMatchObject({ changed: false, taskId: 'task-1' });
    expect(fsx).not.toHaveReceivedCommand(CreateDataRepositoryTaskCommand);
  });
});

describe('WaitForTestExport (lustre-client)', () => {
  const started = { ...fsReady, StartTestExport: { mode: 'lustre-client' as const, commandId: 'cmd-start', startedAt: '2026-11-27T10:00:00.000Z', canary } };
  const invocation = (
    Status: 'Success' | 'Failed' | 'InProgress',
    StandardOutputContent = '',
    StandardErrorContent = '',
    ResponseCode = Status === 'Failed' ? 1 : 0,
  ) => ({ Status, StandardOutputContent, StandardErrorContent, ResponseCode });
  const hsm = { Parameters: { commands: [`lfs hsm_action ${dir}/to-s3.txt`] } };
  const cat = { Parameters: { commands: [`cat ${dir}/from-s3.txt`] } };
  /** Seconds after the export started, on the services' clock. */
  const sinceStart = (seconds: number) => ({ now: Date.parse(started.StartTestExport.startedAt) + seconds * 1000 });

  it('waits while the start command is still running, sending nothing', async () => {
    ssm.on(GetCommandInvocationCommand, { CommandId: 'cmd-start' }).resolves(invocation('InProgress'));
    const { input, deps } = setup('request.json', started, sinceStart(10));
    // The archive and the import take about a minute: the next check comes then.
    await expect(waitForTestExport(input, deps)).resolves.toEqual({ done: false, attempts: 1, waitSeconds: 50, phase: 'start', commandId: 'cmd-start' });
    expect(ssm).toHaveReceivedCommandWith(GetCommandInvocationCommand, { CommandId: 'cmd-start', InstanceId: 'i-0fedcba9876543210' });
    expect(ssm).not.toHaveReceivedCommand(SendCommandCommand);
  });

  it('asks lfs hsm_action again while it prints ARCHIVE', async () => {
    ssm.on(GetCommandInvocationCommand, { CommandId: 'cmd-start' }).resolves(invocation('Success'));
    ssm.on(SendCommandCommand, hsm).resolves({ Command: { CommandId: 'cmd-hsm' } });
    ssm.on(GetCommandInvocationCommand, { CommandId: 'cmd-hsm' }).resolves(invocation('Success', `${dir}/to-s3.txt: ARCHIVE\n`));
    const { input, deps } = setup('request.json', started, sinceStart(70));
    await expect(waitForTestExport(input, deps)).resolves.toEqual({
      done: false,
      attempts: 1,
      waitSeconds: 15,
      phase: 'hsm_action',
      hsmAction: `${dir}/to-s3.txt: ARCHIVE`,
    });
    expect(ssm).toHaveReceivedCommandExactlyOnceWith(SendCommandCommand, { InstanceIds: ['i-0fedcba9876543210'], DocumentName: 'AWS-RunShellScript', ...hsm });
  });

  it('reads the S3-side canary with cat once hsm_action prints NOOP, and is done', async () => {
    ssm.on(SendCommandCommand, hsm).resolves({ Command: { CommandId: 'cmd-hsm2' } });
    ssm.on(GetCommandInvocationCommand, { CommandId: 'cmd-hsm2' }).resolves(invocation('Success', `${dir}/to-s3.txt: NOOP\n`));
    ssm.on(SendCommandCommand, cat).resolves({ Command: { CommandId: 'cmd-cat' } });
    ssm.on(GetCommandInvocationCommand, { CommandId: 'cmd-cat' }).resolves(invocation('Failed', '', `cat: ${dir}/from-s3.txt: No data available\n`));
    const { input, deps } = setup('request.json', { ...started, WaitForTestExport: { done: false, attempts: 2, phase: 'hsm_action' } }, sinceStart(75));
    await expect(waitForTestExport(input, deps)).resolves.toEqual({
      done: true,
      attempts: 3,
      waitSeconds: 15,
      phase: 'cat',
      commandId: 'cmd-cat',
      cat: { path: `${dir}/from-s3.txt`, ok: false, stdout: '', stderr: `cat: ${dir}/from-s3.txt: No data available\n`, responseCode: 1 },
    });
  });

  it('asks cat again while the S3-side canary is not imported yet, then reports it not imported', async () => {
    const notFound = invocation('Failed', '', `cat: ${dir}/from-s3.txt: No such file or directory\n`);
    ssm.on(SendCommandCommand, cat).resolves({ Command: { CommandId: 'cmd-cat' } });
    ssm.on(GetCommandInvocationCommand, { CommandId: 'cmd-cat' }).resolves(notFound);
    const waiting = setup('request.json', { ...started, WaitForTestExport: { done: false, attempts: 4, phase: 'cat', commandId: 'cmd-cat' } }, sinceStart(90));
    await expect(waitForTestExport(waiting.input, waiting.deps)).resolves.toEqual({ done: false, attempts: 5, waitSeconds: 15, phase: 'cat', catNotFound: 1 });
    expect(ssm).not.toHaveReceivedCommand(SendCommandCommand);
    const last = setup('request.json', {
      ...started,
      WaitForTestExport: { done: false, attempts: 30, phase: 'cat', commandId: 'cmd-cat', catNotFound: CANARY_IMPORT_CHECKS - 1 },
    });
    await expect(waitForTestExport(last.input, last.deps)).resolves.toMatchObject({
      done: true,
      cat: { ok: false, notImported: true, stderr: expect.stringContaining('No such file or directory') },
    });
  });

  it('fails with ClientCommandFailed when the start command failed on the instance', async () => {
    ssm
      .on(GetCommandInvocationCommand, { CommandId: 'cmd-start' })
      .resolves(invocation('Failed', '', 'mount.lustre: mount fs@tcp:/abc at /fsx failed: No such file or directory', 32));
    const { input, deps } = setup('request.json', started);
    await expect(waitForTestExport(input, deps)).rejects.toMatchObject({ name: 'ClientCommandFailed', message: expect.stringContaining('mount.lustre') });
  });

  it('gives up with PollTimedOut naming hsm_action', async () => {
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-hsm' } });
    ssm.on(GetCommandInvocationCommand).rejects(awsError('InvocationDoesNotExist'));
    const { input, deps } = setup('request.json', { ...started, WaitForTestExport: { done: false, attempts: 35, phase: 'hsm_action' } });
    await expect(waitForTestExport(input, deps)).rejects.toMatchObject({
      name: 'PollTimedOut',
      message: expect.stringContaining(`WaitForTestExport gave up after 36 checks waiting for lfs hsm_action ${dir}/to-s3.txt to print NOOP`),
    });
  });
});

describe('WaitForTestExport (data-repository-task)', () => {
  it('polls the task until it ends', async () => {
    const steps = { ...fsReady, StartTestExport: { mode: 'data-repository-task' as const, taskId: 'task-1' } };
    fsx
      .on(DescribeDataRepositoryTasksCommand, { TaskIds: ['task-1'] })
      .resolves({ DataRepositoryTasks: [{ TaskId: 'task-1', Lifecycle: 'EXECUTING', Type: 'EXPORT_TO_REPOSITORY', CreationTime: new Date() }] });
    const { input, deps } = setup('request-legacy.json', steps);
    await expect(waitForTestExport(input, deps)).resolves.toEqual({ done: false, attempts: 1, waitSeconds: 15, lifecycle: 'EXECUTING' });
    fsx
      .on(DescribeDataRepositoryTasksCommand, { TaskIds: ['task-1'] })
      .resolves({ DataRepositoryTasks: [{ TaskId: 'task-1', Lifecycle: 'FAILED', Type: 'EXPORT_TO_REPOSITORY', CreationTime: new Date() }] });
    await expect(waitForTestExport(input, deps)).resolves.toEqual({
      done: true,
      attempts: 1,
      waitSeconds: 15,
      lifecycle: 'FAILED',
      exported: { total: 0, succeeded: 0, failed: 0, note: expect.stringContaining('exported no file') },
    });
  });
});

describe('CleanUpTestExport', () => {
  it('without its StartTestExport result, deletes every canary of the request that exists, and nothing on a second run', async () => {
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: canary.toS3.s3Key }, { Key: canary.fromS3.s3Key }] });
    s3.on(HeadObjectCommand, { Key: canary.toS3.s3Key }).resolves({});
    s3.on(HeadObjectCommand, { Key: canary.fromS3.s3Key }).rejects(awsError('NotFound'));
    const { input, deps } = setup();
    await expect(cleanUpTestExport(input, deps)).resolves.toEqual({ changed: true, deletedKeys: [canary.toS3.s3Key] });
    expect(s3).toHaveReceivedCommandExactlyOnceWith(DeleteObjectCommand, { Bucket: 'genomics-reference-data', Key: canary.toS3.s3Key });

    s3.reset();
    s3.on(ListObjectsV2Command).resolves({ Contents: [] });
    s3.on(HeadObjectCommand).rejects(awsError('NotFound'));
    await expect(cleanUpTestExport(input, deps)).resolves.toEqual({ changed: false, deletedKeys: [] });
    expect(s3).not.toHaveReceivedCommand(DeleteObjectCommand);
  });

  it("also deletes the export task's report", async () => {
    s3.on(ListObjectsV2Command).resolves({});
    s3.on(HeadObjectCommand).rejects(awsError('Forbidden'));
    s3.on(HeadObjectCommand, { Key: '.fsx-onboard-reports/task-1/failures.csv' }).resolves({});
    const { input, deps } = setup('request-legacy.json', { StartTestExport: { taskId: 'task-1' } });
    await expect(cleanUpTestExport(input, deps)).resolves.toEqual({ changed: true, deletedKeys: ['.fsx-onboard-reports/task-1/failures.csv'] });
    expect(s3).toHaveReceivedCommandExactlyOnceWith(DeleteObjectCommand, { Bucket: 'ml-training-sets', Key: '.fsx-onboard-reports/task-1/failures.csv' });
  });
});
