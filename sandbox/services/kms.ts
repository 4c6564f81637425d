// KMS: keys with key policies and grants. Every call is authorised from the key policy, the
// caller's identity policies and the key's grants; cross-account callers must name the key
// by ARN. Grants take effect after a short propagation delay unless their token is presented.
import { createHash } from 'node:crypto';
import type { KmsGrant, PolicyDocument } from '../../policy/types.js';
import { accessDenied, SimError } from '../errors.js';
import { awsPrincipalsOf, policyAsRead, principalIsValid } from '../identity.js';
import type { Call, Sim } from '../sim.js';
import type { KeyState } from '../state.js';
import { nextHex } from '../state.js';
import type { ServiceModel } from './types.js';

/**
 * A new grant is used without its token after this long (AWS: "usually less than five
 * minutes"): long enough that exporting right after CreateGrant is denied, as it can be on AWS.
 */
export const GRANT_PROPAGATION_MS = 180_000;
export const KEY_POLICY_MAX_BYTES = 32 * 1024;
const GRANT_OPERATIONS = new Set([
  'Decrypt',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'ReEncryptFrom',
  'ReEncryptTo',
  'Sign',
  'Verify',
  'GetPublicKey',
  'CreateGrant',
  'RetireGrant',
  'DescribeKey',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
  'GenerateMac',
  'VerifyMac',
  'DeriveSharedSecret',
]);

/** An FSx for Lustre S3-access service-linked role; group 1 is its account. */
const FSX_S3_SLR = /^arn:aws:iam::(\d{12}):role\/aws-service-role\/s3\.data-source\.lustre\.fsx\.amazonaws\.com\//;

/**
 * Grant tokens. KMS issues a new token on every CreateGrant, also for a retry that returns the
 * same GrantId, and each one works. A token here names its grant and is sealed with a digest, so
 * any issued token maps back to its grant without storing every token ever issued.
 */
function tokenFor(grantId: string, nonce: string): string {
  const seal = createHash('sha256').update(`sandbox-grant:${grantId}:${nonce}`).digest('hex').slice(0, 16);
  return Buffer.from(`sandbox-grant-token:${grantId}:${nonce}:${seal}`).toString('base64');
}

/** The grant an issued token belongs to, or undefined for a token KMS never issued. */
function grantIdOfToken(token: string): string | undefined {
  const [tag, grantId, nonce, seal] = Buffer.from(token, 'base64').toString('utf8').split(':');
  if (tag !== 'sandbox-grant-token' || !grantId || !nonce || !seal) return undefined;
  return tokenFor(grantId, nonce) === token ? grantId : undefined;
}

/** Presented tokens as the evaluator knows them: each issued token stands for its grant's first token. */
function presentedTokens(grants: KmsGrant[], tokens: string[] | undefined): string[] | undefined {
  if (!tokens) return undefined;
  return tokens.map((t) => grants.find((g) => g.grantId === grantIdOfToken(t))?.grantToken ?? t);
}

/** Resolves a key id or ARN as KMS does: a bare key id only in the caller's account and region. */
export function resolveKey(sim: Sim, keyId: string, callerAccount: string, region: string): KeyState {
  const key = keyId.startsWith('arn:') ? sim.state.keys[keyId] : Object.values(sim.state.keys).find((k) => k.keyId === keyId && k.account === callerAccount);
  if (!key || key.region !== region) throw new SimError('NotFoundException', `Key '${keyId}' does not exist`);
  return key;
}

export function keyPolicyOf(key: KeyState): PolicyDocument {
  return JSON.parse(key.policy) as PolicyDocument;
}

function keyFor(call: Call, action: string, options: { sameAccountOnly?: boolean; context?: Record<string, string | string[]> } = {}): KeyState {
  const key = resolveKey(call.sim, String(call.input.KeyId ?? ''), call.caller.account, call.region);
  call.resources.push({ ARN: key.arn, accountId: key.account, type: 'AWS::KMS::Key' });
  call.resourceAccount = key.account;
  const request = { action, resource: key.arn, resourceAccount: key.account, context: { 'kms:CallerAccount': call.caller.account, ...options.context } };
  if (options.sameAccountOnly && key.account !== call.caller.account) {
    throw accessDenied(
      'kms',
      `User: ${call.caller.sessionArn} is not authorized to perform: ${action} on resource: ${key.arn} because ${action} cannot be called across accounts`,
    );
  }
  call.sim.authorize('kms', call.caller, request, {
    resourcePolicy: keyPolicyOf(key),
    kms: { grants: key.grants, grantTokens: presentedTokens(key.grants, call.input.GrantTokens) },
  });
  return key;
}

function keyMetadata(key: KeyState) {
  return {
    AWSAccountId: key.account,
    KeyId: key.keyId,
    Arn: key.arn,
    CreationDate: new Date(key.createdAt),
    Enabled: key.keyState === 'Enabled',
    Description: key.description,
    KeyUsage: key.keyUsage,
    KeyState: key.keyState,
    Origin: 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: key.keySpec,
    KeySpec: key.keySpec,
    EncryptionAlgorithms: key.keySpec === 'SYMMETRIC_DEFAULT' ? ['SYMMETRIC_DEFAULT'] : ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'],
    MultiRegion: false,
  };
}

function sameGrantParameters(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export const kms: ServiceModel = {
  DescribeKey(call) {
    return { KeyMetadata: keyMetadata(keyFor(call, 'kms:DescribeKey')) };
  },

  GetKeyPolicy(call) {
    const key = keyFor(call, 'kms:GetKeyPolicy', { sameAccountOnly: true });
    if ((call.input.PolicyName ?? 'default') !== 'default') throw new SimError('NotFoundException', `Policy ${call.input.PolicyName} does not exist`);
    return { Policy: policyAsRead(call.sim.state, key.policy), PolicyName: 'default' };
  },

  PutKeyPolicy(call) {
    const key = keyFor(call, 'kms:PutKeyPolicy', { sameAccountOnly: true });
    const text = String(call.input.Policy ?? '');
    if (Buffer.byteLength(text, 'utf8') > KEY_POLICY_MAX_BYTES)
      throw new SimError('LimitExceededException', `Key policy exceeds the maximum size of ${KEY_POLICY_MAX_BYTES} bytes.`);
    let document: PolicyDocument;
    try {
      document = JSON.parse(text) as PolicyDocument;
      if (!Array.isArray(document.Statement)) throw new Error('no Statement');
    } catch {
      throw new SimError('MalformedPolicyDocumentException', 'The policy document is not valid JSON or has no Statement list.');
    }
    // KMS rejects principals that do not exist (yet): IAM propagation bites just-created roles.
    if (awsPrincipalsOf(document).some((p) => !principalIsValid(call.sim.state, p, call.sim.now()))) {
      throw new SimError('MalformedPolicyDocumentException', 'Policy contains a statement with one or more invalid principals.');
    }
    if (!call.input.BypassPolicyLockoutSafetyCheck) {
      const decision = call.sim.decide(
        call.caller,
        { action: 'kms:PutKeyPolicy', resource: key.arn, resourceAccount: key.account },
        { resourcePolicy: document },
      );
      if (!decision.allowed) {
        throw new SimError('MalformedPolicyDocumentException', 'The new key policy will not allow you to update the key policy in the future.');
      }
    }
    key.policy = text;
    return {};
  },

  CreateGrant(call) {
    const input = call.input as {
      GranteePrincipal?: string;
      RetiringPrincipal?: string;
      Operations?: string[];
      Name?: string;
      Constraints?: { EncryptionContextSubset?: Record<string, string>; EncryptionContextEquals?: Record<string, string> };
    };
    const key = keyFor(call, 'kms:CreateGrant', {
      context: {
        'kms:GranteePrincipal': String(input.GranteePrincipal ?? ''),
        'kms:GrantOperations': input.Operations ?? [],
        'kms:GrantIsForAWSResource': 'false',
        ...(input.RetiringPrincipal ? { 'kms:RetiringPrincipal': input.RetiringPrincipal } : {}),
      },
    });
    const grantee = String(input.GranteePrincipal ?? '');
    // FSx Lustre User Guide: the grant for the S3 SLR must be created by an identity of the file
    // system's account (the SLR's), not the key's. AWS documents no error: refuse outright.
    const slrAccount = FSX_S3_SLR.exec(grantee)?.[1];
    if (slrAccount && slrAccount !== call.caller.account) {
      throw accessDenied(
        'kms',
        `User: ${call.caller.sessionArn} is not authorized to perform: kms:CreateGrant on resource: ${key.arn}: a grant for the FSx service-linked role ${grantee} must be created by a principal of account ${slrAccount}`,
      );
    }
    if (!principalIsValid(call.sim.state, grantee, call.sim.now()) || grantee === '*') {
      throw new SimError('InvalidArnException', `ARN does not refer to a valid principal: ${grantee}`);
    }
    if (input.RetiringPrincipal && !principalIsValid(call.sim.state, input.RetiringPrincipal, call.sim.now())) {
      throw new SimError('InvalidArnException', `ARN does not refer to a valid principal: ${input.RetiringPrincipal}`);
    }
    const operations = input.Operations ?? [];
    const bad = operations.find((o) => !GRANT_OPERATIONS.has(o));
    if (!operations.length || bad)
      throw new SimError('ValidationException', `1 validation error detected: Value at 'operations' failed to satisfy constraint (${bad ?? 'empty'})`);
    const constraints = input.Constraints
      ? {
          ...(input.Constraints.EncryptionContextSubset ? { encryptionContextSubset: input.Constraints.EncryptionContextSubset } : {}),
          ...(input.Constraints.EncryptionContextEquals ? { encryptionContextEquals: input.Constraints.EncryptionContextEquals } : {}),
        }
      : undefined;
    const params = { granteePrincipal: grantee, retiringPrincipal: input.RetiringPrincipal ?? null, operations, constraints: constraints ?? null };
    if (input.Name) {
      // A retry with the same Name and parameters returns the original grant (idempotent).
      const existing = key.grants.find(
        (g) =>
          g.name === input.Name &&
          sameGrantParameters(params, {
            granteePrincipal: g.granteePrincipal,
            retiringPrincipal: g.retiringPrincipal ?? null,
            operations: g.operations,
            constraints: g.constraints ?? null,
          }),
      );
      // A retry returns the same grant id with a new token (KMS issues one per call).
      if (existing) return { GrantId: existing.grantId, GrantToken: tokenFor(existing.grantId, nextHex(call.sim.state, 32)) };
    }
    const grantId = nextHex(call.sim.state, 64);
    const grant = {
      grantId,
      ...(input.Name ? { name: input.Name } : {}),
      keyArn: key.arn,
      granteePrincipal: grantee,
      ...(input.RetiringPrincipal ? { retiringPrincipal: input.RetiringPrincipal } : {}),
      operations,
      ...(constraints ? { constraints } : {}),
      effectiveAt: call.sim.now() + GRANT_PROPAGATION_MS,
      grantToken: tokenFor(grantId, nextHex(call.sim.state, 32)),
    };
    key.grants.push(grant);
    key.grantCreatedAt[grantId] = call.sim.now();
    call.responseElements = { grantId };
    return { GrantId: grantId, GrantToken: grant.grantToken };
  },

  ListGrants(call) {
    const key = keyFor(call, 'kms:ListGrants');
    const grants = key.grants
      .filter((g) => !call.input.GrantId || g.grantId === call.input.GrantId)
      .filter((g) => !call.input.GranteePrincipal || g.granteePrincipal === call.input.GranteePrincipal);
    return {
      Grants: grants.map((g) => ({
        KeyId: key.arn,
        GrantId: g.grantId,
        ...(g.name ? { Name: g.name } : {}),
        CreationDate: new Date(key.grantCreatedAt[g.grantId] ?? 0),
        GranteePrincipal: g.granteePrincipal,
        ...(g.retiringPrincipal ? { RetiringPrincipal: g.retiringPrincipal } : {}),
        IssuingAccount: `arn:aws:iam::${key.account}:root`,
        Operations: g.operations,
        ...(g.constraints
          ? { Constraints: { EncryptionContextSubset: g.constraints.encryptionContextSubset, EncryptionContextEquals: g.constraints.encryptionContextEquals } }
          : {}),
      })),
      Truncated: false,
    };
  },

  RevokeGrant(call) {
    const key = keyFor(call, 'kms:RevokeGrant');
    const index = key.grants.findIndex((g) => g.grantId === call.input.GrantId);
    if (index < 0) throw new SimError('NotFoundException', `Grant ID ${call.input.GrantId} not found`);
    key.grants.splice(index, 1);
    return {};
  },

  RetireGrant(call) {
    const input = call.input as { GrantToken?: string; KeyId?: string; GrantId?: string };
    const key = input.GrantToken
      ? Object.values(call.sim.state.keys).find((k) => k.grants.some((g) => g.grantId === grantIdOfToken(input.GrantToken!)))
      : resolveKey(call.sim, String(input.KeyId ?? ''), call.caller.account, call.region);
    const grant = key?.grants.find((g) => g.grantId === (input.GrantToken ? grantIdOfToken(input.GrantToken) : input.GrantId));
    if (!key || !grant) throw new SimError(input.GrantToken ? 'InvalidGrantTokenException' : 'NotFoundException', 'The grant to retire was not found.');
    call.resources.push({ ARN: key.arn, accountId: key.account, type: 'AWS::KMS::Key' });
    call.resourceAccount = key.account;
    // Only the retiring principal, or a grantee whose grant includes RetireGrant, may retire it.
    const mayRetire =
      grant.retiringPrincipal === call.caller.roleArn || (grant.granteePrincipal === call.caller.roleArn && grant.operations.includes('RetireGrant'));
    if (!mayRetire) {
      throw accessDenied('kms', `User: ${call.caller.sessionArn} is not authorized to perform: kms:RetireGrant on resource: ${key.arn}`);
    }
    key.grants.splice(key.grants.indexOf(grant), 1);
    return {};
  },
};
