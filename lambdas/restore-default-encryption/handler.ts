// Lambda entry of the RestoreDefaultEncryption state.
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { restoreDefaultEncryption } from './restore-default-encryption.js';

export const handler = makeLambdaHandler(restoreDefaultEncryption);
