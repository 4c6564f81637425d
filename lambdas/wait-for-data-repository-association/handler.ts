// Lambda entry of the WaitForDataRepositoryAssociation state.
import { FSxClient } from '@aws-sdk/client-fsx';
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { waitForDataRepositoryAssociation } from './wait-for-data-repository-association.js';

export const handler = makeLambdaHandler(waitForDataRepositoryAssociation, { fsx: FSxClient });
