// Lambda entry of the VerifyExport state.
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { verifyExport } from './verify-export.js';

export const handler = makeLambdaHandler(verifyExport);
