// The Lustre client the test export runs on ("lustre-client" mode): it must be managed by SSM and
// online, or StartTestExport's SendCommand fails after the file system has been created. Whether
// its instance type supports encryption in transit only warns: the export works without it, the
// traffic to the file system is then not encrypted (DescribeInstanceTypes,
// NetworkInfo.EncryptionInTransitSupported; FSx Lustre User Guide, "Encrypting data in transit").
import { DescribeInstancesCommand, DescribeInstanceTypesCommand, type _InstanceType, type EC2Client } from '@aws-sdk/client-ec2';
import { DescribeInstanceInformationCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { CheckResult } from './types.js';

export async function clientManagedCheck(ssm: SSMClient, instanceId: string): Promise<CheckResult> {
  const name = 'clientInstance';
  const { InstanceInformationList } = await ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [instanceId] }] }));
  const info = InstanceInformationList?.find((i) => i.InstanceId === instanceId);
  if (!info)
    return {
      name,
      status: 'fail',
      detail: `${instanceId} is not managed by SSM in this account and region: StartTestExport could not send it the export commands`,
    };
  if (info.PingStatus !== 'Online')
    return { name, status: 'fail', detail: `${instanceId}'s SSM agent is ${info.PingStatus}, not Online: StartTestExport's SendCommand would fail` };
  return { name, status: 'pass', detail: `${instanceId} is managed by SSM and Online` };
}

export async function encryptionInTransitCheck(ec2: EC2Client, instanceId: string): Promise<CheckResult> {
  const name = 'clientEncryptionInTransit';
  // Managed instances outside EC2 (mi-…) have no EC2 instance type to ask about.
  if (!instanceId.startsWith('i-')) return { name, status: 'warn', detail: `${instanceId} is not an EC2 instance: its encryption in transit is not known` };
  const { Reservations } = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  const type = Reservations?.[0]?.Instances?.[0]?.InstanceType;
  if (!type) return { name, status: 'warn', detail: `DescribeInstances did not report ${instanceId}'s instance type` };
  const { InstanceTypes } = await ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: [type as _InstanceType] }));
  const supported = InstanceTypes?.[0]?.NetworkInfo?.EncryptionInTransitSupported;
  return supported
    ? { name, status: 'pass', detail: `${instanceId} (${type}) encrypts its traffic to the file system in transit` }
    : {
        name,
        status: 'warn',
        detail: `${instanceId} (${type}) does not support encryption in transit: its Lustre traffic is not encrypted on the network`,
      };
}
