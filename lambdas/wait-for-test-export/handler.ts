// Lambda entry of the WaitForTestExport state.
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { waitForTestExport } from './wait-for-test-export.js';

export const handler = makeLambdaHandler(waitForTestExport);
