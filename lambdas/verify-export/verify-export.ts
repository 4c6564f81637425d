// Proves the onboarding works end to end. lustre-client: the exported canary is in S3,
// encrypted with the key (SSE-KMS, this key ARN), and the S3-side canary reads back through
// the mount. A denied export or decrypt is silent on the client, so the failure is explained
// from CloudTrail: who was denied which KMS action on which key, and the fix. The denial is
// logged only in the caller's account (A: FSx acts as the SLR there) and only minutes after the
// call, so a failure without its evidence yet answers not-done and the state machine polls.
import { ErrorNames, OnboardingError } from '../../core/errors.js';
import { describeDenial, findDenials } from '../../evidence/cloudtrail.js';
import { headObject } from '../shared/objects.js';
import { GRANT_OPERATIONS } from '../../core/naming.js';
import { clientsFor, pollCount } from '../shared/step-support.js';
import type { StepInput } from '../../core/step-io.js';
import type { StepDeps } from '../shared/step-deps.js';
import { verifyByAnalysis } from './analysis.js';
import { requireOutput, stepOutput, type VerifyExportOutput, type VerifyExportWaiting } from '../../core/step-outputs.js';

/** CloudTrail events can predate the recorded start slightly (clock skew, the S3-side canary's import). */
const LOOKBACK_MS = 10 * 60 * 1000;

export async function verifyExport(input: StepInput, deps: StepDeps<'s3' | 'kms' | 'fsx' | 'cloudtrail'>): Promise<VerifyExportOutput | VerifyExportWaiting> {
  const poll = pollCount(input, 'VerifyExport');
  if (input.request.testExport.mode === 'data-repository-task') return { done: true, ...poll.counted, ...(await verifyByAnalysis(input, deps)) };
  const { request, context } = input;
  const start = stepOutput(input, 'StartTestExport');
  const canary = requireOutput(input, 'StartTestExport', 'canary', 'VerifyExport');
  const cat = stepOutput(input, 'WaitForTestExport')?.cat;
  const { s3 } = clientsFor(input, deps, 'bucket');
  const object = await headObject(s3, request.bucket.name, canary.toS3.s3Key);
  const s3Url = `s3://${request.bucket.name}/${canary.toS3.s3Key}`;

  const slrArn = stepOutput(input, 'WaitForServiceLinkedRole')?.roleArn ?? 'the FSx service-linked role';
  const fix = `Fix: the SLR ${slrArn} needs a grant on ${request.key.arn} (operations ${GRANT_OPERATIONS.join(', ')}, name ${context.names.grantName}) and the key-policy statement ${context.names.keyUseSid}; redrive from CreateGrant.`;
  /** The CloudTrail denials that explain the failure, or undefined while they may still be on their way. */
  const explain = async (eventNames: string[]): Promise<string | undefined> => {
    const startedAt = Date.parse(start?.startedAt ?? '') || Date.now();
    const since = new Date(startedAt - LOOKBACK_MS);
    // FSx calls KMS as the SLR, a principal of A: a denied cross-account KMS request is logged only there.
    const trails = [{ account: context.accounts.fileSystem, client: clientsFor(input, deps, 'fileSystem').cloudtrail }];
    const { denials, lookupProblems } = await findDenials(trails, { eventNames, since, keyArn: request.key.arn });
    const lastCheck = poll.counted.attempts >= poll.maxAttempts;
    if (!denials.length && !lookupProblems.length && !lastCheck) return undefined;
    const found = denials.length
      ? denials.map(describeDenial).join('; ')
      : `no ${eventNames.map((n) => `kms:${n}`).join('/')} AccessDenied found in CloudTrail of account ${context.accounts.fileSystem} since ${since.toISOString()}: the evidence has not arrived yet (CloudTrail delivers within ~5 minutes on average, not guaranteed) after ${poll.counted.attempts} checks; look again with fsx-onboard diagnose`;
    return [found, ...lookupProblems].join('; ');
  };
  const waiting = (what: string): VerifyExportWaiting => ({
    done: false,
    ...poll.counted,
    waitingFor: `CloudTrail in account ${context.accounts.fileSystem} to deliver the ${what} denial`,
  });

  if (!object) {
    const why = await explain(['GenerateDataKey']);
    if (why === undefined) return waiting('kms:GenerateDataKey');
    throw new OnboardingError(ErrorNames.ExportNotLanded, `The exported canary ${canary.toS3.clientPath} did not land at ${s3Url}: ${why}. ${fix}`);
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
    const why = await explain(['Decrypt']);
    if (why === undefined) return waiting('kms:Decrypt');
    throw new OnboardingError(
      ErrorNames.DecryptFailed,
      `Reading s3://${request.bucket.name}/${canary.fromS3.s3Key} through the mount (cat ${cat.path}) ${read}: ${why}. ${fix}`,
    );
  }
  return {
    done: true,
    ...poll.counted,
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
