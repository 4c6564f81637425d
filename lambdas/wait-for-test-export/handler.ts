// Lambda entry of the WaitForTestExport state.
import { FSxClient } from '@aws-sdk/client-fsx';
import { SSMClient } from '@aws-sdk/client-ssm';
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { waitForTestExport } from './wait-for-test-export.js';

export const handler = makeLambdaHandler(waitForTestExport, { fsx: FSxClient, ssm: SSMClient });
