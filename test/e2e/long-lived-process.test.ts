// A long-lived process (an integrator's test suite, a bench) runs onboardings across many
// simulated hours with one client factory. The sandbox's STS sessions last 12 virtual hours and
// the SDK caches assumed-role credentials: their Expiration must follow the virtual clock, or the
// SDK keeps presenting a key the sandbox has forgotten (InvalidClientTokenId).
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { sandboxClientFactory } from '../../cli/local/sandbox-clients.js';
import { freshSandbox, p2Example, parsed, run } from './helpers.js';

/** The n-th team's onboarding on the example's bucket and key (own path, prefix and mount). */
function team(n: number): Record<string, any> {
  const r = structuredClone(p2Example);
  r['requestId'] = `team-${n}-2026-11`;
  r['fileSystem'].fileSystemPath = `/team-${n}`;
  r['bucket'].prefix = `team-${n}/`;
  r['testExport'].mountPath = `/fsx-team-${n}`;
  return r;
}

describe('credentials across simulated hours', () => {
  it('refreshes an assumed-role session the SDK cached once its virtual 12 hours are nearly over', async () => {
    const sandbox = await freshSandbox();
    sandbox.ensureWorldFor(parsed(p2Example));
    const { sts } = sandboxClientFactory(sandbox, 'us-east-1').forTarget('fileSystem', '111111111111');
    const first = await sts.send(new GetCallerIdentityCommand({}));
    const sessions = () => Object.keys(sandbox.state.sessions).length;
    const before = sessions();
    sandbox.clock.advance(13 * 3600);
    const later = await sts.send(new GetCallerIdentityCommand({}));
    expect(later.Arn).toBe(first.Arn);
    // A new session was assumed (the old one has expired and was swept).
    expect(sessions()).toBe(before);
    expect(Object.values(sandbox.state.sessions).every((s) => s.expiresAt > sandbox.clock.now())).toBe(true);
  });

  it('runs onboardings spread over more than 12 simulated hours in one process', async () => {
    const sandbox = await freshSandbox();
    const start = sandbox.clock.now();
    for (let n = 1; n <= 4; n++) {
      const report = await run(team(n), sandbox);
      expect(report.status, `${report.error}: ${report.cause}`).toBe('SUCCEEDED');
      // Other teams' work in between: five virtual hours.
      sandbox.clock.advance(5 * 3600);
    }
    expect(sandbox.clock.now() - start).toBeGreaterThan(12 * 3600_000);
  });
});
