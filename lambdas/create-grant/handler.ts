// Lambda entry of the CreateGrant state.
import { KMSClient } from '@aws-sdk/client-kms';
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { createGrant } from './create-grant.js';

export const handler = makeLambdaHandler(createGrant, { kms: KMSClient });
