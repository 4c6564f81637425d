// The FSx for Lustre deployment types a request may name, apart from the request schema so
// that the policy code (and so most Lambda bundles) can use them without bundling zod.
export const deploymentTypes = ['PERSISTENT_2', 'PERSISTENT_1', 'SCRATCH_2'] as const;
export type DeploymentType = (typeof deploymentTypes)[number];
/** Types linked to S3 at file-system creation (ImportPath/ExportPath) rather than by a DRA. */
export const legacyLinkedTypes: readonly DeploymentType[] = ['PERSISTENT_1', 'SCRATCH_2'];
