import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { waitForServiceLinkedRole } from '../../lambdas/wait-for-service-linked-role/wait-for-service-linked-role.js';
import { A, FS_ID, SLR_ARN, awsError, setup } from './fixtures.js';

const iam = mockClient(IAMClient);
const steps = { CreateFileSystem: { fileSystemId: FS_ID } };
const role = (Path: string) => ({ Role: { Path, RoleName: `AWSServiceRoleForFSxS3Access_${FS_ID}`, RoleId: 'AROA1', Arn: SLR_ARN, CreateDate: new Date() } });

beforeEach(() => iam.reset());

describe('WaitForServiceLinkedRole', () => {
  it('waits while IAM has no such role', async () => {
    iam.on(GetRoleCommand).rejects(awsError('NoSuchEntityException', 'The role cannot be found'));
    const { input, deps, clients } = setup('request.json', steps);
    await expect(waitForServiceLinkedRole(input, deps)).resolves.toEqual({ done: false, attempts: 1, waitSeconds: 10 });
    expect(iam).toHaveReceivedCommandWith(GetRoleCommand, { RoleName: `AWSServiceRoleForFSxS3Access_${FS_ID}` });
    expect(clients.targets).toEqual([`fileSystem@${A}`]);
  });

  it('returns the role ARN once it exists at the FSx service path', async () => {
    iam.on(GetRoleCommand).resolves(role('/aws-service-role/s3.data-source.lustre.fsx.amazonaws.com/'));
    const { input, deps } = setup('request.json', { ...steps, WaitForServiceLinkedRole: { done: false, attempts: 2 } });
    await expect(waitForServiceLinkedRole(input, deps)).resolves.toEqual({ done: true, attempts: 3, waitSeconds: 10, roleArn: SLR_ARN });
  });

  it('refuses a look-alike role outside the service path', async () => {
    iam.on(GetRoleCommand).resolves(role('/'));
    const { input, deps } = setup('request.json', steps);
    await expect(waitForServiceLinkedRole(input, deps)).rejects.toMatchObject({ name: 'ServiceLinkedRoleInvalid' });
  });

  it('gives up with PollTimedOut naming the role', async () => {
    iam.on(GetRoleCommand).rejects(awsError('NoSuchEntityException'));
    const { input, deps } = setup('request.json', { ...steps, WaitForServiceLinkedRole: { done: false, attempts: 59 } });
    await expect(waitForServiceLinkedRole(input, deps)).rejects.toMatchObject({
      name: 'PollTimedOut',
      message: expect.stringContaining(
        `WaitForServiceLinkedRole gave up after 60 checks waiting for service-linked role AWSServiceRoleForFSxS3Access_${FS_ID}`,
      ),
    });
  });

  it('lets AccessDenied from IAM through unchanged', async () => {
    iam.on(GetRoleCommand).rejects(awsError('AccessDenied'));
    const { input, deps } = setup('request.json', steps);
    await expect(waitForServiceLinkedRole(input, deps)).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});
