// The target-account roles a step acts through. Shared by the client factory, the target
// roles' policies (policy/), the CDK stacks and the sandbox, so one name lives in one place.

/** Which target-account role a step acts through. */
export type TargetRole = 'fileSystem' | 'bucket' | 'key';

export const defaultTargetRoleNames: Record<TargetRole, string> = {
  fileSystem: 'fsx-onboard-filesystem',
  bucket: 'fsx-onboard-bucket',
  key: 'fsx-onboard-key',
};
