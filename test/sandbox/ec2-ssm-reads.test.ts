// The EC2 and SSM reads preflight makes with the file-system role: the network as FSx will see it,
// the client instance's type and its SSM agent's status; and Run Command refusing an offline agent.
import { DescribeInstancesCommand, DescribeInstanceTypesCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import { DescribeInstanceInformationCommand, SendCommandCommand } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { world } from './world.js';

describe('sandbox EC2 and SSM reads', () => {
  it("describes the request's subnet and security group with their inbound rules, and names one that does not exist", async () => {
    const w = await world();
    const { Subnets } = await w.fileSystem.ec2.send(new DescribeSubnetsCommand({ SubnetIds: w.request.fileSystem.subnetIds }));
    expect(Subnets?.[0]).toMatchObject({ SubnetId: w.request.fileSystem.subnetIds[0], VpcId: expect.stringMatching(/^vpc-/) });
    const { SecurityGroups } = await w.fileSystem.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: w.request.fileSystem.securityGroupIds }));
    expect(SecurityGroups?.[0]?.IpPermissions).toEqual([
      { IpProtocol: 'tcp', FromPort: 988, ToPort: 988 },
      { IpProtocol: 'tcp', FromPort: 1018, ToPort: 1023 },
    ]);
    await expect(w.fileSystem.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ['sg-00000000000000000'] }))).rejects.toMatchObject({
      name: 'InvalidGroup.NotFound',
    });
  });

  it('answers UnauthorizedOperation to a role whose policy does not allow the read', async () => {
    const w = await world();
    await expect(w.bucket.ec2.send(new DescribeSubnetsCommand({ SubnetIds: w.request.fileSystem.subnetIds }))).rejects.toMatchObject({
      name: 'UnauthorizedOperation',
      $metadata: { httpStatusCode: 403 },
    });
  });

  it("reports the client instance's type, whether it encrypts in transit, and its agent's status", async () => {
    const w = await world();
    const id = w.request.testExport.clientInstanceId!;
    w.sandbox.state.instances[id]!.instanceType = 'm5.large';
    const { Reservations } = await w.fileSystem.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
    expect(Reservations?.[0]?.Instances?.[0]?.InstanceType).toBe('m5.large');
    const { InstanceTypes } = await w.fileSystem.ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ['m5.large', 'm6i.large'] }));
    expect(InstanceTypes?.map((t) => t.NetworkInfo?.EncryptionInTransitSupported)).toEqual([false, true]);
    const info = await w.fileSystem.ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [id] }] }));
    expect(info.InstanceInformationList).toEqual([expect.objectContaining({ InstanceId: id, PingStatus: 'Online' })]);
    const other = await w.fileSystem.ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: ['i-00000000000000000'] }] }));
    expect(other.InstanceInformationList).toEqual([]);
  });

  it('refuses SendCommand to an instance whose agent is not Online', async () => {
    const w = await world();
    const id = w.request.testExport.clientInstanceId!;
    w.sandbox.state.instances[id]!.pingStatus = 'ConnectionLost';
    await expect(
      w.fileSystem.ssm.send(new SendCommandCommand({ InstanceIds: [id], DocumentName: 'AWS-RunShellScript', Parameters: { commands: ['true'] } })),
    ).rejects.toMatchObject({ name: 'InvalidInstanceId' });
  });
});
