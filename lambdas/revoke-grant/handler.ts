// Lambda entry of the RevokeGrant state.
import { KMSClient } from '@aws-sdk/client-kms';
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { forState } from '../shared/per-repository.js';
import { revokeGrant } from './revoke-grant.js';

export const handler = makeLambdaHandler(forState('RevokeGrant', revokeGrant), { kms: KMSClient });
