// `sandbox show` without --json: the world in a screenful, the parts an onboarding touches.
import type { SandboxSnapshot } from '../sandbox/snapshot.js';

const sids = (policy: { Statement?: { Sid?: string }[] } | null) => (policy?.Statement ?? []).map((s, i) => s.Sid ?? `#${i}`).join(', ') || '(none)';

/** The four settings that are on, or that none is. */
function blockPublicAccess(config: object | null): string {
  const on = Object.entries(config ?? {})
    .filter(([, value]) => value)
    .map(([name]) => name);
  return on.length ? on.join(', ') : 'off (no configuration)';
}

export function describeSandbox(world: SandboxSnapshot): string {
  const lines = [`Sandbox at virtual time ${world.now} (${world.awsCalls} AWS calls so far)`];
  lines.push('', 'Buckets:');
  for (const b of world.buckets) {
    const enc = b.encryption as { sseAlgorithm?: string; kmsMasterKeyId?: string; bucketKeyEnabled?: boolean };
    lines.push(`  s3://${b.name} (account ${b.account}, ${b.region})`);
    lines.push(
      `    default encryption: ${enc.sseAlgorithm ?? '?'}${enc.kmsMasterKeyId ? ` with ${enc.kmsMasterKeyId}` : ''}${enc.bucketKeyEnabled ? ', bucket keys' : ''}`,
    );
    lines.push(`    policy statements: ${sids(b.policy)}`);
    lines.push(`    block public access: ${blockPublicAccess(b.publicAccessBlock)}`);
    lines.push(`    objects: ${b.objects.length}`);
  }
  lines.push('', 'KMS keys:');
  for (const k of world.keys) {
    lines.push(`  ${k.arn} (${k.keySpec}, ${k.keyState})`);
    lines.push(`    policy statements: ${sids(k.policy)}`);
    for (const g of k.grants) lines.push(`    grant ${g.grantId}${g.name ? ` "${g.name}"` : ''} → ${g.granteePrincipal}`);
  }
  lines.push('', 'File systems:');
  if (world.fileSystems.length === 0) lines.push('  (none)');
  for (const f of world.fileSystems)
    lines.push(`  ${f.id} ${f.deploymentType} ${String(f.lifecycle)} (account ${f.account})${f.importPath ? ` linked to ${f.importPath}` : ''}`);
  for (const d of world.dataRepositoryAssociations)
    lines.push(`  ${d.id} ${d.fileSystemPath} ↔ ${d.dataRepositoryPath} ${String((d as { lifecycle?: string }).lifecycle ?? '')}`);
  const slrs = world.roles.filter((r) => r.serviceLinked);
  if (slrs.length) lines.push('', 'Service-linked roles:', ...slrs.map((r) => `  ${r.arn}`));
  const denied = world.cloudTrail.filter((e) => (e as { errorCode?: string }).errorCode);
  lines.push('', `CloudTrail: ${world.cloudTrail.length} events, ${denied.length} with an error`);
  for (const e of denied.slice(-5)) {
    const ev = e as { eventName?: string; errorCode?: string; errorMessage?: string };
    lines.push(`  ${ev.eventName}: ${ev.errorCode} ${ev.errorMessage ?? ''}`);
  }
  lines.push('', 'Full state: fsx-onboard sandbox show --json');
  return lines.join('\n');
}
