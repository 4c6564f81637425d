// Lambda entry of the WaitForDataRepositoryAssociationDeletion state.
import { FSxClient } from '@aws-sdk/client-fsx';
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { forState } from '../shared/per-repository.js';
import { waitForDataRepositoryAssociationDeletion } from './wait-for-data-repository-association-deletion.js';

export const handler = makeLambdaHandler(forState('WaitForDataRepositoryAssociationDeletion', waitForDataRepositoryAssociationDeletion), { fsx: FSxClient });
