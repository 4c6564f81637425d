// Lambda entry of the DeleteFileSystem state.
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { deleteFileSystem } from './delete-file-system.js';

export const handler = makeLambdaHandler(deleteFileSystem);
