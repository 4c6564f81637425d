// Whether the Lustre client encrypts its traffic to the file system: FSx for Lustre encrypts data
// in transit automatically when the file system is accessed from an EC2 instance whose type
// supports it (FSx Lustre User Guide, "Encrypting data in transit"). The blog checks the type with
// `describe-instance-types` (network-info.encryption-in-transit-supported); this reads the
// instance's type (DescribeInstances) and that flag (DescribeInstanceTypes), both regional: a type
// the region does not offer is unknown to DescribeInstanceTypes there.
import { DescribeInstancesCommand, DescribeInstanceTypesCommand, type _InstanceType, type EC2Client } from '@aws-sdk/client-ec2';
import { errorName } from '../../core/errors.js';
import type { EncryptionInTransit } from '../../core/step-outputs.js';

/** Why the flag could not be read: not an EC2 instance, no such instance, or a type the region does not know. */
type InTransitProblem = 'not-ec2' | 'no-instance' | 'type-not-offered';

export type InTransitReading = { ok: true; value: EncryptionInTransit } | { ok: false; problem: InTransitProblem; reason: string };

export async function readEncryptionInTransit(ec2: EC2Client, instanceId: string, region: string): Promise<InTransitReading> {
  // Managed instances outside EC2 (mi-…: on premises, other clouds) have no EC2 instance type.
  if (!instanceId.startsWith('i-'))
    return { ok: false, problem: 'not-ec2', reason: `${instanceId} is a managed instance outside EC2: it has no EC2 instance type to ask about` };
  let type: string | undefined;
  try {
    const { Reservations } = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    type = Reservations?.flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === instanceId)?.InstanceType;
  } catch (e) {
    if (!errorName(e).startsWith('InvalidInstanceID')) throw e;
    return {
      ok: false,
      problem: 'no-instance',
      reason: `instance ${instanceId} does not exist in the file system's account in ${region} (DescribeInstances: ${errorName(e)})`,
    };
  }
  if (!type) return { ok: false, problem: 'no-instance', reason: `DescribeInstances does not list instance ${instanceId} in ${region}` };
  const notOffered = `instance ${instanceId}'s type ${type} is not offered in ${region}: DescribeInstanceTypes there does not know it, so whether it encrypts in transit cannot be read`;
  try {
    const { InstanceTypes } = await ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: [type as _InstanceType] }));
    const found = InstanceTypes?.find((t) => t.InstanceType === type);
    if (!found) return { ok: false, problem: 'type-not-offered', reason: notOffered };
    return { ok: true, value: { instanceType: type, supported: found.NetworkInfo?.EncryptionInTransitSupported === true } };
  } catch (e) {
    if (errorName(e) !== 'InvalidInstanceType') throw e;
    return { ok: false, problem: 'type-not-offered', reason: notOffered };
  }
}
