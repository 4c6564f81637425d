// Lambda entry of the WaitForFileSystem state.
import { FSxClient } from '@aws-sdk/client-fsx';
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { waitForFileSystem } from './wait-for-file-system.js';

export const handler = makeLambdaHandler(waitForFileSystem, { fsx: FSxClient });
