// Lambda entry of the CreateFileSystem state.
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { createFileSystem } from './create-file-system.js';

export const handler = makeLambdaHandler(createFileSystem);
