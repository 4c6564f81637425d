// Lambda entry of the WaitForServiceLinkedRole state.
import { IAMClient } from '@aws-sdk/client-iam';
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { waitForServiceLinkedRole } from './wait-for-service-linked-role.js';

export const handler = makeLambdaHandler(waitForServiceLinkedRole, { iam: IAMClient });
