// Seeded sandboxes for the end-to-end tests: a fresh world with a shipped or inline seed applied.
import { readFileSync } from 'node:fs';
import { validateSeed, type SeedInput } from '../../sandbox/index.js';
import { freshSandbox } from './helpers.js';

export const KEY_ARN = 'arn:aws:kms:us-east-1:333333333333:key/2a1bae3d-a3e7-475b-acb2-b0dd92a5ff99';
export const BUCKET = 'genomics-reference-data';

export function shippedSeed(name: string): SeedInput {
  return JSON.parse(readFileSync(`examples/seeds/${name}.json`, 'utf8')) as SeedInput;
}

/** A fresh sandbox with `seed` applied; fails the test if the seed is invalid or conflicts. */
export async function seededSandbox(seed: SeedInput) {
  const sandbox = await freshSandbox();
  const validation = validateSeed(seed);
  if (!validation.ok) throw new Error(`invalid seed: ${JSON.stringify(validation.problems)}`);
  const outcome = sandbox.applySeed(validation.seed);
  if (outcome.conflicts.length) throw new Error(`seed conflicts: ${outcome.conflicts.join('; ')}`);
  return sandbox;
}

/** The names of the CloudTrail events recorded so far (management and data events). */
export function trailEventNames(sandbox: Awaited<ReturnType<typeof freshSandbox>>): string[] {
  return sandbox.snapshot().cloudTrail.map((r) => String(r['eventName']));
}
