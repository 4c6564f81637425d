// The per-repository steps: one step's code run on each repository's view of the state, forward
// in order and compensations in reverse, a poll checking only what is not done yet, and each
// link named apart from the others.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { linkNamesFor, namesFor } from '../../core/naming.js';
import type { StepInput } from '../../core/step-io.js';
import { forState, linkInput } from '../../lambdas/shared/per-repository.js';
import { contextFor } from '../../lambdas/validate-request/validate-request.js';
import { parsed } from '../e2e/helpers.js';

const twoBuckets = JSON.parse(readFileSync('examples/request-two-buckets.json', 'utf8')) as Record<string, unknown>;
const roleArn = (role: string, account: string) => `arn:aws:iam::${account}:role/${role}`;

function stateOf(raw: unknown, steps: StepInput['steps'] = {}): StepInput {
  const request = parsed(raw);
  return { request, context: contextFor(request, { roleArn }), steps };
}

describe('the per-repository steps', () => {
  it("runs a forward step on each repository's own bucket, key, path, names and accounts, in order", async () => {
    const seen: string[] = [];
    const step = forState('ShareKey', async (input: StepInput) => {
      seen.push(`${input.request.fileSystem.fileSystemPath} ${input.request.key.arn} ${input.context.accounts.key} ${input.context.names.keyUseSid}`);
      return { changed: input.request.fileSystem.fileSystemPath === '/imaging', sid: input.context.names.keyUseSid };
    });
    const result = await step(stateOf(twoBuckets), undefined);
    const ids = 'genomics-imaging-2026-12';
    expect(seen).toEqual([
      `/genomics arn:aws:kms:us-east-1:333333333333:key/2a1bae3d-a3e7-475b-acb2-b0dd92a5ff99 333333333333 ${namesFor(ids).keyUseSid}`,
      `/imaging arn:aws:kms:us-east-1:555555555555:key/6f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9 555555555555 ${linkNamesFor(ids, 1).keyUseSid}`,
    ]);
    // The first repository's fields at the top, changed if any changed, each one's under repositories.
    expect(result).toEqual({
      changed: true,
      sid: namesFor(ids).keyUseSid,
      repositories: [
        { changed: false, sid: namesFor(ids).keyUseSid },
        { changed: true, sid: linkNamesFor(ids, 1).keyUseSid },
      ],
    });
  });

  it('undoes the last repository first in a compensation', async () => {
    const seen: string[] = [];
    const step = forState('UnshareKey', async (input: StepInput) => {
      seen.push(input.request.fileSystem.fileSystemPath);
      return { changed: true, removed: 1 };
    });
    await step(stateOf(twoBuckets), undefined);
    expect(seen).toEqual(['/imaging', '/genomics']);
  });

  it('polls only the repositories not done yet, and is done when all are', async () => {
    const checked: string[] = [];
    const step = forState('WaitForDataRepositoryAssociation', async (input: StepInput) => {
      checked.push(input.request.fileSystem.fileSystemPath);
      return { done: true, attempts: 3 };
    });
    const earlier = {
      done: false,
      attempts: 2,
      waitSeconds: 60,
      repositories: [
        { done: true, attempts: 2, waitSeconds: 60 },
        { done: false, attempts: 2, waitSeconds: 60 },
      ],
    };
    const result = await step(stateOf(twoBuckets, { WaitForDataRepositoryAssociation: earlier }), undefined);
    expect(checked).toEqual(['/imaging']);
    expect(result).toMatchObject({
      done: true,
      attempts: 3,
      repositories: [
        { done: true, attempts: 2 },
        { done: true, attempts: 3 },
      ],
    });
  });

  it('gives a step of one link its own earlier results, and the file system steps as they are', () => {
    const state = stateOf(twoBuckets, {
      CreateFileSystem: { changed: true, fileSystemId: 'fs-0123456789abcdef0', created: true },
      CreateGrant: {
        changed: true,
        grantId: 'g0',
        granteePrincipal: 'slr',
        grants: [],
        repositories: [
          { changed: true, grantId: 'g0', granteePrincipal: 'slr', grants: [] },
          { changed: true, grantId: 'g1', granteePrincipal: 'slr', grants: [] },
        ],
      } as never,
    });
    const second = linkInput(state, 1);
    expect(second.steps.CreateGrant?.grantId).toBe('g1');
    expect(second.steps.CreateFileSystem?.fileSystemId).toBe('fs-0123456789abcdef0');
    expect(second.context.roleArns.key).toBe(roleArn('key', '555555555555'));
    expect(second.context.roleArns.fileSystem).toBe(roleArn('fileSystem', '111111111111'));
  });

  it('runs a step of a one-repository request as it is, with its output unchanged', async () => {
    const step = forState('ShareKey', async () => ({ changed: false, sid: 'S' }));
    const single = stateOf(JSON.parse(readFileSync('examples/request.json', 'utf8')));
    expect(await step(single, undefined)).toEqual({ changed: false, sid: 'S' });
    expect(single.context.repositories).toBeUndefined();
  });
});

describe('the names of each link', () => {
  it("keeps the request's own names for the first repository and gives every other one its own, within AWS's limits", () => {
    const id = 'a'.repeat(64);
    expect(linkNamesFor(id, 0)).toEqual(namesFor(id));
    const all = Array.from({ length: 8 }, (_, i) => linkNamesFor(id, i));
    for (const field of ['sid', 'bucketAccessSid', 'keyUseSid', 'grantName', 'dataRepositoryAssociationToken', 'exportTaskToken', 'canaryFileName'] as const) {
      expect(new Set(all.map((n) => n[field])).size, field).toBe(8);
    }
    expect(new Set(all.map((n) => n.fileSystemToken)).size).toBe(1);
    for (const n of all) {
      expect(n.dataRepositoryAssociationToken.length).toBeLessThanOrEqual(63);
      expect(n.exportTaskToken.length).toBeLessThanOrEqual(63);
      expect(n.bucketObjectAccessSid).toMatch(/^[A-Za-z0-9]+$/);
      expect(n.grantName).toMatch(/^[a-zA-Z0-9:/_-]+$/);
    }
  });
});
