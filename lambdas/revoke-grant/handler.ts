// Lambda entry of the RevokeGrant state.
import { KMSClient } from '@aws-sdk/client-kms';
import { makeLambdaHandler } from '../shared/lambda-entry.js';
import { revokeGrant } from './revoke-grant.js';

export const handler = makeLambdaHandler(revokeGrant, { kms: KMSClient });
