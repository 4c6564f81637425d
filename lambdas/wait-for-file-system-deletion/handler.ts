// Lambda entry of the WaitForFileSystemDeletion state.
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { waitForFileSystemDeletion } from './wait-for-file-system-deletion.js';

export const handler = makeLambdaHandler(waitForFileSystemDeletion);
