// Lambda entry of the CreateFileSystem state.
import { FSxClient } from '@aws-sdk/client-fsx';
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { createFileSystem } from './create-file-system.js';

export const handler = makeLambdaHandler(createFileSystem, { fsx: FSxClient });
