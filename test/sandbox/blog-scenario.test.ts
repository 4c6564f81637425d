// The blog's scenario at the service level: cross-account bucket (B) encrypted with a key in
// C, file system in A. Without a KMS grant for the SLR, reading through the mount fails with
// "No data available" and exporting silently does nothing; CloudTrail tells why. With it, both work.
import { AUTO_IMPORT_SECONDS } from '../../sandbox/services/fsx-links.js';
import { GRANT_PROPAGATION_MS } from '../../sandbox/services/kms.js';
import { LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { CreateDataRepositoryAssociationCommand, CreateFileSystemCommand, DescribeFileSystemsCommand } from '@aws-sdk/client-fsx';
import { CreateGrantCommand } from '@aws-sdk/client-kms';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { awaitDelivery, canaryKey, persistent2FileSystem, runOnClient, shareBucketAndKey, trailReader, world } from './world.js';

type World = Awaited<ReturnType<typeof world>>;

async function linkedFileSystem(w: World, autoExport = false) {
  await shareBucketAndKey(w);
  const { FileSystem } = await w.fileSystem.fsx.send(new CreateFileSystemCommand(persistent2FileSystem(w)));
  const id = FileSystem!.FileSystemId!;
  await w.fileSystem.fsx.send(
    new CreateDataRepositoryAssociationCommand({
      FileSystemId: id,
      FileSystemPath: w.request.fileSystem.fileSystemPath,
      DataRepositoryPath: `s3://${w.request.bucket.name}/${w.request.bucket.prefix}`,
      BatchImportMetaDataOnCreate: true,
      S3: {
        AutoImportPolicy: { Events: ['NEW' as const, 'CHANGED' as const] },
        ...(autoExport ? { AutoExportPolicy: { Events: ['NEW' as const, 'CHANGED' as const] } } : {}),
      },
    }),
  );
  w.sandbox.clock.advance(600 + 13 * 60 + 1);
  const described = (await w.fileSystem.fsx.send(new DescribeFileSystemsCommand({ FileSystemIds: [id] }))).FileSystems![0]!;
  const mnt = w.request.testExport.mountPath;
  const dir = `${mnt}${w.request.fileSystem.fileSystemPath}/${canaryKey(w, '').slice(w.request.bucket.prefix.length, -1)}`;
  const mount = [
    `mkdir -p ${mnt}`,
    `mountpoint -q ${mnt} || mount -t lustre -o relatime,flock ${described.DNSName}@tcp:/${described.LustreConfiguration!.MountName} ${mnt}`,
    `mkdir -p ${dir}`,
  ];
  const slr = `arn:aws:iam::${w.a}:role/aws-service-role/s3.data-source.lustre.fsx.amazonaws.com/AWSServiceRoleForFSxS3Access_${id}`;
  return { id, dir, mount, slr, instance: w.request.testExport.clientInstanceId! };
}

/** KMS events in CloudTrail of A (the SLR's account) or C (the key's), once CloudTrail has delivered them. */
async function kmsEvents(w: World, account: 'A' | 'C', eventName: string) {
  awaitDelivery(w);
  const clients = account === 'A' ? w.fileSystem : trailReader(w, 'key');
  const { Events } = await clients.cloudtrail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: eventName }] }));
  return (Events ?? []).map((e) => JSON.parse(e.CloudTrailEvent!) as Record<string, any>);
}

// From account A, as the FSx Lustre User Guide requires (shareBucketAndKey wrote the key statement for it).
const grant = (w: World, slr: string) =>
  w.fileSystem.kms.send(
    new CreateGrantCommand({
      KeyId: w.request.key.arn,
      GranteePrincipal: slr,
      Name: `fsx-onboard-${w.request.requestId}`,
      Operations: ['Decrypt', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'CreateGrant', 'DescribeKey', 'ReEncryptFrom', 'ReEncryptTo'],
    }),
  );

describe("the blog's cross-account scenario in the sandbox", () => {
  it("cannot read an S3 object through the mount without a grant, and CloudTrail in A (the caller's account, only) has the blog message", async () => {
    const w = await world();
    const fs = await linkedFileSystem(w);
    await w.bucket.s3.send(
      new PutObjectCommand({ Bucket: w.request.bucket.name, Key: canaryKey(w, 'from-s3.txt'), Body: 'this is encrypted using cmk symmetric key\n' }),
    );
    // FSx imports the object asynchronously, once auto-import processed the bucket's event.
    w.sandbox.clock.advance(AUTO_IMPORT_SECONDS);
    const read = await runOnClient(w.sandbox, w.fileSystem.ssm, fs.instance, [...fs.mount, `cat ${fs.dir}/from-s3.txt`]);
    expect(read).toMatchObject({ Status: 'Failed', ResponseCode: 1, StandardErrorContent: `cat: ${fs.dir}/from-s3.txt: No data available\n` });
    const message = `User: arn:aws:sts::${w.a}:assumed-role/AWSServiceRoleForFSxS3Access_${fs.id}/FSx is not authorized to perform: kms:Decrypt on resource: ${w.request.key.arn} because no identity-based policy allows the kms:Decrypt action`;
    const [decrypt] = await kmsEvents(w, 'A', 'Decrypt');
    expect(decrypt).toMatchObject({
      eventSource: 'kms.amazonaws.com',
      errorCode: 'AccessDenied',
      errorMessage: message,
      userIdentity: { invokedBy: 's3.amazonaws.com', accountId: w.a },
    });
    // KMS logs a denied cross-account request only in the caller's account, not the key owner's.
    expect(await kmsEvents(w, 'C', 'Decrypt')).toEqual([]);
  });

  it('reads it once the grant has propagated', async () => {
    const w = await world();
    const fs = await linkedFileSystem(w);
    await w.bucket.s3.send(
      new PutObjectCommand({ Bucket: w.request.bucket.name, Key: canaryKey(w, 'from-s3.txt'), Body: 'this is encrypted using cmk symmetric key\n' }),
    );
    // FSx imports the object asynchronously, once auto-import processed the bucket's event.
    w.sandbox.clock.advance(AUTO_IMPORT_SECONDS);
    await grant(w, fs.slr);
    // KMS grants are eventually consistent: at first the grant is not in effect yet.
    const early = await runOnClient(w.sandbox, w.fileSystem.ssm, fs.instance, [...fs.mount, `cat ${fs.dir}/from-s3.txt`]);
    expect(early.StandardErrorContent).toContain('No data available');
    w.sandbox.clock.advance(GRANT_PROPAGATION_MS / 1000);
    const read = await runOnClient(w.sandbox, w.fileSystem.ssm, fs.instance, [`cat ${fs.dir}/from-s3.txt`]);
    expect(read).toMatchObject({ Status: 'Success', ResponseCode: 0, StandardOutputContent: 'this is encrypted using cmk symmetric key\n' });
  });

  it('lets lfs hsm_archive exit 0 without a grant while nothing lands in S3 and CloudTrail has GenerateDataKey AccessDenied', async () => {
    const w = await world();
    const fs = await linkedFileSystem(w);
    const file = `${fs.dir}/to-s3.txt`;
    const archive = await runOnClient(w.sandbox, w.fileSystem.ssm, fs.instance, [
      ...fs.mount,
      `printf '%s\\n' 'canary from the client' > ${file}`,
      `lfs hsm_archive ${file}`,
      `lfs hsm_action ${file}`,
    ]);
    expect(archive).toMatchObject({ Status: 'Success', ResponseCode: 0, StandardOutputContent: `${file}: ARCHIVE\n`, StandardErrorContent: '' });
    w.sandbox.clock.advance(30);
    const after = await runOnClient(w.sandbox, w.fileSystem.ssm, fs.instance, [`lfs hsm_action ${file}`]);
    expect(after.StandardOutputContent).toBe(`${file}: NOOP\n`);
    // The bucket role may list the bucket (ValidateRequest samples its objects), so S3 answers a missing key with 404.
    await expect(w.bucket.s3.send(new HeadObjectCommand({ Bucket: w.request.bucket.name, Key: canaryKey(w, 'to-s3.txt') }))).rejects.toMatchObject({
      name: 'NotFound',
      $metadata: { httpStatusCode: 404 },
    });
    expect(w.sandbox.state.buckets[w.request.bucket.name]!.objects).toEqual({});
    expect(await kmsEvents(w, 'C', 'GenerateDataKey')).toEqual([]);
    const [denied] = await kmsEvents(w, 'A', 'GenerateDataKey');
    expect(denied).toMatchObject({
      errorCode: 'AccessDenied',
      errorMessage: `User: arn:aws:sts::${w.a}:assumed-role/AWSServiceRoleForFSxS3Access_${fs.id}/FSx is not authorized to perform: kms:GenerateDataKey on resource: ${w.request.key.arn} because no identity-based policy allows the kms:GenerateDataKey action`,
    });
  });

  it('exports with the grant: the object lands encrypted with the key', async () => {
    const w = await world();
    const fs = await linkedFileSystem(w);
    await grant(w, fs.slr);
    w.sandbox.clock.advance(GRANT_PROPAGATION_MS / 1000);
    const file = `${fs.dir}/to-s3.txt`;
    await runOnClient(w.sandbox, w.fileSystem.ssm, fs.instance, [...fs.mount, `printf '%s\\n' 'canary from the client' > ${file}`, `lfs hsm_archive ${file}`]);
    w.sandbox.clock.advance(30);
    const head = await w.bucket.s3.send(new HeadObjectCommand({ Bucket: w.request.bucket.name, Key: canaryKey(w, 'to-s3.txt') }));
    expect(head).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: w.request.key.arn });
    // An allowed cross-account call is logged in both accounts.
    for (const account of ['A', 'C'] as const)
      expect(await kmsEvents(w, account, 'GenerateDataKey')).toEqual([expect.not.objectContaining({ errorCode: expect.anything() })]);
  });

  it('exports automatically on write with an AutoExportPolicy, and fails as silently without a grant', async () => {
    const w = await world();
    const fs = await linkedFileSystem(w, true);
    const file = `${fs.dir}/auto.txt`;
    const write = await runOnClient(w.sandbox, w.fileSystem.ssm, fs.instance, [...fs.mount, `printf '%s\\n' 'first' > ${file}`]);
    expect(write).toMatchObject({ Status: 'Success', ResponseCode: 0 });
    w.sandbox.clock.advance(40);
    expect(w.sandbox.state.buckets[w.request.bucket.name]!.objects).toEqual({});
    expect(await kmsEvents(w, 'A', 'GenerateDataKey')).toEqual([expect.objectContaining({ errorCode: 'AccessDenied' })]);
    await grant(w, fs.slr);
    w.sandbox.clock.advance(GRANT_PROPAGATION_MS / 1000);
    await runOnClient(w.sandbox, w.fileSystem.ssm, fs.instance, [`printf '%s\\n' 'second' > ${file}`]);
    w.sandbox.clock.advance(40);
    const exported = w.sandbox.state.buckets[w.request.bucket.name]!.objects[canaryKey(w, 'auto.txt')];
    expect(Buffer.from(exported!.bodyBase64, 'base64').toString()).toBe('second\n');
  });
});
