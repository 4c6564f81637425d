// Names of the deployed state machines: what ops, the CLI and the API refer to.
export const stateMachineNames = {
  rollbackOnFailure: 'fsx-onboard-rollback-on-failure',
  stopOnFailure: 'fsx-onboard-stop-on-failure',
  rollback: 'fsx-onboard-rollback',
} as const;
export type MachineKey = keyof typeof stateMachineNames;

export const ORCHESTRATOR_STACK = 'FsxOnboardOrchestrator';
export const targetRolesStackName = (account: string): string => `FsxOnboardTargetRoles-${account}`;
