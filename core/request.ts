// The onboarding request: one schema feeds the CLI, the ValidateRequest state, the API
// model (via toJSONSchema) and docs/request.md.
// Written with zod/mini, zod's tree-shakable form of the same schemas: ValidateRequest's Lambda
// bundle then holds ~20 KB of zod instead of ~95 KB (the chaining API drags in every method and
// the JSON Schema converters). The CLI, infra and docs convert it with zod's toJSONSchema as before.
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { parse as parseArn, validate as isArn } from '@aws-sdk/util-arn-parser';
import { deploymentTypes, legacyLinkedTypes, type DeploymentType } from './deployment-types.js';
import { addFileSystemKeyIssues } from './file-system-key-rules.js';
import { addRepositoryIssues, repositoryEntries } from './repository-rules.js';

// zod/mini leaves its messages out unless asked; the ones it words itself ("expected string,
// received number") are read by describeIssue below.
z.config(en());

const accountId = z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit AWS account id'));
const region = z.string().check(z.regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/, 'must be an AWS region code such as us-east-1'));
// Control characters and shell/JSON metacharacters never reach a policy, a tag or a command.
const safeText = (max: number) =>
  z.string().check(
    z.maxLength(max, `must be at most ${max} characters`),
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the rule is exactly "no control characters"
    z.regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters'),
  );

const s3EventTypes = ['NEW', 'CHANGED', 'DELETED'] as const;
type S3EventType = (typeof s3EventTypes)[number];

const fileSystemPath = z.string().check(
  z.maxLength(4096, 'must be at most 4096 characters'),
  z.regex(/^\/[A-Za-z0-9_.\-/]*$/, 'must be an absolute path of letters, digits, "_", ".", "-" and "/"'),
  z.refine((p) => !p.split('/').some((part) => part === '.' || part === '..'), 'must not contain "." or ".." segments'),
  z.refine((p) => p === '/' || !p.endsWith('/'), 'must not end with "/" (except the root "/")'),
  z.refine((p) => !p.includes('//'), 'must not contain empty segments ("//")'),
);

// S3 general purpose bucket naming rules (dots allowed but not IP-shaped, no adjacent dots).
const bucketName = z.string().check(
  z.minLength(3, 'must be 3 to 63 characters'),
  z.maxLength(63, 'must be 3 to 63 characters'),
  z.regex(/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/, 'must be lowercase letters, digits, "." and "-", starting and ending with a letter or digit'),
  z.refine((n) => !n.includes('..') && !n.includes('.-') && !n.includes('-.'), 'must not contain "..", ".-" or "-."'),
  z.refine((n) => !/^\d+\.\d+\.\d+\.\d+$/.test(n), 'must not be formatted as an IP address'),
  z.refine(
    (n) => !n.startsWith('xn--') && !n.startsWith('sthree-') && !n.endsWith('-s3alias') && !n.endsWith('--ol-s3'),
    'must not use a prefix or suffix that S3 reserves',
  ),
);

const bucketPrefix = safeText(512).check(z.regex(/^([A-Za-z0-9!_.*'()-]+\/)*$/, 'must be empty or "/"-separated segments of safe characters ending with "/"'));

const keyArn = z.string().check(
  z.refine(isArn, 'must be a full KMS key ARN (arn:aws:kms:<region>:<account>:key/<key-id>)'),
  z.refine((arn) => {
    if (!isArn(arn)) return true;
    const parsed = parseArn(arn);
    return (
      parsed.service === 'kms' &&
      /^\d{12}$/.test(parsed.accountId) &&
      /^key\/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.test(parsed.resource)
    );
  }, "must be a KMS key ARN with a key id (an alias ARN resolves in the caller's account, so it cannot be used across accounts)"),
);

/** Who the bucket and key statements let in (bucket.access). */
const bucketAccessModes = ['service-linked-role', 'file-systems-of-account'] as const;

const bucketSchema = z.strictObject({
  accountId: accountId.check(z.describe('Account B, which owns the bucket.')),
  name: bucketName,
  prefix: z._default(bucketPrefix, '').check(z.describe('Key prefix linked to the file system ("" for the whole bucket, else ending with "/").')),
  access: z
    ._default(z.enum(bucketAccessModes), 'service-linked-role')
    .check(
      z.describe(
        '"service-linked-role": the bucket and key statements name this file system\'s service-linked role by its exact ARN, one set per request (about 1.3 KB of the 20 KB bucket and 32 KB key policy each). "file-systems-of-account": one set of statements per bucket prefix, shared by every onboarding of the file-system account on it, that matches any FSx S3-access role of that account by ARN pattern: constant size, but every file system of account A may then reach the prefix (docs/request.md).',
      ),
    ),
  // Optional, not defaulted: absent keeps what the bucket has, so a run never turns off
  // the Bucket Keys another team relies on (ValidateRequest resolves it from the bucket).
  bucketKeyEnabled: z
    .optional(z.boolean())
    .check(
      z.describe(
        "S3 Bucket Keys in the default encryption (KMS then sees the bucket ARN, not the object ARN, as encryption context). Absent: keep the bucket's current setting, or false when the bucket has no SSE-KMS default encryption today.",
      ),
    ),
  additionalKeyArns: z
    ._default(z.array(keyArn).check(z.maxLength(10)), [])
    .check(
      z.describe(
        'Other KMS keys that objects already in the linked prefix are encrypted with. The service-linked role is granted these too; an object under a key not listed here stops the run before any change.',
      ),
    ),
});

const keySchema = z.strictObject({
  arn: keyArn.check(z.describe('Customer managed symmetric KMS key in account C that encrypts the bucket.')),
});

const DEFAULT_DATA_REPOSITORY: { autoImportEvents: S3EventType[]; autoExportEvents: S3EventType[]; batchImportMetaDataOnCreate: boolean } = {
  autoImportEvents: ['NEW', 'CHANGED', 'DELETED'],
  autoExportEvents: ['NEW', 'CHANGED', 'DELETED'],
  batchImportMetaDataOnCreate: true,
};

const dataRepositorySchema = z.strictObject({
  autoImportEvents: z._default(z.array(z.enum(s3EventTypes)).check(z.maxLength(3)), ['NEW', 'CHANGED', 'DELETED']),
  autoExportEvents: z._default(z.array(z.enum(s3EventTypes)).check(z.maxLength(3)), ['NEW', 'CHANGED', 'DELETED']),
  batchImportMetaDataOnCreate: z._default(z.boolean(), true),
});

/** FSx for Lustre: a file system holds at most 8 data repository associations. */
const MAX_REPOSITORIES = 8;
const REPOSITORY_COUNT_RULE = `must hold 1 to ${MAX_REPOSITORIES} repositories (a file system holds at most ${MAX_REPOSITORIES} data repository associations)`;

const repositorySchema = z.strictObject({
  bucket: bucketSchema,
  key: keySchema,
  fileSystemPath: fileSystemPath.check(
    z.describe(
      'Where this bucket prefix appears in the file system. Must be "/" for PERSISTENT_1 and SCRATCH_2; "/" only when it is the only repository; paths of two repositories must not nest.',
    ),
  ),
  dataRepository: z._default(dataRepositorySchema, DEFAULT_DATA_REPOSITORY).check(z.describe('Data repository association settings (PERSISTENT_2 only).')),
});

const capacityRule = 'must be 1200, 2400 or a multiple of 2400 GiB';

export const onboardingRequestSchema = z
  .strictObject({
    requestId: z
      .string()
      .check(
        z.regex(/^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$/, 'must be 3 to 64 letters, digits, "-" or "_", starting with a letter or digit'),
        z.describe('Unique id of this onboarding. Names the execution, so a duplicate request cannot start twice.'),
      ),
    region: region.check(z.describe('Region of the file system, bucket and key.')),
    onFailure: z
      ._default(z.enum(['rollback', 'stop']), 'rollback')
      .check(z.describe('"rollback" undoes this request\'s changes on failure; "stop" leaves them and fails at the broken step so it can be redriven.')),
    fileSystem: z.strictObject({
      accountId: accountId.check(z.describe('Account A, which owns the file system.')),
      deploymentType: z
        .enum(deploymentTypes)
        .check(z.describe('PERSISTENT_2 links S3 by a data repository association; PERSISTENT_1 and SCRATCH_2 link it at creation.')),
      storageCapacityGiB: z.number().check(
        z.int('must be a whole number'),
        z.positive('must be positive'),
        z.lte(2_000_000, 'must be at most 2,000,000 GiB'),
        z.refine((gib) => gib === 1200 || gib % 2400 === 0, capacityRule),
        z.describe(capacityRule),
      ),
      perUnitStorageThroughput: z
        .optional(z.number().check(z.int()))
        .check(z.describe('MB/s/TiB. PERSISTENT_2: 125, 250, 500 or 1000 (default 125). PERSISTENT_1: 50, 100 or 200 (default 50).')),
      subnetIds: z
        .array(z.string().check(z.regex(/^subnet-[0-9a-f]{8,17}$/, 'must be a subnet id (subnet-…)')))
        .check(z.length(1, 'must hold exactly one subnet (single-AZ deployment types)')),
      securityGroupIds: z
        .array(z.string().check(z.regex(/^sg-[0-9a-f]{8,17}$/, 'must be a security group id (sg-…)')))
        .check(z.minLength(1, 'must hold at least one security group'), z.maxLength(5, 'must hold at most 5 security groups')),
      fileSystemPath: z
        .optional(fileSystemPath)
        .check(z.describe('Single-bucket form: where the bucket prefix appears in the file system. Must be "/" for PERSISTENT_1 and SCRATCH_2.')),
      existingFileSystemId: z
        .optional(z.string().check(z.regex(/^fs-[0-9a-f]{17}$/, 'must be a file system id (fs- and 17 hex digits)')))
        .check(z.describe('Adopt this file system instead of creating one. Rollback never deletes an adopted file system.')),
      kmsKeyArn: z
        .optional(keyArn)
        .check(
          z.describe(
            "Customer managed symmetric KMS key that encrypts the file system at rest (PERSISTENT_1 and PERSISTENT_2 only; SCRATCH_2 always uses keys FSx manages). In the file system's account or the key account; its key policy must let FSx use it for the file-system role. Absent: FSx's AWS managed key.",
          ),
        ),
    }),
    bucket: z.optional(bucketSchema).check(z.describe('Single-bucket form: the bucket of the one repository (or give repositories instead).')),
    key: z.optional(keySchema).check(z.describe('Single-bucket form: the key of the one repository.')),
    dataRepository: z
      .optional(dataRepositorySchema)
      .check(z.describe('Single-bucket form: the association settings of the one repository (PERSISTENT_2 only).')),
    repositories: z
      .optional(z.array(repositorySchema).check(z.minLength(1, REPOSITORY_COUNT_RULE), z.maxLength(MAX_REPOSITORIES, REPOSITORY_COUNT_RULE)))
      .check(
        z.describe(
          'The data repositories linked to the file system, 1 to 8 (FSx allows 8 data repository associations per file system): each its own bucket, prefix, key and file-system path, in any accounts. Replaces the single-bucket form (bucket, key, fileSystem.fileSystemPath, dataRepository).',
        ),
      ),
    testExport: z.strictObject({
      mode: z
        .enum(['lustre-client', 'data-repository-task'])
        .check(z.describe('"lustre-client" proves export and decrypt from a mounted client; "data-repository-task" runs an export task and analyses access.')),
      clientInstanceId: z
        .optional(z.string().check(z.regex(/^(i|mi)-[0-9a-f]{8,17}$/, 'must be an EC2 or managed instance id (i-…)')))
        .check(
          z.describe(
            'SSM-managed instance with the Lustre client installed, in a network that reaches the file system (lustre-client mode); the test export mounts the file system there through Run Command.',
          ),
        ),
      mountPath: z
        ._default(fileSystemPath, '/fsx')
        .check(z.describe('Where the test export mounts the file system on the client (created if missing; kept if already mounted).')),
      requireEncryptionInTransit: z
        .optional(z.boolean())
        .check(
          z.describe(
            'lustre-client mode (absent: false): refuse the run, before any change, unless the client instance is an EC2 instance whose type encrypts its traffic to the file system in transit (DescribeInstanceTypes NetworkInfo.EncryptionInTransitSupported).',
          ),
        ),
    }),
    tags: z
      ._default(
        z.record(
          safeText(128).check(z.minLength(1), z.regex(/^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u, 'must be a valid tag key not starting with "aws:"')),
          safeText(256).check(z.regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u, 'must hold only letters, digits, spaces and _.:/=+-@')),
        ),
        {},
      )
      .check(
        z.refine((t) => Object.keys(t).length <= 40, 'must hold at most 40 tags'),
        z.describe('Tags for the resources this request creates.'),
      ),
  })
  .check(
    z.superRefine((req, ctx) => {
      const fs = req.fileSystem;
      const throughputs: Record<DeploymentType, readonly number[]> = { PERSISTENT_2: [125, 250, 500, 1000], PERSISTENT_1: [50, 100, 200], SCRATCH_2: [] };
      if (fs.perUnitStorageThroughput !== undefined && !throughputs[fs.deploymentType].includes(fs.perUnitStorageThroughput)) {
        const allowed = throughputs[fs.deploymentType];
        ctx.addIssue({
          code: 'custom',
          path: ['fileSystem', 'perUnitStorageThroughput'],
          message: allowed.length ? `must be one of ${allowed.join(', ')} for ${fs.deploymentType}` : `is not supported for ${fs.deploymentType}`,
        });
      }
      // The link rules, on whichever form the request uses (core/repository-rules.ts).
      const entries = repositoryEntries(req, ctx);
      addRepositoryIssues(req, entries, ctx);
      if (fs.kmsKeyArn !== undefined) addFileSystemKeyIssues(req, entries, ctx);
      if (req.testExport.mode === 'lustre-client' && !req.testExport.clientInstanceId) {
        ctx.addIssue({ code: 'custom', path: ['testExport', 'clientInstanceId'], message: 'is required when testExport.mode is "lustre-client"' });
      }
      if (req.testExport.mode === 'data-repository-task' && entries.length > 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['testExport', 'mode'],
          message: `must be "lustre-client" for a request of ${entries.length} repositories: "data-repository-task" proves one link (FSx runs one data repository task at a time on a file system)`,
        });
      }
      if (req.testExport.mode === 'data-repository-task' && req.testExport.clientInstanceId) {
        ctx.addIssue({ code: 'custom', path: ['testExport', 'clientInstanceId'], message: 'is only used when testExport.mode is "lustre-client"' });
      }
      if (req.testExport.mode === 'data-repository-task' && req.testExport.requireEncryptionInTransit) {
        ctx.addIssue({
          code: 'custom',
          path: ['testExport', 'requireEncryptionInTransit'],
          message: 'needs testExport.mode "lustre-client": "data-repository-task" has no client instance whose encryption in transit could be checked',
        });
      }
    }),
  );

/** The rules superRefine checks, in words, for docs/request.md. */
export const crossFieldRules = [
  'The repositories come in one form: `repositories`, or the single-bucket form (`bucket`, `key` and `fileSystem.fileSystemPath` required, `dataRepository` optional). Not both.',
  '`repositories` holds 1 to 8 entries (FSx allows 8 data repository associations per file system); their `fileSystemPath`s must not be equal or nest in one another (by path segments: `/a` and `/a/b` overlap, `/a` and `/ab` do not), and `/` is allowed only for a lone repository. Each repository needs a bucket of its own (default encryption is bucket-wide).',
  'PERSISTENT_1 and SCRATCH_2 take exactly one repository: they link S3 once, at creation (ImportPath).',
  'A request of several repositories proves each link with `testExport.mode: "lustre-client"` (one canary per repository); `"data-repository-task"` is refused for it.',
  '`fileSystem.perUnitStorageThroughput` must be allowed for the deployment type (PERSISTENT_2: 125, 250, 500, 1000; PERSISTENT_1: 50, 100, 200; SCRATCH_2: none).',
  '`fileSystem.fileSystemPath` (or `repositories[].fileSystemPath`) must be `/` for PERSISTENT_1 and SCRATCH_2, which link the bucket at the file system root.',
  "`key.arn` (each repository's) must be in `region`: S3 default encryption uses keys of the bucket's region only.",
  '`testExport.clientInstanceId` is required with `testExport.mode: "lustre-client"` and refused otherwise.',
  '`testExport.requireEncryptionInTransit: true` is refused with `testExport.mode: "data-repository-task"` (no client instance to check).',
  '`dataRepository.autoImportEvents` and `autoExportEvents` must not repeat an event type.',
  "`fileSystem.kmsKeyArn` is refused for SCRATCH_2 (scratch file systems use keys FSx manages) and with `fileSystem.existingFileSystemId`; it must be in the request region and in the file system's account or a key account (a repository's `key.arn`'s).",
  'At run time, `ValidateRequest` also refuses a key that is not symmetric (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT) or not Enabled, before any change.',
  'At run time, `ValidateRequest` samples the objects already under `bucket.prefix` (the first 100 keys) and refuses, before any change, one encrypted with a KMS key that is neither `key.arn` nor in `bucket.additionalKeyArns`: FSx would read it as "No data available". It also reports, before any change, a default encryption that differs from the one this request sets and who else writes to the bucket.',
  'At run time, `ValidateRequest` also refuses, before any change, a `fileSystem.kmsKeyArn` that is not symmetric, not Enabled, or whose key policy does not let FSx (through `fsx.<region>.amazonaws.com`) use it for the file-system role: `kms:CreateGrant`, `kms:Decrypt`, `kms:GenerateDataKeyWithoutPlaintext`, `kms:DescribeKey`.',
  "At run time, `CheckClientInstance` (the state after `ValidateRequest`) reads the client instance (lustre-client mode) with `DescribeInstances` and its type with `DescribeInstanceTypes`, and refuses, before any change, an instance that does not exist in the file system's account and region or whose type the region does not offer; with `testExport.requireEncryptionInTransit: true` also one whose type does not support encryption in transit (`NetworkInfo.EncryptionInTransitSupported`) or a managed instance outside EC2 (`mi-…`).",
  'At run time, `ValidateRequest` also refuses a bucket in another region and, with `fileSystem.existingFileSystemId`, a `fileSystemPath` that nests in or contains a data repository association already on that file system.',
  'At run time, `ValidateRequest` also refuses, before any change, a request whose statements would take the bucket policy over 20,480 bytes or the key policy over 32,768 bytes (`PolicyTooLarge`, exit 1, naming the bytes and the limit).',
  '`bucket.access`: with `"service-linked-role"` (the default) each onboarding adds its own statements naming its file system\'s service-linked role (about 710 bytes of bucket policy and 610 of key policy), so a bucket and key serve a few dozen onboardings. With `"file-systems-of-account"` every onboarding of the file-system account on the same bucket prefix and key writes the same statements (the SLR ARN pattern `AWSServiceRoleForFSxS3Access_fs-*` of account A, and the file-system role) and shares them: the policies stay the same size for any number of file systems, and each file system still gets its own KMS grant. The trade-off: any FSx for Lustre file system of account A can then reach the prefix through a data repository association, so whoever may create associations in A decides who reads it. The shared statements are removed only with the last onboarding that relies on them (reliance records in Parameter Store under `/fsx-onboard/shared/`).',
];

export type OnboardingRequestInput = z.input<typeof onboardingRequestSchema>;
type ParsedRequest = z.output<typeof onboardingRequestSchema>;
/** One data repository of a request: a bucket prefix, its key, where it appears in the file system. */
export type Repository = z.output<typeof repositorySchema>;

/**
 * A validated request, in one shape whichever form it was written in: `repositories` lists every
 * link (the single-bucket form becomes its one entry). `bucket`, `key`, `dataRepository` and
 * `fileSystem.fileSystemPath` are the link a step acts on: `repositories[0]` in the state, and
 * the repository at hand inside a per-repository step (lambdas/shared/per-repository.ts, through
 * `linkRequest`), so the code of one link reads the fields it always read.
 */
export type OnboardingRequest = Omit<ParsedRequest, 'bucket' | 'key' | 'dataRepository' | 'repositories' | 'fileSystem'> & {
  fileSystem: ParsedRequest['fileSystem'] & { fileSystemPath: string };
  bucket: Repository['bucket'];
  key: Repository['key'];
  dataRepository: Repository['dataRepository'];
  repositories: Repository[];
};

/** The single-bucket form as its one entry, and the link fields set from the first repository. */
function normalize(parsed: ParsedRequest): OnboardingRequest {
  const { bucket, key, dataRepository, repositories, ...rest } = parsed;
  const { fileSystemPath, ...fileSystem } = parsed.fileSystem;
  const entries: Repository[] = repositories ?? [
    { bucket: bucket!, key: key!, fileSystemPath: fileSystemPath!, dataRepository: dataRepository ?? structuredClone(DEFAULT_DATA_REPOSITORY) },
  ];
  const first = entries[0]!;
  return {
    ...rest,
    fileSystem: { ...fileSystem, fileSystemPath: first.fileSystemPath },
    bucket: first.bucket,
    key: first.key,
    dataRepository: first.dataRepository,
    repositories: entries,
  };
}

export interface RequestProblem {
  /** Path of the offending field, e.g. `fileSystem.subnetIds[0]` or `repositories[1].fileSystemPath`; `(request)` for the whole document. */
  field: string;
  message: string;
}

export type ValidationResult = { ok: true; request: OnboardingRequest } | { ok: false; problems: RequestProblem[] };

/** Validates untrusted input and lists every problem by field path. Touches nothing. */
export function validateRequest(input: unknown): ValidationResult {
  const parsed = onboardingRequestSchema.safeParse(input);
  if (parsed.success) return { ok: true, request: normalize(parsed.data) };
  const problems = parsed.error.issues.map((issue) => ({
    field: issue.path.length ? fieldPath(issue.path) : '(request)',
    message: describeIssue(issue),
  }));
  return { ok: false, problems };
}

/** `repositories[1].fileSystemPath`: names with dots, array positions in brackets. */
function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`)).join('');
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `has unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_type') {
    if (issue.path.length === 0) return 'must be a JSON object';
    // zod reports a fractional number against .int() as a type error ("expected int").
    if (issue.expected === 'int') return 'must be a whole number';
    // zod words it "expected string, received undefined" when the field is absent.
    const received = /received (\w+)/.exec(issue.message)?.[1];
    return received === 'undefined' ? 'is required' : `must be ${issue.expected}${received ? `, not ${received}` : ''}`;
  }
  // A bad tag key: zod says "Invalid key in record"; the key schema's own issue names the rule.
  if (issue.code === 'invalid_key') return `key ${issue.issues.map(describeIssue).join('; ')}`;
  if (issue.code === 'invalid_value') return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  return issue.message;
}

export function formatProblems(problems: RequestProblem[]): string {
  return problems.map((p) => `${p.field}: ${p.message}`).join('\n');
}

/** Account C: the key's owner, read from the key ARN. */
export function keyAccountId(request: OnboardingRequest): string {
  return parseArn(request.key.arn).accountId;
}

export function isLegacyLinked(request: OnboardingRequest): boolean {
  return legacyLinkedTypes.includes(request.fileSystem.deploymentType);
}
