// Lambda entry of the WaitForFileSystem state.
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { waitForFileSystem } from './wait-for-file-system.js';

export const handler = makeLambdaHandler(waitForFileSystem);
