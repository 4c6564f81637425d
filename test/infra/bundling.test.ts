// A bundle as infra/bundling.ts builds it, run as Lambda runs it: credentials only in the
// environment, every AWS call to a local endpoint that answers like STS and KMS.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { assertOnlyLoadedLazily, handlerBundleOptions } from '../../infra/bundling.js';
import { projectRoot } from '../../infra/task-functions.js';
import { setup } from '../lambdas/fixtures.js';

const outdir = mkdtempSync(join(tmpdir(), 'bundling-test-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

interface Seen {
  call: string;
  accessKey: string | undefined;
}

/** Answers AssumeRole with fixed credentials and KMS GetKeyPolicy with an empty policy. */
async function fakeEndpoint(): Promise<{ url: string; seen: Seen[]; close(): void }> {
  const seen: Seen[] = [];
  const body = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let text = '';
      req.on('data', (chunk) => (text += chunk));
      req.on('end', () => resolve(text));
    });
  const server = createServer(async (req, res) => {
    const text = await body(req);
    const accessKey = /Credential=(\w+)\//.exec(req.headers.authorization ?? '')?.[1];
    if (text.startsWith('Action=AssumeRole&')) {
      seen.push({ call: `sts:AssumeRole ${decodeURIComponent(/RoleArn=([^&]+)/.exec(text)?.[1] ?? '')}`, accessKey });
      res.setHeader('content-type', 'text/xml');
      res.end(
        '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIAASSUMEDROLE</AccessKeyId><SecretAccessKey>secret</SecretAccessKey><SessionToken>token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::333333333333:assumed-role/fsx-onboard-key/s</Arn><AssumedRoleId>AROAEXAMPLE:s</AssumedRoleId></AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>',
      );
      return;
    }
    seen.push({ call: String(req.headers['x-amz-target']), accessKey });
    res.setHeader('content-type', 'application/x-amz-json-1.1');
    res.end(JSON.stringify({ Policy: JSON.stringify({ Version: '2012-10-17', Statement: [] }), PolicyName: 'default' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => server.close() };
}

describe('a bundled handler', () => {
  it('loads and runs with the credentials Lambda gives it, without the credential sources left out', async () => {
    const result = buildSync({
      ...handlerBundleOptions(projectRoot),
      entryPoints: [{ in: 'lambdas/unshare-key/handler.ts', out: 'unshare-key/index' }],
      outdir,
    });
    assertOnlyLoadedLazily(result.metafile!);
    const [output] = Object.values(result.metafile!.outputs);
    const externals = output!.imports.filter((i) => i.external && !i.path.startsWith('node:'));
    expect(externals.length).toBeGreaterThan(0);
    expect(externals.every((i) => i.kind === 'dynamic-import')).toBe(true);
    // Only the clients its handler lists (KMS, DynamoDB for the lock, SSM for shared statements' reliance records): no S3, FSx, IAM or CloudTrail client code.
    expect(Object.keys(output!.inputs).filter((f) => /@aws-sdk\/client-/.test(f) && !/@aws-sdk\/client-(kms|dynamodb|ssm)\//.test(f))).toEqual([]);

    const endpoint = await fakeEndpoint();
    try {
      vi.stubEnv('AWS_ENDPOINT_URL', endpoint.url);
      vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAFUNCTIONROLE');
      vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
      vi.stubEnv('AWS_SESSION_TOKEN', 'token');
      vi.stubEnv('AWS_REGION', 'us-east-1');
      const { handler } = (await import(pathToFileURL(join(outdir, 'unshare-key', 'index.mjs')).href)) as { handler: (event: unknown) => Promise<unknown> };
      const { input } = setup();
      await expect(handler(input)).resolves.toEqual({ changed: false, removed: 0 });
      // The lock in the orchestrator's table with the function's own credentials, the key policy through the key role.
      expect(endpoint.seen).toEqual([
        { call: 'DynamoDB_20120810.PutItem', accessKey: 'AKIAFUNCTIONROLE' },
        { call: `sts:AssumeRole arn:aws:iam::${input.context.accounts.key}:role/fsx-onboard-key`, accessKey: 'AKIAFUNCTIONROLE' },
        { call: 'TrentService.GetKeyPolicy', accessKey: 'ASIAASSUMEDROLE' },
        { call: 'DynamoDB_20120810.DeleteItem', accessKey: 'AKIAFUNCTIONROLE' },
      ]);
    } finally {
      endpoint.close();
    }
  });
});
