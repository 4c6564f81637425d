// Lambda entry of the WaitForFileSystemDeletion state.
import { FSxClient } from '@aws-sdk/client-fsx';
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { waitForFileSystemDeletion } from './wait-for-file-system-deletion.js';

export const handler = makeLambdaHandler(waitForFileSystemDeletion, { fsx: FSxClient });
