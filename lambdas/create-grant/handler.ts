// Lambda entry of the CreateGrant state.
import { KMSClient } from '@aws-sdk/client-kms';
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { forState } from '../shared/per-repository.js';
import { createGrant } from './create-grant.js';

export const handler = makeLambdaHandler(forState('CreateGrant', createGrant), { kms: KMSClient });
