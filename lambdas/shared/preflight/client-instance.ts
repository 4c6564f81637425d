// The Lustre client the test export runs on ("lustre-client" mode): it must be managed by SSM and
// online, or StartTestExport's SendCommand fails after the file system has been created. Whether
// its instance type supports encryption in transit warns unless the request requires it: the
// export works without it, the traffic to the file system is then not encrypted
// (DescribeInstanceTypes, NetworkInfo.EncryptionInTransitSupported; FSx Lustre User Guide,
// "Encrypting data in transit").
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { OnboardingRequest } from '../../../core/request.js';
import { readEncryptionInTransit } from '../encryption-in-transit.js';
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

/**
 * Preflight's view of CheckClientInstance (check-client-instance/check-client-instance.ts): a type without
 * encryption in transit warns, and fails when the request requires it; a client whose type cannot
 * be read fails, as CheckClientInstance refuses it.
 */
export async function encryptionInTransitCheck(ec2: EC2Client, request: OnboardingRequest, instanceId: string): Promise<CheckResult> {
  const name = 'clientEncryptionInTransit';
  const required = request.testExport.requireEncryptionInTransit;
  const reading = await readEncryptionInTransit(ec2, instanceId, request.region);
  if (!reading.ok) return { name, status: reading.problem === 'not-ec2' && !required ? 'warn' : 'fail', detail: reading.reason };
  const { instanceType, supported } = reading.value;
  if (supported) return { name, status: 'pass', detail: `${instanceId} (${instanceType}) encrypts its traffic to the file system in transit` };
  return {
    name,
    status: required ? 'fail' : 'warn',
    detail: `${instanceId} (${instanceType}) does not support encryption in transit: its Lustre traffic is not encrypted on the network${required ? ' (testExport.requireEncryptionInTransit refuses it)' : ''}`,
  };
}
