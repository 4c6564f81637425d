// What FSx does with an S3 link once it is created, as the SLR: FAILED when it cannot reach the
// bucket at set-up, the `FSx` event notification for auto-import (denied → MISCONFIGURED, back
// to AVAILABLE after the fix), asynchronous import, and export tasks of new or changed files.
import {
  CreateDataRepositoryAssociationCommand,
  CreateDataRepositoryTaskCommand,
  CreateFileSystemCommand,
  DescribeDataRepositoryAssociationsCommand,
  DescribeDataRepositoryTasksCommand,
} from '@aws-sdk/client-fsx';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { AUTO_IMPORT_SECONDS, LINK_RECHECK_SECONDS } from '../../sandbox/services/fsx-links.js';
import { canaryKey, persistent2FileSystem, runOnClient, shareBucketAndKey, world } from './world.js';

type World = Awaited<ReturnType<typeof world>>;

async function linked(w: World, events: ('NEW' | 'CHANGED' | 'DELETED')[] = ['NEW', 'CHANGED']) {
  const { FileSystem } = await w.fileSystem.fsx.send(new CreateFileSystemCommand(persistent2FileSystem(w)));
  const fsId = FileSystem!.FileSystemId!;
  const { Association } = await w.fileSystem.fsx.send(
    new CreateDataRepositoryAssociationCommand({
      FileSystemId: fsId,
      FileSystemPath: w.request.fileSystem.fileSystemPath,
      DataRepositoryPath: `s3://${w.request.bucket.name}/${w.request.bucket.prefix}`,
      BatchImportMetaDataOnCreate: true,
      S3: { AutoImportPolicy: { Events: events } },
    }),
  );
  return { fsId, draId: Association!.AssociationId! };
}

async function association(w: World, id: string) {
  return (await w.fileSystem.fsx.send(new DescribeDataRepositoryAssociationsCommand({ AssociationIds: [id] }))).Associations![0]!;
}

/** The bucket policy's statements, edited in place (as another team's change would). */
function editBucketPolicy(w: World, edit: (statements: Record<string, any>[]) => void) {
  const bucket = w.sandbox.state.buckets[w.request.bucket.name]!;
  const policy = JSON.parse(bucket.policy!) as { Statement: Record<string, any>[] };
  edit(policy.Statement);
  bucket.policy = JSON.stringify(policy);
}

const READY_SECONDS = 600 + 13 * 60 + 1;

describe('S3 links after creation (sandbox FSx)', () => {
  it('configures the FSx notification as the SLR, and the association is AVAILABLE', async () => {
    const w = await world();
    await shareBucketAndKey(w);
    const { draId } = await linked(w);
    w.sandbox.clock.advance(READY_SECONDS);
    expect((await association(w, draId)).Lifecycle).toBe('AVAILABLE');
    expect(Object.values(w.sandbox.state.buckets[w.request.bucket.name]!.fsxNotifications ?? {})).toEqual([
      expect.objectContaining({ name: 'FSx', prefix: w.request.bucket.prefix }),
    ]);
  });

  it('is MISCONFIGURED when the SLR may not put the notification, and AVAILABLE again within 15 minutes of the fix', async () => {
    const w = await world();
    await shareBucketAndKey(w);
    editBucketPolicy(w, (statements) => {
      for (const s of statements) if (Array.isArray(s['Action'])) s['Action'] = s['Action'].filter((a: string) => a !== 's3:PutBucketNotification');
    });
    const { draId } = await linked(w);
    w.sandbox.clock.advance(READY_SECONDS);
    const broken = await association(w, draId);
    expect(broken).toMatchObject({ Lifecycle: 'MISCONFIGURED', FailureDetails: { Message: expect.stringContaining('event notification named FSx') } });
    expect(broken.FailureDetails!.Message).toContain('s3:PutBucketNotification');
    editBucketPolicy(w, (statements) => {
      statements[0]!['Action'] = [...statements[0]!['Action'], 's3:PutBucketNotification'];
    });
    w.sandbox.clock.advance(LINK_RECHECK_SECONDS * 3);
    expect((await association(w, draId)).Lifecycle).toBe('AVAILABLE');
  });

  it('ends FAILED (terminal) when the SLR cannot reach the bucket at set-up', async () => {
    const w = await world();
    await shareBucketAndKey(w);
    editBucketPolicy(w, (statements) => {
      statements.push({
        Sid: 'NoFsx',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:ListBucket',
        Resource: `arn:aws:s3:::${w.request.bucket.name}`,
        Condition: { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${w.a}:role/aws-service-role/*` } },
      });
    });
    const { draId } = await linked(w);
    w.sandbox.clock.advance(READY_SECONDS);
    expect(await association(w, draId)).toMatchObject({ Lifecycle: 'FAILED', FailureDetails: { Message: expect.stringContaining('required permissions') } });
    editBucketPolicy(w, (statements) => void statements.pop());
    w.sandbox.clock.advance(3600);
    expect((await association(w, draId)).Lifecycle).toBe('FAILED');
  });

  it('imports an object written to the prefix only after auto-import processed its event', async () => {
    const w = await world();
    await shareBucketAndKey(w);
    const { fsId } = await linked(w);
    w.sandbox.clock.advance(READY_SECONDS);
    await w.bucket.s3.send(new PutObjectCommand({ Bucket: w.request.bucket.name, Key: canaryKey(w, 'from-s3.txt'), Body: 'x\n' }));
    const path = `${w.request.fileSystem.fileSystemPath}/${canaryKey(w, 'from-s3.txt').slice(w.request.bucket.prefix.length)}`;
    w.sandbox.clock.advance(AUTO_IMPORT_SECONDS / 2);
    expect(w.sandbox.state.fileSystems[fsId]!.files[path]).toBeUndefined();
    w.sandbox.clock.advance(AUTO_IMPORT_SECONDS / 2);
    expect(w.sandbox.state.fileSystems[fsId]!.files[path]).toMatchObject({ archived: true, released: { key: canaryKey(w, 'from-s3.txt') } });
  });

  it.each([
    [['NEW', 'CHANGED', 'DELETED'] as const, 'removes the file'],
    [['NEW', 'CHANGED'] as const, 'keeps the file'],
  ])('with auto-import events %j, an object deleted from the prefix %s once auto-import processed the event', async (events, _what) => {
    const w = await world();
    await shareBucketAndKey(w);
    const { fsId, draId } = await linked(w, [...events]);
    w.sandbox.clock.advance(READY_SECONDS);
    const key = canaryKey(w, 'from-s3.txt');
    await w.bucket.s3.send(new PutObjectCommand({ Bucket: w.request.bucket.name, Key: key, Body: 'x\n' }));
    w.sandbox.clock.advance(AUTO_IMPORT_SECONDS);
    const path = `${w.request.fileSystem.fileSystemPath}/${key.slice(w.request.bucket.prefix.length)}`;
    expect(w.sandbox.state.fileSystems[fsId]!.files[path]).toBeDefined();
    await w.bucket.s3.send(new DeleteObjectCommand({ Bucket: w.request.bucket.name, Key: key }));
    w.sandbox.clock.advance(AUTO_IMPORT_SECONDS / 2);
    expect(w.sandbox.state.fileSystems[fsId]!.files[path]).toBeDefined();
    w.sandbox.clock.advance(AUTO_IMPORT_SECONDS / 2);
    const deletes = events.includes('DELETED' as never);
    expect(w.sandbox.state.fileSystems[fsId]!.files[path] === undefined).toBe(deletes);
    expect(w.sandbox.state.dras[draId]!.health!.imported?.[key] === undefined).toBe(deletes);
  });

  it('never imports without auto-import events (the object stays in S3 only)', async () => {
    const w = await world();
    await shareBucketAndKey(w);
    const { fsId } = await linked(w, []);
    w.sandbox.clock.advance(READY_SECONDS);
    await w.bucket.s3.send(new PutObjectCommand({ Bucket: w.request.bucket.name, Key: canaryKey(w, 'from-s3.txt'), Body: 'x\n' }));
    w.sandbox.clock.advance(AUTO_IMPORT_SECONDS * 10);
    expect(Object.keys(w.sandbox.state.fileSystems[fsId]!.files)).toEqual([]);
  });

  it('exports only files new or changed in the file system, and fails a task on a path that does not exist', async () => {
    const w = await world();
    await shareBucketAndKey(w);
    const { fsId } = await linked(w);
    w.sandbox.clock.advance(READY_SECONDS);
    await w.bucket.s3.send(new PutObjectCommand({ Bucket: w.request.bucket.name, Key: canaryKey(w, 'from-s3.txt'), Body: 'x\n' }));
    w.sandbox.clock.advance(AUTO_IMPORT_SECONDS);
    const dir = canaryKey(w, '').slice(w.request.bucket.prefix.length, -1);
    const task = async (paths: string[]) => {
      const { DataRepositoryTask } = await w.fileSystem.fsx.send(
        new CreateDataRepositoryTaskCommand({ Type: 'EXPORT_TO_REPOSITORY', FileSystemId: fsId, Paths: paths, Report: { Enabled: false } }),
      );
      w.sandbox.clock.advance(90);
      return (await w.fileSystem.fsx.send(new DescribeDataRepositoryTasksCommand({ TaskIds: [DataRepositoryTask!.TaskId!] }))).DataRepositoryTasks![0]!;
    };
    const fsRelative = `${w.request.fileSystem.fileSystemPath.slice(1)}/${dir}`;
    // Only an imported, unchanged file there: nothing to export.
    expect(await task([fsRelative])).toMatchObject({ Lifecycle: 'SUCCEEDED', Status: { TotalCount: 0 } });
    expect(await task([`${fsRelative}/nope`])).toMatchObject({ Lifecycle: 'FAILED', FailureDetails: { Message: expect.stringContaining('not valid') } });
    const mnt = w.request.testExport.mountPath;
    const fsState = w.sandbox.state.fileSystems[fsId]!;
    await runOnClient(w.sandbox, w.fileSystem.ssm, w.request.testExport.clientInstanceId!, [
      `mkdir -p ${mnt}`,
      `mountpoint -q ${mnt} || mount -t lustre -o relatime,flock ${fsState.dnsName}@tcp:/${fsState.mountName} ${mnt}`,
      `printf '%s\\n' 'new' > ${mnt}/${fsRelative}/new.txt`,
    ]);
    expect(await task([fsRelative])).toMatchObject({ Status: { TotalCount: 1 } });
  });
});
