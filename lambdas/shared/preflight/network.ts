// The file system's subnet and security groups, read directly: FSx refuses security groups that
// do not let Lustre traffic in — TCP 988 and 1018-1023 — but only at CreateFileSystem, after the
// bucket and key have changed ("… do not permit Lustre LNET network traffic on port 988"; FSx
// Lustre User Guide, "File system access control with Amazon VPC").
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand, type EC2Client, type IpPermission } from '@aws-sdk/client-ec2';
import type { OnboardingRequest } from '../../../core/request.js';
import type { CheckResult } from './types.js';

const LUSTRE_PORTS = [988, 1018, 1019, 1020, 1021, 1022, 1023];

const opens = (rule: IpPermission, port: number) =>
  rule.IpProtocol === '-1' || (rule.IpProtocol === 'tcp' && (rule.FromPort ?? 0) <= port && port <= (rule.ToPort ?? -1));

export async function networkCheck(ec2: EC2Client, request: OnboardingRequest): Promise<CheckResult> {
  const name = 'network';
  const { subnetIds, securityGroupIds } = request.fileSystem;
  const { Subnets } = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: subnetIds }));
  const vpcId = Subnets?.[0]?.VpcId;
  const { SecurityGroups } = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: securityGroupIds }));
  const groups = SecurityGroups ?? [];
  const elsewhere = groups.filter((g) => g.VpcId !== vpcId);
  if (elsewhere.length)
    return {
      name,
      status: 'fail',
      detail: `security group(s) ${elsewhere.map((g) => `${g.GroupId} (${g.VpcId})`).join(', ')} are not in ${subnetIds[0]}'s VPC ${vpcId}`,
    };
  const closed = LUSTRE_PORTS.filter((port) => !groups.some((g) => (g.IpPermissions ?? []).some((rule) => opens(rule, port))));
  if (closed.length)
    return {
      name,
      status: 'fail',
      detail: `the security groups ${securityGroupIds.join(', ')} do not let Lustre traffic in on TCP port(s) ${closed.join(', ')}: CreateFileSystem would fail; allow TCP 988 and 1018-1023 inbound (FSx Lustre User Guide, "File system access control with Amazon VPC")`,
    };
  return { name, status: 'pass', detail: `${subnetIds[0]} in ${vpcId}; ${securityGroupIds.join(', ')} let Lustre traffic in on TCP 988 and 1018-1023` };
}
