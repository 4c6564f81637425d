// `sandbox apply`: replaces existing resources by their description in the seed format, so that
// an operator can rehearse "fix the cause, then resume" (a corrected key policy, a bucket policy
// without the public statement, a role with the missing permission). The fields the file writes
// are replaced, a policy as a whole document; the fields it leaves out keep their value (the
// seed format's defaults would otherwise silently drop a bucket policy or reset a key's state),
// and so does what the format cannot describe: a key's grants, a bucket's unlisted objects, a
// role's managed policies. A resource that does not exist, or a change AWS does not allow (a
// key's spec, a bucket's account or region), is refused, and a refused file changes nothing.
import type { RequestProblem } from '../core/request.js';
import { seededEncryption, seededKey, seededObject, seededRole } from './seed-apply.js';
import type { Seed, SeedInput } from './seed.js';
import type { Sim } from './sim.js';
import type { BucketState } from './state.js';
import { LONG_AGO_MS } from './world.js';
import { publicAccessBlockOf } from './services/s3-public-access.js';

interface ReplaceOutcome {
  /** One line per resource whose described fields changed, naming them. */
  replaced: string[];
  /** Described resources that already were exactly as described. */
  unchanged: string[];
}

export type ReplaceResult = { ok: true; outcome: ReplaceOutcome } | { ok: false; problems: RequestProblem[] };

/** Seed sections `apply` cannot replace: they create resources, which is what `sandbox seed` is for. */
const CREATE_ONLY = ['absentRoles', 'fileSystems', 'subnets', 'securityGroups', 'instanceTypes'] as const;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const parsed = (text: string | undefined): unknown => (text ? JSON.parse(text) : null);

/** The fields the file itself wrote for the resource at `index` of `section`. */
function writtenFields(written: SeedInput, section: 'roles' | 'keys' | 'buckets', index: number): Set<string> {
  const entry = (written[section] as object[] | undefined)?.[index];
  return new Set(entry && typeof entry === 'object' ? Object.keys(entry) : []);
}

/** `seed` is the validated file, `written` the same file as written (before the schema's defaults). */
export function replaceFromSeed(sim: Sim, seed: Seed, written: SeedInput): ReplaceResult {
  const state = sim.state;
  const problems: RequestProblem[] = [];
  for (const field of CREATE_ONLY)
    if (seed[field].length)
      problems.push({ field, message: 'cannot be replaced by sandbox apply (it replaces roles, buckets and keys); add new resources with sandbox seed' });
  const outcome: ReplaceOutcome = { replaced: [], unchanged: [] };
  const writes: (() => void)[] = [];
  const report = (what: string, changed: string[], write: () => void) => {
    if (changed.length) {
      outcome.replaced.push(`${what}: ${changed.join(', ')}`);
      writes.push(write);
    } else outcome.unchanged.push(what);
  };
  const createdAt = sim.now() - LONG_AGO_MS;

  seed.roles.forEach((role, i) => {
    const existing = state.roles[role.arn];
    if (!existing) {
      problems.push({ field: `roles.${i}.arn`, message: `${role.arn} does not exist in the sandbox; add it with sandbox seed` });
      return;
    }
    if (existing.serviceLinked) {
      problems.push({ field: `roles.${i}.arn`, message: `${role.arn} is a service-linked role: IAM does not let anyone edit it` });
      return;
    }
    const given = writtenFields(written, 'roles', i);
    const wanted = seededRole(role, existing.createdAt);
    const trust = given.has('trustPolicy') && !same(existing.trustPolicy, wanted.trustPolicy);
    const inline = given.has('policies') && !same(existing.inlinePolicies, wanted.inlinePolicies);
    report(`role ${role.arn}`, [...(trust ? ['trustPolicy'] : []), ...(inline ? ['policies'] : [])], () => {
      if (trust) existing.trustPolicy = wanted.trustPolicy;
      if (inline) existing.inlinePolicies = wanted.inlinePolicies;
    });
  });

  seed.keys.forEach((key, i) => {
    const existing = state.keys[key.arn];
    if (!existing) {
      problems.push({ field: `keys.${i}.arn`, message: `${key.arn} does not exist in the sandbox; add it with sandbox seed` });
      return;
    }
    const given = writtenFields(written, 'keys', i);
    const wanted = seededKey(key, createdAt);
    // KMS fixes a key's spec and usage when the key is created.
    if (given.has('keySpec') && wanted.keySpec !== existing.keySpec)
      problems.push({ field: `keys.${i}.keySpec`, message: `must stay ${existing.keySpec}: a KMS key's spec cannot change` });
    if (given.has('keyUsage') && wanted.keyUsage !== existing.keyUsage)
      problems.push({ field: `keys.${i}.keyUsage`, message: `must stay ${existing.keyUsage}: a KMS key's usage cannot change` });
    const changed = [
      ...(given.has('policy') && !same(parsed(existing.policy), parsed(wanted.policy)) ? ['policy'] : []),
      ...(given.has('state') && existing.keyState !== wanted.keyState ? ['state'] : []),
      ...(given.has('description') && existing.description !== wanted.description ? ['description'] : []),
    ];
    report(`key ${key.arn}`, changed, () => {
      if (changed.includes('policy')) existing.policy = wanted.policy;
      if (changed.includes('state')) existing.keyState = wanted.keyState;
      if (changed.includes('description')) existing.description = wanted.description;
    });
  });

  seed.buckets.forEach((described, i) => {
    const existing = state.buckets[described.name];
    if (!existing) {
      problems.push({ field: `buckets.${i}.name`, message: `${described.name} does not exist in the sandbox; add it with sandbox seed` });
      return;
    }
    if (described.accountId !== existing.account)
      problems.push({ field: `buckets.${i}.accountId`, message: `must stay ${existing.account}: a bucket cannot move to another account` });
    if (described.region !== existing.region)
      problems.push({ field: `buckets.${i}.region`, message: `must stay ${existing.region}: a bucket cannot move to another region` });
    const given = writtenFields(written, 'buckets', i);
    const policy = described.policy ? JSON.stringify(described.policy) : undefined;
    const encryption = seededEncryption(described.encryption);
    const access = described.publicAccessBlock ?? null;
    const changed = [
      ...(given.has('policy') && !same(parsed(existing.policy), parsed(policy)) ? ['policy'] : []),
      ...(given.has('encryption') && !same(existing.encryption ?? null, encryption) ? ['encryption'] : []),
      ...(given.has('publicAccessBlock') && !same(publicAccessBlockOf(existing), access) ? ['publicAccessBlock'] : []),
      ...described.objects.flatMap((o) => {
        const present = existing.objects[o.key];
        return present && Buffer.from(present.bodyBase64, 'base64').toString('utf8') === o.body ? [] : [`object ${o.key}`];
      }),
    ];
    report(`bucket ${described.name}`, changed, () => {
      const bucket: BucketState = existing;
      if (changed.includes('policy') && policy) bucket.policy = policy;
      if (changed.includes('encryption')) bucket.encryption = encryption;
      if (changed.includes('publicAccessBlock') && access) bucket.publicAccessBlock = access;
      for (const o of described.objects) bucket.objects[o.key] = seededObject(bucket, o.key, o.body, sim.now(), seededEncryption(o.encryption));
    });
  });

  if (problems.length) return { ok: false, problems };
  for (const write of writes) write();
  return { ok: true, outcome };
}
