// Lambda entry of the CheckClientInstance state.
import { EC2Client } from '@aws-sdk/client-ec2';
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { checkClientInstance } from './check-client-instance.js';

export const handler = makeLambdaHandler(checkClientInstance, { ec2: EC2Client });
