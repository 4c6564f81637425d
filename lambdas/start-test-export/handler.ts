// Lambda entry of the StartTestExport state.
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { startTestExport } from './start-test-export.js';

export const handler = makeLambdaHandler(startTestExport);
