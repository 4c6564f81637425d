// Lambda entry of the WaitForTestExport state.
import { FSxClient } from '@aws-sdk/client-fsx';
import { SSMClient } from '@aws-sdk/client-ssm';
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { forState } from '../shared/per-repository.js';
import { waitForTestExport } from './wait-for-test-export.js';

export const handler = makeLambdaHandler(forState('WaitForTestExport', waitForTestExport), { fsx: FSxClient, ssm: SSMClient });
