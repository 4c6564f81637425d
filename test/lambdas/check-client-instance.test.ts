// CheckClientInstance: the Lustre client's instance type and encryption in transit, read through
// the file-system role before any change, and the refusals testExport.requireEncryptionInTransit asks for.
import { DescribeInstancesCommand, DescribeInstanceTypesCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { checkClientInstance } from '../../lambdas/check-client-instance/check-client-instance.js';
import { A, awsError, mockClientInstance, setup } from './fixtures.js';

const requiring = (raw: Record<string, any>) => {
  raw['testExport'].requireEncryptionInTransit = true;
};

describe('CheckClientInstance', () => {
  it('reads the client through the file-system role in A: DescribeInstances, then DescribeInstanceTypes of its type', async () => {
    const ec2 = mockClientInstance('t3.medium', false);
    const { input, deps, clients } = setup();
    const out = await checkClientInstance(input, deps);
    expect(out).toEqual({ changed: false, encryptionInTransit: { instanceType: 't3.medium', supported: false } });
    expect(ec2).toHaveReceivedCommandExactlyOnceWith(DescribeInstancesCommand, { InstanceIds: ['i-0fedcba9876543210'] });
    expect(ec2).toHaveReceivedCommandExactlyOnceWith(DescribeInstanceTypesCommand, { InstanceTypes: ['t3.medium'] });
    expect(clients.targets).toEqual([`fileSystem@${A}`]);
  });

  it('reports a type that encrypts in transit, also when the request requires it', async () => {
    mockClientInstance('m6i.large', true);
    const { input, deps } = setup('request.json', {}, { edit: requiring });
    expect(await checkClientInstance(input, deps)).toEqual({ changed: false, encryptionInTransit: { instanceType: 'm6i.large', supported: true } });
  });

  it('refuses a type without encryption in transit when the request requires it, naming the field, the instance, its type and the rule', async () => {
    mockClientInstance('t3.medium', false);
    const { input, deps } = setup('request.json', {}, { edit: requiring });
    await expect(checkClientInstance(input, deps)).rejects.toMatchObject({
      name: 'EncryptionInTransitUnsupported',
      message: expect.stringMatching(
        /^testExport\.requireEncryptionInTransit: client instance i-0fedcba9876543210 is a t3\.medium, which does not support encryption in transit: .*NetworkInfo\.EncryptionInTransitSupported/,
      ),
    });
  });

  it('refuses a managed instance outside EC2 only when encryption in transit is required, and reports nothing for it', async () => {
    const ec2 = mockClientInstance();
    const managed = (raw: Record<string, any>) => {
      raw['testExport'].clientInstanceId = 'mi-0123456789abcdef0';
    };
    const { input, deps } = setup('request.json', {}, { edit: managed });
    expect(await checkClientInstance(input, deps)).toEqual({ changed: false });
    expect(ec2.calls()).toHaveLength(0);
    const required = setup(
      'request.json',
      {},
      {
        edit: (raw) => {
          managed(raw);
          requiring(raw);
        },
      },
    );
    await expect(checkClientInstance(required.input, required.deps)).rejects.toMatchObject({
      name: 'EncryptionInTransitUnsupported',
      message: expect.stringMatching(/^testExport\.requireEncryptionInTransit: mi-0123456789abcdef0 is a managed instance outside EC2/),
    });
  });

  it('refuses a client whose type the region does not offer (DescribeInstanceTypes answers InvalidInstanceType, or lists nothing)', async () => {
    const ec2 = mockClientInstance('m7i.large');
    const { input, deps } = setup();
    const refusal = {
      name: 'RequestInvalid',
      message: expect.stringMatching(/^testExport\.clientInstanceId: instance i-0fedcba9876543210's type m7i\.large is not offered in us-east-1/),
    };
    ec2.on(DescribeInstanceTypesCommand).rejects(awsError('InvalidInstanceType', 'The following supplied instance types do not exist: [m7i.large]'));
    await expect(checkClientInstance(input, deps)).rejects.toMatchObject(refusal);
    ec2.on(DescribeInstanceTypesCommand).resolves({ InstanceTypes: [] });
    await expect(checkClientInstance(input, deps)).rejects.toMatchObject(refusal);
  });

  it('refuses an instance EC2 does not know in A and the region, and lets other EC2 errors through', async () => {
    const ec2 = mockClientInstance();
    const { input, deps } = setup();
    ec2.on(DescribeInstancesCommand).rejects(awsError('InvalidInstanceID.NotFound', "The instance ID 'i-0fedcba9876543210' does not exist"));
    await expect(checkClientInstance(input, deps)).rejects.toMatchObject({
      name: 'RequestInvalid',
      message: expect.stringMatching(/^testExport\.clientInstanceId: instance i-0fedcba9876543210 does not exist .*InvalidInstanceID\.NotFound/),
    });
    ec2.on(DescribeInstancesCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    await expect(checkClientInstance(input, deps)).rejects.toMatchObject({ name: 'UnauthorizedOperation' });
  });

  it('reads no client in data-repository-task mode', async () => {
    const ec2 = mockClientInstance();
    const { input, deps } = setup('request-legacy.json');
    expect(await checkClientInstance(input, deps)).toEqual({ changed: false });
    expect(ec2.calls()).toHaveLength(0);
  });
});
