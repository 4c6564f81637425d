// Lambda entry of the CleanUpTestExport state.
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { cleanUpTestExport } from './clean-up-test-export.js';

export const handler = makeLambdaHandler(cleanUpTestExport);
