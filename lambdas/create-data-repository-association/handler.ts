// Lambda entry of the CreateDataRepositoryAssociation state.
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { createDataRepositoryAssociation } from './create-data-repository-association.js';

export const handler = makeLambdaHandler(createDataRepositoryAssociation);
