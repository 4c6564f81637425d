// Lambda entry of the CreateDataRepositoryAssociation state.
import { FSxClient } from '@aws-sdk/client-fsx';
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { forState } from '../shared/per-repository.js';
import { createDataRepositoryAssociation } from './create-data-repository-association.js';

export const handler = makeLambdaHandler(forState('CreateDataRepositoryAssociation', createDataRepositoryAssociation), { fsx: FSxClient });
