// Shared setup of the end-to-end tests: a fresh in-memory sandbox and the examples.
import { readFileSync } from 'node:fs';
import { runLocally, type LocalRunOptions } from '../../cli/local-runner.js';
import type { RunReport } from '../../cli/run-report.js';
import { validateRequest, type OnboardingRequest } from '../../core/request.js';
import { Sandbox } from '../../sandbox/index.js';

export const p2Example = JSON.parse(readFileSync('examples/request.json', 'utf8')) as Record<string, any>;
export const legacyExample = JSON.parse(readFileSync('examples/request-legacy.json', 'utf8')) as Record<string, any>;

export function parsed(raw: unknown): OnboardingRequest {
  const result = validateRequest(raw);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.request;
}

export async function freshSandbox(): Promise<Sandbox> {
  return Sandbox.open({ inMemory: true, startTime: Date.UTC(2026, 10, 27, 9, 0, 0) });
}

export async function run(raw: unknown, sandbox: Sandbox, options: Omit<LocalRunOptions, 'sandbox'> = {}): Promise<RunReport> {
  const result = await runLocally(raw, { sandbox, ...options });
  if (result.kind !== 'ran') throw new Error(`refused: ${JSON.stringify(result.problems)}`);
  return result.report;
}

/** The parts of the world an onboarding may change, for before/after comparisons. */
export function touchable(sandbox: Sandbox, request: OnboardingRequest) {
  const world = sandbox.snapshot();
  const bucket = world.buckets.find((b) => b.name === request.bucket.name)!;
  const key = world.keys.find((k) => k.arn === request.key.arn)!;
  return {
    bucketPolicy: bucket.policy,
    // What GetBucketEncryption shows: AWS reports SSE-S3 for a bucket with no explicit
    // configuration, so "default" and an explicit AES256 are the same state there.
    encryption: (({ default: _default, ...shown }) => shown)(bucket.encryption as { default?: boolean }),
    objects: bucket.objects.map((o) => o.key).sort(),
    keyPolicy: key.policy,
    grants: key.grants.map((g) => g.grantId),
    fileSystems: world.fileSystems.filter((f) => f.lifecycle !== 'DELETED').map((f) => f.id),
    associations: world.dataRepositoryAssociations.map((d) => d.id),
    serviceLinkedRoles: world.roles.filter((r) => r.serviceLinked).map((r) => r.arn),
    parameters: world.parameters.map((p) => p.name),
  };
}
