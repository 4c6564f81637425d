// Lambda entry of the DeleteDataRepositoryAssociation state.
import { FSxClient } from '@aws-sdk/client-fsx';
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { forState } from '../shared/per-repository.js';
import { deleteDataRepositoryAssociation } from './delete-data-repository-association.js';

export const handler = makeLambdaHandler(forState('DeleteDataRepositoryAssociation', deleteDataRepositoryAssociation), { fsx: FSxClient });
