// Proves the onboarding works end to end. lustre-client: the exported canary is in S3,
// encrypted with the key (SSE-KMS, this key ARN), and the S3-side canary reads back through
// the mount. A denied export or decrypt is silent on the client, so the failure is explained
// from CloudTrail: who was denied which KMS action on which key, and the fix.
import { ErrorNames, OnboardingError } from '../../core/errors.js';
import type { Canary } from '../shared/canary.js';
import { describeDenial, findDenials } from '../../evidence/cloudtrail.js';
import { headObject } from '../shared/objects.js';
import { GRANT_OPERATIONS } from '../../core/naming.js';
import { clientsFor, stringField } from '../shared/step-support.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from '../shared/step-deps.js';
import type { CatResult } from '../wait-for-test-export/wait-for-test-export.js';
import { verifyByAnalysis } from './analysis.js';

export interface VerifyExportOutput {
  changed: false;
  proof: 'export-and-decrypt' | 'analysis';
  evidence: Record<string, unknown>;
}

/** CloudTrail events can predate the recorded start slightly (clock skew, the S3-side canary's import). */
const LOOKBACK_MS = 10 * 60 * 1000;

export async function verifyExport(input: StepInput, deps: StepDeps): Promise<VerifyExportOutput> {
  if (input.request.testExport.mode === 'data-repository-task') return verifyByAnalysis(input, deps);
  const { request, context } = input;
  const start = input.steps['StartTestExport'];
  const canary = start?.['canary'] as Canary | undefined;
  if (!canary) throw new OnboardingError(ErrorNames.ExportNotLanded, 'VerifyExport needs the canary from StartTestExport');
  const cat = input.steps['WaitForTestExport']?.['cat'] as CatResult | undefined;
  const { s3 } = clientsFor(input, deps, 'bucket');
  const object = await headObject(s3, request.bucket.name, canary.toS3.s3Key);
  const s3Url = `s3://${request.bucket.name}/${canary.toS3.s3Key}`;

  const slrArn = stringField(input.steps['WaitForServiceLinkedRole'], 'roleArn') ?? 'the FSx service-linked role';
  const fix = `Fix: the SLR ${slrArn} needs a grant on ${request.key.arn} (operations ${GRANT_OPERATIONS.join(', ')}, name ${context.names.grantName}) and the key-policy statement ${context.names.keyUseSid}; redrive from CreateGrant.`;
  const explain = async (eventNames: string[]) => {
    const startedAt = Date.parse(stringField(start, 'startedAt') ?? '') || Date.now();
    const since = new Date(startedAt - LOOKBACK_MS);
    const trails = [
      { account: context.accounts.key, client: clientsFor(input, deps, 'key').cloudtrail },
      ...(context.accounts.fileSystem !== context.accounts.key
        ? [{ account: context.accounts.fileSystem, client: clientsFor(input, deps, 'fileSystem').cloudtrail }]
        : []),
    ];
    const { denials, lookupProblems } = await findDenials(trails, { eventNames, since, keyArn: request.key.arn });
    const found = denials.length
      ? denials.map(describeDenial).join('; ')
      : `no ${eventNames.map((n) => `kms:${n}`).join('/')} AccessDenied found in CloudTrail since ${since.toISOString()} (events can take up to 15 minutes to appear)`;
    return [found, ...lookupProblems].join('; ');
  };

  if (!object) {
    throw new OnboardingError(
      ErrorNames.ExportNotLanded,
      `The exported canary ${canary.toS3.clientPath} did not land at ${s3Url}: ${await explain(['GenerateDataKey'])}. ${fix}`,
    );
  }
  if (object.ServerSideEncryption !== 'aws:kms' || object.SSEKMSKeyId !== request.key.arn) {
    throw new OnboardingError(
      ErrorNames.ExportNotLanded,
      `The exported canary landed at ${s3Url} encrypted with ${object.ServerSideEncryption ?? 'nothing'}${object.SSEKMSKeyId ? ` (${object.SSEKMSKeyId})` : ''}, not SSE-KMS with ${request.key.arn}: check the default encryption of ${request.bucket.name} (SetDefaultEncryption).`,
    );
  }
  if (!cat) throw new OnboardingError(ErrorNames.DecryptFailed, `VerifyExport needs the result of cat ${canary.fromS3.clientPath} from WaitForTestExport`);
  // The file never appeared: FSx did not import the object, so nothing was decrypted (or denied).
  if (cat.notImported) {
    throw new OnboardingError(
      ErrorNames.CanaryNotImported,
      `s3://${request.bucket.name}/${canary.fromS3.s3Key} never appeared in the file system (cat ${cat.path}: No such file or directory): FSx did not import it. Check the association's AutoImportPolicy (NEW events) and that it is AVAILABLE, not MISCONFIGURED (FSx could not configure the bucket's "FSx" event notification).`,
    );
  }
  const content = cat.stdout.trim();
  if (!cat.ok || content !== canary.fromS3.text) {
    const read = cat.ok
      ? `printed "${content.slice(0, 200)}" instead of "${canary.fromS3.text}"`
      : `failed: ${cat.stderr.trim() || `exit ${cat.responseCode ?? '?'}`}`;
    throw new OnboardingError(
      ErrorNames.DecryptFailed,
      `Reading s3://${request.bucket.name}/${canary.fromS3.s3Key} through the mount (cat ${cat.path}) ${read}: ${await explain(['Decrypt'])}. ${fix}`,
    );
  }
  return {
    changed: false,
    proof: 'export-and-decrypt',
    evidence: {
      exported: {
        url: s3Url,
        serverSideEncryption: object.ServerSideEncryption,
        sseKmsKeyId: object.SSEKMSKeyId,
        bucketKeyEnabled: object.BucketKeyEnabled ?? false,
        ...(object.ETag ? { eTag: object.ETag } : {}),
      },
      read: { path: cat.path, content },
    },
  };
}
