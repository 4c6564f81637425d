// `diagnose` of a local execution: the same analysis as on AWS (cli/aws/diagnose.ts), with the
// sandbox's CloudTrail read through LookupEvents as the file system's target role (account A,
// where KMS logs the SLR's denied requests), and the key and bucket policies read as they are
// now through the key's and bucket's target roles, so that a fix can name an explicit Deny.
// The sandbox's time is virtual: instead of "run diagnose again in 15 minutes", the clock of an
// in-memory copy is moved past CloudTrail's delivery delay. Nothing is saved.
import { GetKeyPolicyCommand } from '@aws-sdk/client-kms';
import { GetBucketPolicyCommand } from '@aws-sdk/client-s3';
import { keyAccountId, validateRequest } from '../../core/request.js';
import type { PolicyDocument } from '../../policy/types.js';
import type { Sandbox } from '../../sandbox/index.js';
import { sandboxClientFactory } from './sandbox-clients.js';
import { diagnoseView, type Diagnosis } from '../aws/diagnose.js';
import type { ExecutionView } from '../aws/status.js';

/** CloudTrail delivers within minutes (about 5 on average): a quarter of an hour covers it. */
const DELIVERY_WAIT_SECONDS = 15 * 60;
/** LookupEvents reaches back 90 days. */
const LOOKUP_DAYS = 90;

async function readPolicy(read: () => Promise<string | undefined>): Promise<PolicyDocument | undefined> {
  try {
    const text = await read();
    return text ? (JSON.parse(text) as PolicyDocument) : undefined;
  } catch {
    // A policy that cannot be read only loses the name of a Deny statement, not the diagnosis.
    return undefined;
  }
}

export async function diagnoseLocally(sandbox: Sandbox, view: ExecutionView): Promise<Diagnosis> {
  const ended = new Date(sandbox.clock.now());
  sandbox.clock.advance(DELIVERY_WAIT_SECONDS);
  const now = new Date(sandbox.clock.now());
  const window: ExecutionView = { ...view, startDate: new Date(now.getTime() - LOOKUP_DAYS * 24 * 3600 * 1000), stopDate: ended };
  const checked = validateRequest(view.input);
  if (!checked.ok) return diagnoseView(window, [], { now });
  const request = checked.request;
  const factory = sandboxClientFactory(sandbox, request.region);
  const fileSystemAccount = request.fileSystem.accountId;
  const trails = [
    { account: `${fileSystemAccount} (the file system's, as fsx-onboard-filesystem)`, client: factory.forTarget('fileSystem', fileSystemAccount).cloudtrail },
  ];
  const { kms } = factory.forTarget('key', keyAccountId(request));
  const { s3 } = factory.forTarget('bucket', request.bucket.accountId);
  const keyPolicy = await readPolicy(async () => (await kms.send(new GetKeyPolicyCommand({ KeyId: request.key.arn, PolicyName: 'default' }))).Policy);
  const bucketPolicy = await readPolicy(async () => (await s3.send(new GetBucketPolicyCommand({ Bucket: request.bucket.name }))).Policy);
  return diagnoseView(window, trails, {
    now,
    policies: { ...(keyPolicy ? { keyPolicy } : {}), ...(bucketPolicy ? { bucketPolicy } : {}) },
  });
}
