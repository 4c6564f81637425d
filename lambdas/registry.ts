// Every state's handler, by state name: the local runner binds these to the ASL's Task
// states, and infra builds one function per entry (lambdas/<kebab-name>/handler.ts).
import type { StepName } from '../workflow/steps.js';
import type { StepHandler } from './shared/step-deps.js';
import { forState } from './shared/per-repository.js';
import { validateRequestStep } from './validate-request/validate-request.js';
import { checkClientInstance } from './check-client-instance/check-client-instance.js';
import { putBucketAccessPolicy } from './put-bucket-access-policy/put-bucket-access-policy.js';
import { shareKey } from './share-key/share-key.js';
import { setDefaultEncryption } from './set-default-encryption/set-default-encryption.js';
import { createFileSystem } from './create-file-system/create-file-system.js';
import { waitForFileSystem } from './wait-for-file-system/wait-for-file-system.js';
import { createDataRepositoryAssociation } from './create-data-repository-association/create-data-repository-association.js';
import { waitForDataRepositoryAssociation } from './wait-for-data-repository-association/wait-for-data-repository-association.js';
import { waitForServiceLinkedRole } from './wait-for-service-linked-role/wait-for-service-linked-role.js';
import { narrowBucketPolicy } from './narrow-bucket-policy/narrow-bucket-policy.js';
import { createGrant } from './create-grant/create-grant.js';
import { startTestExport } from './start-test-export/start-test-export.js';
import { waitForTestExport } from './wait-for-test-export/wait-for-test-export.js';
import { verifyExport } from './verify-export/verify-export.js';
import { removeTestExport } from './remove-test-export/remove-test-export.js';
import { revokeGrant } from './revoke-grant/revoke-grant.js';
import { cleanUpTestExport } from './clean-up-test-export/clean-up-test-export.js';
import { removeBucketAccess } from './remove-bucket-access/remove-bucket-access.js';
import { deleteDataRepositoryAssociation } from './delete-data-repository-association/delete-data-repository-association.js';
import { waitForDataRepositoryAssociationDeletion } from './wait-for-data-repository-association-deletion/wait-for-data-repository-association-deletion.js';
import { deleteFileSystem } from './delete-file-system/delete-file-system.js';
import { waitForFileSystemDeletion } from './wait-for-file-system-deletion/wait-for-file-system-deletion.js';
import { restoreDefaultEncryption } from './restore-default-encryption/restore-default-encryption.js';
import { unshareKey } from './unshare-key/unshare-key.js';

// biome-ignore lint/suspicious/noExplicitAny: each handler has its own output type
const steps: Record<StepName, StepHandler<any>> = {
  ValidateRequest: validateRequestStep,
  CheckClientInstance: checkClientInstance,
  PutBucketAccessPolicy: putBucketAccessPolicy,
  ShareKey: shareKey,
  SetDefaultEncryption: setDefaultEncryption,
  CreateFileSystem: createFileSystem,
  WaitForFileSystem: waitForFileSystem,
  CreateDataRepositoryAssociation: createDataRepositoryAssociation,
  WaitForDataRepositoryAssociation: waitForDataRepositoryAssociation,
  WaitForServiceLinkedRole: waitForServiceLinkedRole,
  NarrowBucketPolicy: narrowBucketPolicy,
  CreateGrant: createGrant,
  StartTestExport: startTestExport,
  WaitForTestExport: waitForTestExport,
  VerifyExport: verifyExport,
  RemoveTestExport: removeTestExport,
  RevokeGrant: revokeGrant,
  CleanUpTestExport: cleanUpTestExport,
  RemoveBucketAccess: removeBucketAccess,
  DeleteDataRepositoryAssociation: deleteDataRepositoryAssociation,
  WaitForDataRepositoryAssociationDeletion: waitForDataRepositoryAssociationDeletion,
  DeleteFileSystem: deleteFileSystem,
  WaitForFileSystemDeletion: waitForFileSystemDeletion,
  RestoreDefaultEncryption: restoreDefaultEncryption,
  UnshareKey: unshareKey,
};

/** Each state's handler; a per-repository state's runs its step for every repository (per-repository.ts). */
// biome-ignore lint/suspicious/noExplicitAny: each handler has its own output type
export const stepHandlers: Record<StepName, StepHandler<any>> = Object.fromEntries(
  Object.entries(steps).map(([name, step]) => [name, forState(name as StepName, step)]),
) as typeof steps;
