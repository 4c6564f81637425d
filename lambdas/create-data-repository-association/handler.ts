// Lambda entry of the CreateDataRepositoryAssociation state.
import { FSxClient } from '@aws-sdk/client-fsx';
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { createDataRepositoryAssociation } from './create-data-repository-association.js';

export const handler = makeLambdaHandler(createDataRepositoryAssociation, { fsx: FSxClient });
