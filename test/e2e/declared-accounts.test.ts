// The accounts each step declares (workflow/steps.ts, shown in docs/state-machine.md and used to
// reason about least privilege) must be the accounts its handler really acts in.
import { describe, expect, it } from 'vitest';
import type { TargetRole } from '../../core/roles.js';
import type { ClientFactory } from '../../lambdas/shared/clients.js';
import { stepHandlers } from '../../lambdas/registry.js';
import type { StepHandler } from '../../lambdas/shared/step-deps.js';
import { allStepNames, Steps, type StepAccount, type StepName } from '../../workflow/steps.js';
import { preexistingFileSystem } from '../reliability/scenarios.js';
import { freshSandbox, legacyExample, p2Example, run } from './helpers.js';

const accountOf: Record<TargetRole, StepAccount> = { fileSystem: 'A', bucket: 'B', key: 'C' };

/** Every handler, wrapped so that the accounts it asks the client factory for are recorded. */
function recordingHandlers(seen: Map<StepName, Set<StepAccount>>): Record<StepName, StepHandler> {
  const wrap = (name: StepName): StepHandler => {
    const handler = stepHandlers[name];
    return (input, deps) => {
      const used = seen.get(name) ?? new Set<StepAccount>();
      seen.set(name, used);
      const clients: ClientFactory = {
        roleArn: (role, accountId) => deps.clients.roleArn(role, accountId),
        forTarget: (role, accountId) => {
          used.add(accountOf[role]);
          return deps.clients.forTarget(role, accountId);
        },
        orchestrator: () => {
          used.add('orchestrator');
          return deps.clients.orchestrator();
        },
      };
      return handler(input, { clients });
    };
  };
  return Object.fromEntries(allStepNames.map((name) => [name, wrap(name)])) as Record<StepName, StepHandler>;
}

describe('declared accounts', () => {
  it('match the accounts every step acts in, over onboardings and rollbacks of both link shapes, an adopted file system and shared statements', async () => {
    const seen = new Map<StepName, Set<StepAccount>>();
    const handlers = recordingHandlers(seen);
    const adopting = async (sandbox: Awaited<ReturnType<typeof freshSandbox>>) => {
      const raw = structuredClone(p2Example);
      raw['fileSystem'].existingFileSystemId = await preexistingFileSystem(sandbox, raw);
      return raw;
    };
    // bucket.access "file-systems-of-account": the shared statements' reliance records are kept in the orchestrator's account.
    const sharing = async () => ({ ...p2Example, bucket: { ...p2Example['bucket'], access: 'file-systems-of-account' } });
    for (const example of [async () => p2Example, async () => legacyExample, adopting, sharing]) {
      const sandbox = await freshSandbox();
      const request = await example(sandbox);
      expect((await run(request, sandbox, { handlers })).status).toBe('SUCCEEDED');
      expect((await run(request, sandbox, { handlers, machine: 'rollback-only' })).status).toBe('SUCCEEDED');
    }
    // RevokeGrant reads the key policy in C only when A may not list the grants: after a ShareKey that failed.
    const shareKeyFailed = await freshSandbox();
    shareKeyFailed.faults = { permanent: { 'kms:PutKeyPolicy': { code: 'KMSInternalException', message: 'injected', httpStatusCode: 500 } } };
    expect((await run({ ...p2Example, requestId: 'share-key-failed' }, shareKeyFailed, { handlers })).status).toBe('FAILED');
    for (const name of allStepNames) {
      expect.soft([...(seen.get(name) ?? [])].sort(), name).toEqual([...Steps[name].accounts].sort());
    }
  });
});
