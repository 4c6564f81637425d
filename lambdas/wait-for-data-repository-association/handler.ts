// Lambda entry of the WaitForDataRepositoryAssociation state.
import { FSxClient } from '@aws-sdk/client-fsx';
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { forState } from '../shared/per-repository.js';
import { waitForDataRepositoryAssociation } from './wait-for-data-repository-association.js';

export const handler = makeLambdaHandler(forState('WaitForDataRepositoryAssociation', waitForDataRepositoryAssociation), { fsx: FSxClient });
