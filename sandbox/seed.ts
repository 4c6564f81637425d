// Seeds: JSON descriptions of what already exists in the accounts before an onboarding —
// other teams' roles and policy statements, an existing default encryption, an unusable key,
// a deliberately missing target role, a file system to adopt. One zod schema validates a
// seed file and reports every problem by field path, like the request schema does.
// docs/sandbox.md ("Seeds") is the user-facing description; seed-apply.ts applies a seed.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { RequestProblem } from '../core/request.js';
import type { PolicyDocument } from '../policy/types.js';
import { KEY_POLICY_MAX_BYTES } from './services/kms.js';
import { BUCKET_POLICY_MAX_BYTES } from './services/s3.js';
import { isBuiltInInstanceType } from './services/ec2-instance-types.js';

const accountId = z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id');
const region = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region code such as us-east-1');
const roleArn = z
  .string()
  .regex(/^arn:aws:iam::\d{12}:role\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/, 'must be an IAM role ARN (arn:aws:iam::<account>:role/<path/><name>)');
const keyArn = z
  .string()
  .regex(
    /^arn:aws:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$|^arn:aws:kms:[a-z0-9-]+:\d{12}:key\/mrk-[0-9a-f]{32}$/,
    'must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key-id>)',
  );
/** EC2's instance type names: family, generation and attributes, a dot, the size (e.g. m6i.large, c6in.xlarge). */
const instanceTypeName = z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9-]+$/, 'must be an EC2 instance type such as m6i.large');
const stringOrList = z.union([z.string(), z.array(z.string()).min(1, 'must not be empty')]);

/** The statement shape AWS stores; semantics (principals, sizes) are checked by the services. */
const statement = z
  .strictObject({
    Sid: z
      .string()
      .regex(/^[A-Za-z0-9 ]*$/, 'must hold only letters, digits and spaces')
      .optional(),
    Effect: z.enum(['Allow', 'Deny']),
    Principal: z
      .union([z.literal('*'), z.strictObject({ AWS: stringOrList.optional(), Service: stringOrList.optional(), Federated: stringOrList.optional() })])
      .optional(),
    NotPrincipal: z.strictObject({ AWS: stringOrList.optional(), Service: stringOrList.optional() }).optional(),
    Action: stringOrList.optional(),
    NotAction: stringOrList.optional(),
    Resource: stringOrList.optional(),
    NotResource: stringOrList.optional(),
    Condition: z.record(z.string(), z.record(z.string(), z.union([stringOrList, z.boolean()]))).optional(),
  })
  .refine((s) => (s.Action === undefined) !== (s.NotAction === undefined), 'must have exactly one of Action and NotAction');

const policyDocument = z
  .strictObject({
    Version: z.enum(['2012-10-17', '2008-10-17']).default('2012-10-17'),
    Id: z.string().optional(),
    Statement: z.array(statement).min(1, 'must hold at least one statement'),
  })
  // zod types optional fields as `T | undefined`; a parsed document has none set to undefined.
  .transform((document) => document as PolicyDocument);

// AWS lets S3 objects be written under a default encryption; the seed says which one.
const encryption = z.discriminatedUnion('algorithm', [
  z.strictObject({ algorithm: z.literal('AES256') }),
  z.strictObject({ algorithm: z.literal('aws:kms'), kmsKeyArn: keyArn, bucketKeyEnabled: z.boolean().default(false) }),
]);

const keySpecs = [
  'SYMMETRIC_DEFAULT',
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'HMAC_224',
  'HMAC_256',
  'HMAC_384',
  'HMAC_512',
] as const;
const keyUsages = ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT'] as const;

const seedSchema = z
  .strictObject({
    description: z.string().max(2000).optional().describe('What this seed sets up, for people reading it.'),
    accounts: z.array(accountId).default([]).describe('Accounts to know about beyond those the resources imply.'),
    roles: z
      .array(
        z.strictObject({
          arn: roleArn,
          trustPolicy: policyDocument.optional().describe('Default: trusts its own account root.'),
          policies: z
            .record(z.string().regex(/^[\w+=,.@-]{1,128}$/, 'must be an IAM policy name'), policyDocument)
            .default({})
            .describe('Inline identity policies by name.'),
        }),
      )
      .default([]),
    absentRoles: z.array(roleArn).default([]).describe('Roles that must not exist: the world builder will not create them.'),
    buckets: z
      .array(
        z.strictObject({
          name: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name'),
          accountId,
          region,
          policy: policyDocument.optional().describe('The bucket policy as GetBucketPolicy returns it.'),
          encryption: encryption.optional().describe('Default encryption; absent = S3 default (SSE-S3, shown as AES256).'),
          objects: z
            .array(
              z.strictObject({
                key: z.string().min(1).max(1024),
                body: z.string().max(65536),
                // Objects keep the key they were written with, whatever the default is now.
                encryption: encryption.optional().describe("How S3 stored it; default: the bucket's seeded default encryption."),
              }),
            )
            .default([]),
          publicAccessBlock: z
            .strictObject({
              blockPublicAcls: z.boolean().default(true),
              ignorePublicAcls: z.boolean().default(true),
              blockPublicPolicy: z.boolean().default(true),
              restrictPublicBuckets: z.boolean().default(true),
            })
            .optional()
            .describe("Block Public Access of the bucket; absent = all four on (S3's default for new buckets); a setting left out is on."),
        }),
      )
      .default([]),
    keys: z
      .array(
        z.strictObject({
          arn: keyArn,
          keySpec: z.enum(keySpecs).default('SYMMETRIC_DEFAULT'),
          keyUsage: z.enum(keyUsages).optional().describe('Default: ENCRYPT_DECRYPT (symmetric, RSA), SIGN_VERIFY (ECC), GENERATE_VERIFY_MAC (HMAC).'),
          state: z.enum(['Enabled', 'Disabled', 'PendingDeletion']).default('Enabled'),
          description: z.string().max(8192).default('Customer managed key (seeded)'),
          policy: policyDocument.optional().describe("The key policy as GetKeyPolicy returns it; default: KMS's default key policy."),
        }),
      )
      .default([]),
    fileSystems: z
      .array(
        z.strictObject({
          id: z.string().regex(/^fs-[0-9a-f]{17}$/, 'must be a file system id (fs- and 17 hex digits)'),
          accountId,
          region,
          deploymentType: z.enum(['PERSISTENT_2', 'PERSISTENT_1', 'SCRATCH_2']),
          storageCapacityGiB: z
            .number()
            .int()
            .refine((g) => g === 1200 || (g > 0 && g % 2400 === 0), 'must be 1200 or a multiple of 2400 GiB'),
          subnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'must be a subnet id')).length(1, 'must hold exactly one subnet'),
          securityGroupIds: z
            .array(z.string().regex(/^sg-[0-9a-f]{8,17}$/, 'must be a security group id'))
            .min(1)
            .max(5),
          tags: z.record(z.string(), z.string()).default({}),
        }),
      )
      .default([]),
    subnets: z
      .array(
        z.strictObject({
          id: z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'must be a subnet id'),
          accountId,
          region,
          vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, 'must be a VPC id'),
        }),
      )
      .default([])
      .describe("Subnets FSx can put a file system in (absent: the request's subnet is created in its own VPC)."),
    securityGroups: z
      .array(
        z.strictObject({
          id: z.string().regex(/^sg-[0-9a-f]{8,17}$/, 'must be a security group id'),
          accountId,
          region,
          vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, 'must be a VPC id'),
          inbound: z
            .array(
              z.strictObject({
                protocol: z.enum(['tcp', '-1']),
                fromPort: z.number().int().min(0).max(65535),
                toPort: z.number().int().min(0).max(65535),
              }),
            )
            .describe('Inbound rules; FSx for Lustre needs TCP 988 and 1018-1023.'),
        }),
      )
      .default([])
      .describe("Security groups (absent: the request's groups are created allowing Lustre traffic)."),
    instances: z
      .array(
        z.strictObject({
          id: z.string().regex(/^(i|mi)-[0-9a-f]{8,17}$/, 'must be an EC2 or managed instance id'),
          accountId,
          region,
          lustreClient: z.boolean().default(true).describe('Whether the Lustre client (lfs) is installed.'),
          tags: z
            .record(z.string(), z.string())
            .default({})
            .describe('EC2 tags; the deployed policy runs commands only where fsx-onboard:lustre-client = true.'),
          instanceType: instanceTypeName
            .optional()
            .describe('What DescribeInstances reports (absent: m6i.large); it must be a built-in type or one in instanceTypes.'),
        }),
      )
      .default([])
      .describe("SSM-managed client instances (absent: the request's client instance is created, tagged as a Lustre client)."),
    instanceTypes: z
      .array(
        z.strictObject({
          instanceType: instanceTypeName,
          encryptionInTransitSupported: z.boolean().describe('NetworkInfo.EncryptionInTransitSupported as DescribeInstanceTypes reports it.'),
          regions: z.array(region).min(1).optional().describe('Regions that offer the type (absent: every region).'),
        }),
      )
      .default([])
      .describe('EC2 instance types beside the built-in ones (docs/sandbox.md), or a built-in one redefined.'),
  })
  .superRefine((seed, ctx) => {
    // Two descriptions of one resource, or a role both present and absent, cannot both hold.
    const duplicates = (field: 'roles' | 'absentRoles' | 'buckets' | 'keys' | 'fileSystems', ids: string[]) =>
      ids.forEach((id, i) => {
        if (ids.indexOf(id) !== i) ctx.addIssue({ code: 'custom', path: [field, i], message: `describes ${id} a second time` });
      });
    duplicates(
      'roles',
      seed.roles.map((r) => r.arn),
    );
    duplicates('absentRoles', seed.absentRoles);
    duplicates(
      'buckets',
      seed.buckets.map((b) => b.name),
    );
    duplicates(
      'keys',
      seed.keys.map((k) => k.arn),
    );
    duplicates(
      'fileSystems',
      seed.fileSystems.map((f) => f.id),
    );
    const types = seed.instanceTypes.map((t) => t.instanceType);
    types.forEach((type, i) => {
      if (types.indexOf(type) !== i) ctx.addIssue({ code: 'custom', path: ['instanceTypes', i], message: `describes ${type} a second time` });
    });
    // A running instance's type exists: EC2 launches only types it offers.
    seed.instances.forEach((instance, i) => {
      const type = instance.instanceType;
      if (type && !isBuiltInInstanceType(type) && !types.includes(type))
        ctx.addIssue({
          code: 'custom',
          path: ['instances', i, 'instanceType'],
          message: `${type} is neither a built-in instance type nor one in instanceTypes`,
        });
    });
    seed.absentRoles.forEach((arn, i) => {
      if (seed.roles.some((r) => r.arn === arn)) ctx.addIssue({ code: 'custom', path: ['absentRoles', i], message: `${arn} is also listed in roles` });
    });
    // AWS never stores a policy over its size limit, so no seed may describe one.
    const tooLarge = (document: PolicyDocument | undefined, max: number) => !!document && Buffer.byteLength(JSON.stringify(document), 'utf8') > max;
    seed.buckets.forEach((bucket, i) => {
      if (tooLarge(bucket.policy, BUCKET_POLICY_MAX_BYTES))
        ctx.addIssue({ code: 'custom', path: ['buckets', i, 'policy'], message: `must be at most ${BUCKET_POLICY_MAX_BYTES} bytes (S3's limit)` });
    });
    seed.keys.forEach((key, i) => {
      if (tooLarge(key.policy, KEY_POLICY_MAX_BYTES))
        ctx.addIssue({ code: 'custom', path: ['keys', i, 'policy'], message: `must be at most ${KEY_POLICY_MAX_BYTES} bytes (KMS's limit)` });
      const usage = key.keyUsage ?? defaultKeyUsage(key.keySpec);
      if (key.keySpec === 'SYMMETRIC_DEFAULT' && usage !== 'ENCRYPT_DECRYPT')
        ctx.addIssue({ code: 'custom', path: ['keys', i, 'keyUsage'], message: 'must be ENCRYPT_DECRYPT for SYMMETRIC_DEFAULT' });
    });
  });

export type Seed = z.output<typeof seedSchema>;
export type SeedInput = z.input<typeof seedSchema>;

export function defaultKeyUsage(keySpec: string): (typeof keyUsages)[number] {
  if (keySpec.startsWith('ECC_')) return 'SIGN_VERIFY';
  if (keySpec.startsWith('HMAC_')) return 'GENERATE_VERIFY_MAC';
  return 'ENCRYPT_DECRYPT';
}

export type SeedValidation = { ok: true; seed: Seed } | { ok: false; problems: RequestProblem[] };

/** Validates untrusted seed JSON and lists every problem by dotted field path. */
export function validateSeed(input: unknown): SeedValidation {
  const parsed = seedSchema.safeParse(input);
  if (parsed.success) return { ok: true, seed: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => ({
      field: issue.path.length ? issue.path.map(String).join('.') : '(seed)',
      message:
        issue.code === 'unrecognized_keys'
          ? `has unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`
          : /received undefined/.test(issue.message)
            ? 'is required'
            : issue.message,
    })),
  };
}

/** Reads and validates a seed file; an unreadable file or broken JSON is a `(file)` problem. */
export async function readSeedFile(path: string): Promise<SeedValidation> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return { ok: false, problems: [{ field: '(file)', message: `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})` }] };
  }
  try {
    return validateSeed(JSON.parse(text));
  } catch (error) {
    return { ok: false, problems: [{ field: '(file)', message: `${path} is not valid JSON: ${(error as Error).message}` }] };
  }
}
