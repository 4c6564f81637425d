// Lambda entry of the DeleteFileSystem state.
import { FSxClient } from '@aws-sdk/client-fsx';
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { deleteFileSystem } from './delete-file-system.js';

export const handler = makeLambdaHandler(deleteFileSystem, { fsx: FSxClient });
