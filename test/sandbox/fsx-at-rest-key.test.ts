// CreateFileSystem with a customer managed KmsKeyId, as FSx treats it: persistent types only,
// symmetric and Enabled keys only, used with the caller's credentials through FSx (key policy
// and identity policy both), longer creation, KmsKeyId reported by DescribeFileSystems.
import { CreateFileSystemCommand, DescribeFileSystemsCommand, type CreateFileSystemCommandInput } from '@aws-sdk/client-fsx';
import { describe, expect, it } from 'vitest';
import { FILE_SYSTEM_CREATE_SECONDS, FILE_SYSTEM_CREATE_WITH_KEY_SECONDS } from '../../sandbox/services/fsx.js';
import { exampleRequest, world } from './world.js';

const FS_KEY = 'arn:aws:kms:us-east-1:111111111111:key/7c4e2a91-5b3d-4f6e-9a8b-1d2c3e4f5a6b';
type World = Awaited<ReturnType<typeof world>>;

const withKey = () =>
  exampleRequest((raw) => {
    raw['fileSystem'].kmsKeyArn = FS_KEY;
  });

function fsInput(w: World, extra: Partial<CreateFileSystemCommandInput> = {}): CreateFileSystemCommandInput {
  return {
    FileSystemType: 'LUSTRE',
    StorageCapacity: 1200,
    SubnetIds: w.request.fileSystem.subnetIds,
    SecurityGroupIds: w.request.fileSystem.securityGroupIds,
    KmsKeyId: FS_KEY,
    LustreConfiguration: { DeploymentType: 'PERSISTENT_2', PerUnitStorageThroughput: 125 },
    ...extra,
  };
}

const key = (w: World) => w.sandbox.state.keys[FS_KEY]!;

describe('sandbox FSx: a file system encrypted with its own key', () => {
  it('reports the KmsKeyId and takes longer to create than with the AWS managed key', async () => {
    const w = await world(withKey());
    const { FileSystem } = await w.fileSystem.fsx.send(new CreateFileSystemCommand(fsInput(w)));
    expect(FileSystem?.KmsKeyId).toBe(FS_KEY);
    const id = FileSystem!.FileSystemId!;
    const lifecycle = async () => (await w.fileSystem.fsx.send(new DescribeFileSystemsCommand({ FileSystemIds: [id] }))).FileSystems?.[0];
    w.sandbox.clock.advance(FILE_SYSTEM_CREATE_SECONDS['PERSISTENT_2']! + 10);
    expect((await lifecycle())?.Lifecycle).toBe('CREATING');
    w.sandbox.clock.advance(FILE_SYSTEM_CREATE_WITH_KEY_SECONDS - FILE_SYSTEM_CREATE_SECONDS['PERSISTENT_2']!);
    expect(await lifecycle()).toMatchObject({ Lifecycle: 'AVAILABLE', KmsKeyId: FS_KEY });
  });

  it('refuses a KmsKeyId for SCRATCH_2, whose keys FSx manages', async () => {
    const w = await world(withKey());
    const scratch = fsInput(w, { LustreConfiguration: { DeploymentType: 'SCRATCH_2' } });
    await expect(w.fileSystem.fsx.send(new CreateFileSystemCommand(scratch))).rejects.toMatchObject({ name: 'BadRequest', message: /SCRATCH_2/ });
  });

  it('refuses a key whose policy neither allows the caller nor delegates to its account', async () => {
    const w = await world(withKey());
    key(w).policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: 'OnlyAdmins', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:role/key-admin' }, Action: 'kms:*', Resource: '*' }],
    });
    await expect(w.fileSystem.fsx.send(new CreateFileSystemCommand(fsInput(w)))).rejects.toMatchObject({ name: 'BadRequest', message: /kms:CreateGrant/ });
    expect(Object.keys(w.sandbox.state.fileSystems)).toHaveLength(0);
  });

  it('refuses a key when the caller reaches it only outside FSx (the kms:ViaService condition)', async () => {
    const w = await world(withKey());
    key(w).policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Root', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'kms:*', Resource: '*' },
        {
          Sid: 'NoDecryptThroughFsx',
          Effect: 'Deny',
          Principal: '*',
          Action: 'kms:Decrypt',
          Resource: '*',
          Condition: { StringEquals: { 'kms:ViaService': 'fsx.us-east-1.amazonaws.com' } },
        },
      ],
    });
    await expect(w.fileSystem.fsx.send(new CreateFileSystemCommand(fsInput(w)))).rejects.toMatchObject({ name: 'BadRequest', message: /kms:Decrypt/ });
  });

  it("needs the creator's identity policy too when the key policy only delegates to the account", async () => {
    const w = await world(withKey());
    const role = w.sandbox.state.roles['arn:aws:iam::111111111111:role/fsx-onboard-filesystem']!;
    for (const doc of Object.values(role.inlinePolicies)) doc.Statement = doc.Statement.filter((s) => s.Sid !== 'FileSystemKeyThroughFsx');
    await expect(w.fileSystem.fsx.send(new CreateFileSystemCommand(fsInput(w)))).rejects.toMatchObject({
      name: 'BadRequest',
      message: /no identity-based policy allows the kms:CreateGrant/,
    });
  });

  it('refuses a disabled key and an asymmetric one', async () => {
    const w = await world(withKey());
    key(w).keyState = 'Disabled';
    await expect(w.fileSystem.fsx.send(new CreateFileSystemCommand(fsInput(w)))).rejects.toMatchObject({ name: 'BadRequest', message: /Disabled/ });
    key(w).keyState = 'Enabled';
    key(w).keySpec = 'RSA_2048';
    await expect(w.fileSystem.fsx.send(new CreateFileSystemCommand(fsInput(w)))).rejects.toMatchObject({ name: 'BadRequest', message: /symmetric/ });
  });

  it('refuses a key that does not exist', async () => {
    const w = await world(withKey());
    const missing = FS_KEY.replace('7c4e2a91', '00000000');
    await expect(w.fileSystem.fsx.send(new CreateFileSystemCommand(fsInput(w, { KmsKeyId: missing })))).rejects.toMatchObject({ name: 'BadRequest' });
  });
});
