// Lambda entry of the WaitForServiceLinkedRole state.
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { waitForServiceLinkedRole } from './wait-for-service-linked-role.js';

export const handler = makeLambdaHandler(waitForServiceLinkedRole);
