// Poll: FSx creates AWSServiceRoleForFSxS3Access_<fs-id> with the DRA (PERSISTENT_2) or the
// file system (legacy types). Its exact ARN is what the bucket policy and the grant name.
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { ErrorNames, OnboardingError } from '../../core/errors.js';
import { SERVICE_LINKED_ROLE_PATH, serviceLinkedRoleName } from '../../core/naming.js';
import { clientsFor, isErrorNamed, pollCount } from '../shared/step-support.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from '../shared/step-deps.js';
import { requireOutput, type WaitForServiceLinkedRoleOutput } from '../../core/step-outputs.js';

export async function waitForServiceLinkedRole(input: StepInput, deps: StepDeps<'iam'>): Promise<WaitForServiceLinkedRoleOutput> {
  const poll = pollCount(input, 'WaitForServiceLinkedRole');
  const fileSystemId = requireOutput(input, 'CreateFileSystem', 'fileSystemId', 'WaitForServiceLinkedRole');
  const roleName = serviceLinkedRoleName(fileSystemId);
  const { iam } = clientsFor(input, deps, 'fileSystem');
  try {
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: roleName }));
    if (Role?.Path !== SERVICE_LINKED_ROLE_PATH || !Role.Arn) {
      // A look-alike role outside the service path is not the one FSx uses.
      throw new OnboardingError(
        ErrorNames.ServiceLinkedRoleInvalid,
        `Role ${roleName} has path ${Role?.Path}, not the FSx service path ${SERVICE_LINKED_ROLE_PATH}`,
      );
    }
    return { done: true, ...poll.counted, roleArn: Role.Arn };
  } catch (e) {
    if (!isErrorNamed(e, 'NoSuchEntityException', 'NoSuchEntity')) throw e;
    poll.giveUpIfNotDone(`service-linked role ${roleName} to exist in account ${input.context.accounts.fileSystem}`);
    return { done: false, ...poll.counted };
  }
}
