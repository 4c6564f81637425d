// What `sandbox show --json` prints: the world as a reader wants it (policies parsed,
// lifecycles evaluated at the current virtual time, object bodies as text).
import { fileSystemLifecycle } from './services/fsx-common.js';
import { draLifecycle } from './services/fsx-dra.js';
import type { Sim } from './sim.js';
import { trailOf } from './trail-store.js';
import { publicAccessBlockOf } from './services/s3-public-access.js';

export function snapshotOf(sim: Sim) {
  const s = sim.state;
  const now = sim.now();
  return {
    now: new Date(now).toISOString(),
    awsCalls: s.awsCalls,
    accounts: s.accounts,
    roles: Object.values(s.roles).map((r) => ({
      arn: r.arn,
      path: r.path,
      account: r.account,
      trustPolicy: r.trustPolicy,
      identityPolicies: { ...r.inlinePolicies, ...Object.fromEntries(r.managedPolicies.map((p, i) => [`managed-${i}`, p])) },
      createdAt: new Date(r.createdAt).toISOString(),
      serviceLinked: !!r.serviceLinked,
    })),
    buckets: Object.values(s.buckets).map((b) => ({
      name: b.name,
      account: b.account,
      region: b.region,
      policy: b.policy ? JSON.parse(b.policy) : null,
      encryption: b.encryption ?? { sseAlgorithm: 'AES256', bucketKeyEnabled: false, default: true },
      publicAccessBlock: publicAccessBlockOf(b),
      objects: Object.values(b.objects).map((o) => ({
        key: o.key,
        size: Buffer.from(o.bodyBase64, 'base64').length,
        text: Buffer.from(o.bodyBase64, 'base64').toString('utf8').slice(0, 200),
        sse: o.sse,
        kmsKeyArn: o.kmsKeyArn ?? null,
        bucketKeyEnabled: !!o.bucketKeyEnabled,
        writtenBy: o.writtenBy,
        lastModified: new Date(o.lastModified).toISOString(),
      })),
    })),
    keys: Object.values(s.keys).map((k) => ({
      arn: k.arn,
      account: k.account,
      region: k.region,
      keySpec: k.keySpec,
      keyUsage: k.keyUsage,
      keyState: k.keyState,
      policy: JSON.parse(k.policy),
      grants: k.grants.map((g) => ({ ...g, inEffectAt: new Date(g.effectiveAt).toISOString() })),
    })),
    fileSystems: Object.values(s.fileSystems).map((f) => ({
      id: f.id,
      account: f.account,
      region: f.region,
      deploymentType: f.deploymentType,
      lifecycle: fileSystemLifecycle(f, now),
      dnsName: f.dnsName,
      mountName: f.mountName,
      importPath: f.importPath ?? null,
      ...(f.kmsKeyId ? { kmsKeyId: f.kmsKeyId } : {}),
      tags: f.tags,
      files: Object.fromEntries(Object.entries(f.files).map(([p, x]) => [p, { hsmAction: x.hsmAction, archived: x.archived }])),
    })),
    dataRepositoryAssociations: Object.values(s.dras).map((d) => ({
      id: d.id,
      fileSystemId: d.fileSystemId,
      fileSystemPath: d.fileSystemPath,
      dataRepositoryPath: d.dataRepositoryPath,
      ...draLifecycle(sim, d),
      tags: d.tags,
    })),
    dataRepositoryTasks: Object.values(s.tasks).map((t) => ({ id: t.id, fileSystemId: t.fileSystemId, type: t.type, result: t.result ?? null })),
    instances: Object.values(s.instances).map((i) => ({ id: i.id, account: i.account, region: i.region, mounts: i.mounts })),
    parameters: Object.entries(s.parameters).map(([key, p]) => ({ key, name: p.name, value: p.value, version: p.version })),
    pendingJobs: s.jobs.map((j) => ({ at: new Date(j.at).toISOString(), kind: j.kind, ref: j.ref })),
    // A getter: the trail file is read only by a reader of the events (JSON.stringify is one).
    get cloudTrail(): Record<string, unknown>[] {
      return trailOf(s)
        .all()
        .map((e) => e.record);
    },
  };
}

export type SandboxSnapshot = ReturnType<typeof snapshotOf>;
