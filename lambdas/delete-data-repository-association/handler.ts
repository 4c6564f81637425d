// Lambda entry of the DeleteDataRepositoryAssociation state.
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { deleteDataRepositoryAssociation } from './delete-data-repository-association.js';

export const handler = makeLambdaHandler(deleteDataRepositoryAssociation);
