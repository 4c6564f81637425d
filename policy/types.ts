// IAM-style policy documents and the request context they are evaluated against. Shared by
// the documents the steps write, the access evaluator, the sandbox and the export analysis.

export type StringOrList = string | string[];

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: '*' | { AWS?: StringOrList; Service?: StringOrList; Federated?: StringOrList };
  NotPrincipal?: { AWS?: StringOrList; Service?: StringOrList };
  Action?: StringOrList;
  NotAction?: StringOrList;
  Resource?: StringOrList;
  NotResource?: StringOrList;
  /** Operator (e.g. `StringLike`, `ForAnyValue:StringEquals`, `ArnLikeIfExists`) → key → value(s). */
  Condition?: Record<string, Record<string, StringOrList | boolean>>;
}

export interface PolicyDocument {
  Version?: '2012-10-17' | '2008-10-17';
  Id?: string;
  Statement: PolicyStatement[];
}

/** A KMS grant as the evaluator sees it. */
export interface KmsGrant {
  grantId: string;
  name?: string;
  keyArn: string;
  granteePrincipal: string;
  retiringPrincipal?: string;
  operations: string[];
  constraints?: { encryptionContextSubset?: Record<string, string>; encryptionContextEquals?: Record<string, string> };
  /** Virtual epoch ms after which the grant is in effect without its token (eventual consistency). */
  effectiveAt: number;
  grantToken: string;
}

/** One request, as IAM would see it. */
export interface AccessRequest {
  /** `s3:PutObject`, `kms:Decrypt`, ... */
  action: string;
  /** ARN of the resource acted on. */
  resource: string;
  /** Account that owns the resource. */
  resourceAccount: string;
  principal: {
    /** The role or user ARN (`arn:aws:iam::111111111111:role/aws-service-role/.../Name`): what `aws:PrincipalArn` holds. */
    arn: string;
    /** The session ARN as errors print it (`arn:aws:sts::111111111111:assumed-role/Name/Session`), if a session. */
    sessionArn?: string;
    account: string;
    /** `AWS` for IAM principals; `Service` for a service principal such as `s3.amazonaws.com`. */
    type?: 'AWS' | 'Service';
  };
  /** Extra context keys: `kms:ViaService`, `kms:CallerAccount`, `kms:EncryptionContext:aws:s3:arn`, `s3:prefix`, ... */
  context?: Record<string, string | string[]>;
}

export interface AccessInputs {
  request: AccessRequest;
  /** Identity policies attached to the principal (inline and managed). */
  identityPolicies: PolicyDocument[];
  /** Bucket policy, key policy or role trust policy; undefined when the resource has none. */
  resourcePolicy?: PolicyDocument;
  /** KMS only: grants on the key, with the grant tokens presented by the caller and the virtual time now. */
  kms?: { grants: KmsGrant[]; grantTokens?: string[]; now: number };
}

export type DenialReason = 'explicit-deny-resource' | 'explicit-deny-identity' | 'no-resource-allow' | 'no-identity-allow';

export interface AccessDecision {
  allowed: boolean;
  /** Why it was allowed: which side(s) or a grant. */
  allowedBy?: ('identity' | 'resource' | 'grant')[];
  deniedBecause?: DenialReason;
  /** AWS's wording, e.g. "User: arn:aws:sts::… is not authorized to perform: kms:Decrypt on resource: … because no identity-based policy allows the kms:Decrypt action". */
  message?: string;
  /** Sids (or indexes) of the statements that decided. */
  matchedStatements?: string[];
  /** When a KMS grant allowed the request: its id. */
  grantId?: string;
}
