// Lambda entry of the SetDefaultEncryption state.
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { setDefaultEncryption } from './set-default-encryption.js';

export const handler = makeLambdaHandler(setDefaultEncryption);
