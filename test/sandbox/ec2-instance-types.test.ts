// DescribeInstanceTypes and DescribeInstances as the sandbox serves them: regional, authorised on
// "*" for the caller, types known by their real encryption in transit, seedable.
import { DescribeInstancesCommand, DescribeInstanceTypesCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { validateSeed } from '../../sandbox/index.js';
import { world } from './world.js';

describe('sandbox EC2 instance types', () => {
  it('knows real types with their NetworkInfo.EncryptionInTransitSupported, and filters as the blog does', async () => {
    const w = await world();
    const { InstanceTypes } = await w.fileSystem.ec2.send(
      new DescribeInstanceTypesCommand({ InstanceTypes: ['m6i.large', 'c5n.large', 'm5.large', 't3.medium'] }),
    );
    expect(InstanceTypes?.map((t) => [t.InstanceType, t.NetworkInfo?.EncryptionInTransitSupported])).toEqual([
      ['m6i.large', true],
      ['c5n.large', true],
      ['m5.large', false],
      ['t3.medium', false],
    ]);
    const supported = await w.fileSystem.ec2.send(
      new DescribeInstanceTypesCommand({ Filters: [{ Name: 'network-info.encryption-in-transit-supported', Values: ['true'] }] }),
    );
    const names = supported.InstanceTypes?.map((t) => t.InstanceType) ?? [];
    expect(names).toContain('m6i.large');
    expect(names).not.toContain('t3.medium');
    const family = await w.fileSystem.ec2.send(new DescribeInstanceTypesCommand({ Filters: [{ Name: 'instance-type', Values: ['m5*'] }] }));
    expect(family.InstanceTypes?.map((t) => t.InstanceType).sort()).toEqual(['m5.large', 'm5dn.large', 'm5n.large']);
  });

  it('does not know a type the region does not offer: InvalidInstanceType when named, absent from the listing', async () => {
    const w = await world();
    w.sandbox.state.instanceTypes = { 'm7i.large': { encryptionInTransitSupported: true, regions: ['eu-west-1'] } };
    await expect(w.fileSystem.ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ['m7i.large'] }))).rejects.toMatchObject({
      name: 'InvalidInstanceType',
      message: 'The following supplied instance types do not exist: [m7i.large]',
    });
    const { InstanceTypes } = await w.fileSystem.ec2.send(new DescribeInstanceTypesCommand({}));
    expect(InstanceTypes?.map((t) => t.InstanceType)).not.toContain('m7i.large');
  });

  it('answers UnauthorizedOperation to a caller without ec2:DescribeInstances or ec2:DescribeInstanceTypes', async () => {
    const w = await world();
    const id = w.request.testExport.clientInstanceId!;
    // The bucket role (account B) holds no EC2 permission at all.
    await expect(w.bucket.ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ['m6i.large'] }))).rejects.toMatchObject({
      name: 'UnauthorizedOperation',
      $metadata: { httpStatusCode: 403 },
    });
    await expect(w.bucket.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).rejects.toMatchObject({ name: 'UnauthorizedOperation' });
  });

  it("reports a seeded instance's type, and knows no instance of another account", async () => {
    const w = await world();
    const id = w.request.testExport.clientInstanceId!;
    const seed = validateSeed({
      instanceTypes: [{ instanceType: 'x9z.large', encryptionInTransitSupported: false }],
      instances: [{ id: 'i-0aaaaaaaaaaaaaaaa', accountId: '111111111111', region: 'us-east-1', instanceType: 'x9z.large' }],
    });
    if (!seed.ok) throw new Error(JSON.stringify(seed.problems));
    expect(w.sandbox.applySeed(seed.seed).conflicts).toEqual([]);
    const { Reservations } = await w.fileSystem.ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0aaaaaaaaaaaaaaaa'] }));
    expect(Reservations?.[0]?.Instances?.[0]?.InstanceType).toBe('x9z.large');
    const { InstanceTypes } = await w.fileSystem.ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ['x9z.large' as never] }));
    expect(InstanceTypes?.[0]?.NetworkInfo?.EncryptionInTransitSupported).toBe(false);
    w.sandbox.state.instances[id]!.account = '999999999999';
    await expect(w.fileSystem.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).rejects.toMatchObject({ name: 'InvalidInstanceID.NotFound' });
  });

  it('refuses a seed whose instance has a type neither built in nor seeded, and a type described twice', () => {
    const result = validateSeed({
      instanceTypes: [
        { instanceType: 'x9z.large', encryptionInTransitSupported: true },
        { instanceType: 'x9z.large', encryptionInTransitSupported: false },
      ],
      instances: [{ id: 'i-0aaaaaaaaaaaaaaaa', accountId: '111111111111', region: 'us-east-1', instanceType: 'q1.nano' }],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'instanceTypes.1', message: 'describes x9z.large a second time' }),
        expect.objectContaining({ field: 'instances.0.instanceType', message: expect.stringMatching(/q1\.nano is neither a built-in/) }),
      ]),
    );
  });
});
