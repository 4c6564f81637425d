// EC2 networking as FSx sees it when it creates a file system. FSx describes the subnet, its
// VPC and route tables and the security groups with the CALLER's credentials (IAM context
// aws:CalledVia = fsx.amazonaws.com; AmazonFSxFullAccess grants these reads under exactly
// that condition), and refuses security groups that do not let Lustre traffic in: TCP 988
// and 1018-1023 (FSx Lustre User Guide, "File system access control with Amazon VPC").
// FSx makes these calls on the caller's behalf; `fsx-onboard plan` makes a few reads of its own
// through an EC2 client (the model at the end).
import { SimError } from '../errors.js';
import type { Call, Sim } from '../sim.js';
import type { SecurityGroupRule, SecurityGroupState, SubnetState } from '../state.js';
import type { ServiceModel } from './types.js';
import { DEFAULT_INSTANCE_TYPE, instanceTypesIn } from './ec2-instance-types.js';

/** What FSx reads with the caller's credentials before it creates a file system. */
const FSX_EC2_READS = ['ec2:DescribeSubnets', 'ec2:DescribeVpcs', 'ec2:DescribeRouteTables', 'ec2:DescribeSecurityGroups', 'ec2:GetSecurityGroupsForVpc'];
/** Ports the Lustre clients and servers talk on (LNET 988, and 1018-1023). */
const LUSTRE_PORTS = [988, 1018, 1019, 1020, 1021, 1022, 1023];
/** Inbound rules a default sandbox security group has: Lustre traffic, and nothing else. */
export const LUSTRE_RULES: SecurityGroupRule[] = [
  { protocol: 'tcp', fromPort: 988, toPort: 988 },
  { protocol: 'tcp', fromPort: 1018, toPort: 1023 },
];

export function vpcIdFor(subnetOrGroupId: string): string {
  return `vpc-${subnetOrGroupId.replace(/^\w+-/, '').padEnd(17, '0').slice(0, 17)}`;
}

export function ensureSubnet(sim: Sim, subnet: SubnetState): void {
  sim.state.subnets ??= {};
  sim.state.subnets[subnet.id] ??= subnet;
}

export function ensureSecurityGroup(sim: Sim, group: SecurityGroupState): void {
  sim.state.securityGroups ??= {};
  sim.state.securityGroups[group.id] ??= group;
}

const allows = (rule: SecurityGroupRule, port: number) => rule.protocol === '-1' || (rule.protocol === 'tcp' && rule.fromPort <= port && port <= rule.toPort);

/** Records an EC2 read FSx made for the caller, as CloudTrail shows it (invokedBy fsx). */
function recordRead(call: Call, eventName: string, error?: SimError): void {
  call.sim.record({
    caller: { ...call.caller, invokedBy: 'fsx.amazonaws.com' },
    service: 'ec2',
    eventName,
    region: call.region,
    requestParameters: {},
    ...(error ? { error: { code: 'Client.UnauthorizedOperation', message: error.message } } : {}),
    resources: [],
    recipients: [call.caller.account],
    management: true,
    readOnly: true,
  });
}

/**
 * The network checks of CreateFileSystem: the caller may read the subnet and security groups
 * (through FSx), they exist in the caller's account and region, share the subnet's VPC, and
 * together let Lustre traffic in.
 */
export function checkFileSystemNetwork(call: Call, subnetIds: string[], securityGroupIds: string[]): void {
  for (const action of FSX_EC2_READS) {
    const decision = call.sim.decide(call.caller, {
      action,
      resource: '*',
      resourceAccount: call.caller.account,
      context: { 'aws:CalledVia': ['fsx.amazonaws.com'] },
    });
    if (!decision.allowed) {
      const message = `User: ${call.caller.sessionArn} is not authorized to perform: ${action}`;
      // Sandbox wording: FSx reports the EC2 call it could not make with the caller's credentials.
      const error = new SimError('BadRequest', `Amazon FSx is unable to validate the network settings (${action} was denied to the caller): ${message}`);
      recordRead(call, action.slice(4), error);
      throw error;
    }
  }
  recordRead(call, 'DescribeSubnets');
  const mine = <T extends { account: string; region: string }>(found: T | undefined) =>
    found && found.account === call.caller.account && found.region === call.region;
  const subnet = call.sim.state.subnets?.[subnetIds[0]!];
  if (!mine(subnet)) throw new SimError('InvalidNetworkSettings', `The subnet ID '${subnetIds[0]}' does not exist`);
  // Without security groups FSx uses the VPC's default group, which lets its members talk on every port.
  const groups: SecurityGroupState[] = securityGroupIds.length
    ? []
    : [{ id: 'default', account: call.caller.account, region: call.region, vpcId: subnet!.vpcId, inbound: [{ protocol: '-1', fromPort: 0, toPort: 65535 }] }];
  for (const id of securityGroupIds) {
    const group = call.sim.state.securityGroups?.[id];
    if (!mine(group)) throw new SimError('InvalidNetworkSettings', `The security group ID '${id}' does not exist`);
    if (group!.vpcId !== subnet!.vpcId) throw new SimError('InvalidNetworkSettings', `The security group '${id}' does not belong to VPC '${subnet!.vpcId}'`);
    groups.push(group!);
  }
  const closed = LUSTRE_PORTS.filter((port) => !groups.some((g) => g.inbound.some((rule) => allows(rule, port))));
  if (closed.length) {
    throw new SimError(
      'InvalidNetworkSettings',
      `The file system cannot be created because the security groups provided (${securityGroupIds.join(', ')}) do not permit Lustre LNET network traffic on port ${closed[0]}.`,
    );
  }
}

/** EC2's Describe* actions support no resource-level permissions: they are authorized on "*". */
function authorizeDescribe(call: Call, action: string): void {
  call.sim.authorize('ec2', call.caller, { action, resource: '*', resourceAccount: call.caller.account });
}

const ids = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);
const inScope = (call: Call) => (found: { account: string; region: string } | undefined) =>
  !!found && found.account === call.caller.account && found.region === call.region;

/** The reads `fsx-onboard plan` makes with the file-system role (preflight: network and client instance). */
export const ec2: ServiceModel = {
  DescribeSubnets(call) {
    authorizeDescribe(call, 'ec2:DescribeSubnets');
    const mine = inScope(call);
    const wanted = ids(call.input.SubnetIds);
    const subnets = wanted.map((id) => {
      const subnet = call.sim.state.subnets?.[id];
      if (!mine(subnet)) throw new SimError('InvalidSubnetID.NotFound', `The subnet ID '${id}' does not exist`);
      return { SubnetId: id, VpcId: subnet!.vpcId, OwnerId: subnet!.account, State: 'available' };
    });
    return { Subnets: subnets };
  },

  DescribeSecurityGroups(call) {
    authorizeDescribe(call, 'ec2:DescribeSecurityGroups');
    const mine = inScope(call);
    const groups = ids(call.input.GroupIds).map((id) => {
      const group = call.sim.state.securityGroups?.[id];
      if (!mine(group)) throw new SimError('InvalidGroup.NotFound', `The security group '${id}' does not exist`);
      return {
        GroupId: id,
        VpcId: group!.vpcId,
        OwnerId: group!.account,
        IpPermissions: group!.inbound.map((rule) =>
          rule.protocol === '-1' ? { IpProtocol: '-1' } : { IpProtocol: rule.protocol, FromPort: rule.fromPort, ToPort: rule.toPort },
        ),
      };
    });
    return { SecurityGroups: groups };
  },

  DescribeInstances(call) {
    authorizeDescribe(call, 'ec2:DescribeInstances');
    const mine = inScope(call);
    const instances = ids(call.input.InstanceIds).map((id) => {
      const instance = call.sim.state.instances[id];
      if (!mine(instance)) throw new SimError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
      return { InstanceId: id, InstanceType: instance!.instanceType ?? DEFAULT_INSTANCE_TYPE, State: { Name: 'running' } };
    });
    return { Reservations: instances.length ? [{ Instances: instances }] : [] };
  },

  DescribeInstanceTypes(call) {
    authorizeDescribe(call, 'ec2:DescribeInstanceTypes');
    const offered = instanceTypesIn(call.sim.state, call.region);
    const named = ids(call.input.InstanceTypes);
    // A named type the region does not offer is an error, not an empty answer (EC2 API reference,
    // DescribeInstanceTypes; "The following supplied instance types do not exist: [...]").
    const unknown = named.filter((t) => !offered.has(t));
    if (unknown.length) throw new SimError('InvalidInstanceType', `The following supplied instance types do not exist: [${unknown.join(', ')}]`);
    const matching = (named.length ? named : [...offered.keys()]).filter((t) =>
      matchesFilters(t, offered.get(t)!.encryptionInTransitSupported, call.input.Filters),
    );
    return {
      InstanceTypes: matching.map((t) => ({ InstanceType: t, NetworkInfo: { EncryptionInTransitSupported: offered.get(t)!.encryptionInTransitSupported } })),
    };
  },
};

/** The two filters the blog's command and fsx-onboard use; any other is a sandbox limitation, said so. */
function matchesFilters(type: string, encryptionInTransit: boolean, filters: unknown): boolean {
  const list = Array.isArray(filters) ? (filters as { Name?: string; Values?: string[] }[]) : [];
  return list.every((filter) => {
    const values = filter.Values ?? [];
    if (filter.Name === 'instance-type') return values.some((v) => new RegExp(`^${v.replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`).test(type));
    if (filter.Name === 'network-info.encryption-in-transit-supported') return values.includes(String(encryptionInTransit));
    throw new SimError('InvalidParameterValue', `The sandbox does not model the DescribeInstanceTypes filter '${filter.Name}'`);
  });
}
