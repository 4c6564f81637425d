// Lambda entry of the ValidateRequest state.
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { validateRequestStep } from './validate-request.js';

export const handler = makeLambdaHandler(validateRequestStep);
