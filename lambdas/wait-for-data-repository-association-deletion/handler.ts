// Lambda entry of the WaitForDataRepositoryAssociationDeletion state.
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { waitForDataRepositoryAssociationDeletion } from './wait-for-data-repository-association-deletion.js';

export const handler = makeLambdaHandler(waitForDataRepositoryAssociationDeletion);
