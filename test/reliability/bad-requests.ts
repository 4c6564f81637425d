// The bad-request corpus (test/fixtures/bad-requests/): each file must be refused before any
// call that changes something, with a problem naming its field and rule, and leave the sandbox
// as it was. Shared by the test and `npm run bench:reliability`.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateDataRepositoryAssociationCommand, CreateFileSystemCommand } from '@aws-sdk/client-fsx';
import { runLocally } from '../../cli/local-runner.js';
import { readRequestFile } from '../../cli/request-file.js';
import { createClientFactory } from '../../lambdas/shared/clients.js';
import { everyClient } from '../../lambdas/shared/every-client.js';
import { sandboxClientConfig } from '../../sandbox/client-config.js';
import type { RequestProblem } from '../../core/request.js';
import type { Sandbox } from '../../sandbox/index.js';
import { freshSandbox, p2Example, parsed } from '../e2e/helpers.js';
import { diffStates } from './world-state.js';

export const CORPUS_DIR = 'test/fixtures/bad-requests';

export interface Expectation {
  field: string;
  /** Regular expression the problem's message must match. */
  message: string;
  why: string;
  /** How the world differs from what ensureWorldFor makes (refusals found by ValidateRequest's reads). */
  world?: { keySpec?: string; keyState?: string; keyUsage?: string; bucketRegion?: string; adoptWithAssociationAt?: string };
}

export function loadCorpus(): { file: string; expectation: Expectation }[] {
  const index = JSON.parse(readFileSync(join(CORPUS_DIR, 'expected.json'), 'utf8')) as Record<string, Expectation | string>;
  const files = readdirSync(CORPUS_DIR)
    .filter((f) => f !== 'expected.json')
    .sort();
  const unindexed = files.filter((f) => !(f in index));
  if (unindexed.length) throw new Error(`${CORPUS_DIR}/expected.json lacks ${unindexed.join(', ')}`);
  return files.map((file) => ({ file, expectation: index[file] as Expectation }));
}

/** The world as an onboarding could change it: everything but the clock, the call counter and read-only or STS events. */
function changeableState(sandbox: Sandbox) {
  const { now: _now, awsCalls: _calls, cloudTrail, ...rest } = sandbox.snapshot();
  // An STS session is not a change to any account's resources; reads change nothing.
  return { ...rest, changes: cloudTrail.filter((e) => !e['readOnly'] && e['eventSource'] !== 'sts.amazonaws.com') };
}

/** A file system someone else made and linked at `path`, for the overlap refusals. */
async function adoptableFileSystem(sandbox: Sandbox, path: string): Promise<string> {
  const request = parsed(p2Example);
  const clients = createClientFactory({
    clients: everyClient,
    region: request.region,
    credentials: sandbox.orchestratorCredentials,
    plugins: [sandbox.plugin],
    clientConfig: sandboxClientConfig(),
  });
  const { fsx } = clients.forTarget('fileSystem', request.fileSystem.accountId);
  const { FileSystem } = await fsx.send(
    new CreateFileSystemCommand({
      FileSystemType: 'LUSTRE',
      FileSystemTypeVersion: '2.15',
      StorageCapacity: 1200,
      SubnetIds: request.fileSystem.subnetIds,
      LustreConfiguration: { DeploymentType: 'PERSISTENT_2', PerUnitStorageThroughput: 125 },
    }),
  );
  sandbox.clock.advance(3600);
  // FSx checks the caller's S3 access when linking: the other team had it then, not any more.
  const bucket = sandbox.sim.state.buckets[request.bucket.name]!;
  const policy = bucket.policy;
  const fileSystemRole = clients.roleArn('fileSystem', request.fileSystem.accountId);
  bucket.policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'OtherTeam',
        Effect: 'Allow',
        Principal: { AWS: fileSystemRole },
        Action: ['s3:Get*', 's3:List*', 's3:PutObject'],
        Resource: [`arn:aws:s3:::${request.bucket.name}`, `arn:aws:s3:::${request.bucket.name}/*`],
      },
    ],
  });
  await fsx.send(
    new CreateDataRepositoryAssociationCommand({
      FileSystemId: FileSystem!.FileSystemId!,
      FileSystemPath: path,
      DataRepositoryPath: `s3://${request.bucket.name}/other-team/`,
    }),
  );
  if (policy === undefined) delete bucket.policy;
  else bucket.policy = policy;
  sandbox.clock.advance(3600);
  return FileSystem!.FileSystemId!;
}

async function prepareWorld(sandbox: Sandbox, document: unknown, world: Expectation['world']): Promise<unknown> {
  if (!world) return document;
  const request = parsed(document);
  await sandbox.ensureWorldFor(request);
  const key = sandbox.sim.state.keys[request.key.arn]!;
  if (world.keySpec) key.keySpec = world.keySpec as never;
  if (world.keyState) key.keyState = world.keyState as never;
  if (world.keyUsage) key.keyUsage = world.keyUsage as never;
  if (world.bucketRegion) sandbox.sim.state.buckets[request.bucket.name]!.region = world.bucketRegion;
  if (world.adoptWithAssociationAt === undefined) return document;
  const adopted = structuredClone(document) as { fileSystem: Record<string, unknown> };
  adopted.fileSystem['existingFileSystemId'] = await adoptableFileSystem(sandbox, world.adoptWithAssociationAt);
  return adopted;
}

export interface Refusal {
  file: string;
  refused: boolean;
  /** The problem that names the expected field and rule, if any did. */
  matched?: RequestProblem;
  problems: RequestProblem[];
  /** Changes to the sandbox (expected: none). */
  diff: string[];
}

/** Runs one corpus file as `fsx-onboard run` would, on a fresh sandbox. */
export async function checkBadRequest(file: string, expectation: Expectation): Promise<Refusal> {
  const sandbox = await freshSandbox();
  const read = await readRequestFile(join(CORPUS_DIR, file));
  let problems: RequestProblem[] = [];
  let diff: string[] = [];
  if (!read.ok) problems = read.problems;
  else {
    const document = await prepareWorld(sandbox, read.document, expectation.world);
    const before = changeableState(sandbox);
    const result = await runLocally(document, { sandbox });
    if (result.kind === 'refused') problems = result.problems;
    else {
      const { report } = result;
      // Refused at run time by ValidateRequest's reads: the only state that ran, "<field>: <rule>".
      const onlyValidation = report.status === 'FAILED' && report.steps.every((s) => s.name === 'ValidateRequest');
      const cause = /^([\w.]+): (.*)$/s.exec(report.cause ?? '');
      problems = onlyValidation && cause ? [{ field: cause[1]!, message: cause[2]! }] : [];
    }
    diff = diffStates(before, changeableState(sandbox));
  }
  const rule = new RegExp(expectation.message);
  const matched = problems.find((p) => p.field === expectation.field && rule.test(p.message));
  return { file, refused: problems.length > 0, ...(matched ? { matched } : {}), problems, diff };
}
