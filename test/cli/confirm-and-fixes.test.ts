// The confirmation offboard and rollback ask for on a terminal, and the fix advice for an
// explicit Deny, with and without the policy document at hand.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { fixFor } from '../../cli/aws/fixes.js';
import { confirmed, terminal } from '../../cli/confirm.js';
import { ExitCode, type CliContext } from '../../cli/context.js';
import type { Denial } from '../../evidence/cloudtrail.js';
import { KEY_ARN, REQUEST_ID } from './aws-fixtures.js';
import { linkNamesFor } from '../../core/naming.js';
import { parsed } from '../e2e/helpers.js';

const original = { ...terminal };
afterEach(() => Object.assign(terminal, original));

function context() {
  const io = { out: '', err: '', code: undefined as ExitCode | undefined, asked: '' };
  const ctx: CliContext = { io: { out: (t) => (io.out += t), err: (t) => (io.err += t) }, setExit: (c) => (io.code = c), stateDir: () => tmpdir() };
  return { ctx, io };
}

describe('confirmation on a terminal', () => {
  it('goes ahead on "y" and stops, exit code 1, on anything else', async () => {
    terminal.isInteractive = () => true;
    const yes = context();
    terminal.ask = async (question) => ((yes.io.asked = question), 'y');
    expect(await confirmed(yes.ctx, { what: `offboard ${REQUEST_ID}` })).toBe(true);
    expect(yes.io.asked).toBe(`Proceed with offboard ${REQUEST_ID}? [y/N] `);
    expect(yes.io.code).toBeUndefined();

    const no = context();
    terminal.ask = async () => '';
    expect(await confirmed(no.ctx, { what: `offboard ${REQUEST_ID}` })).toBe(false);
    expect(no.io.code).toBe(ExitCode.BadInput);
    expect(no.io.err).toMatch(/Not confirmed; nothing was changed/);
  });

  it('never asks with --json, even on a terminal', async () => {
    terminal.isInteractive = () => true;
    terminal.ask = async () => {
      throw new Error('must not ask');
    };
    const { ctx, io } = context();
    expect(await confirmed(ctx, { what: 'x', json: true })).toBe(false);
    expect(io.code).toBe(ExitCode.BadInput);
  });
});

describe('fix advice for an explicit Deny', () => {
  const slrSession = 'arn:aws:sts::111111111111:assumed-role/AWSServiceRoleForFSxS3Access_fs-0123456789abcdef0/FSx';
  const denial: Denial = {
    account: '111111111111',
    eventName: 'Decrypt',
    action: 'kms:Decrypt',
    principal: slrSession,
    resource: KEY_ARN,
    errorCode: 'AccessDenied',
    errorMessage: `User: ${slrSession} is not authorized to perform: kms:Decrypt on resource: ${KEY_ARN} with an explicit deny in a resource-based policy`,
  };
  const situation = { name: REQUEST_ID, region: 'us-east-1' };

  it('names the Deny statement that matches the SLR and the action, read from the key policy', () => {
    const keyPolicy = {
      Version: '2012-10-17' as const,
      Statement: [
        { Sid: 'Admins', Effect: 'Allow' as const, Principal: { AWS: 'arn:aws:iam::333333333333:root' }, Action: 'kms:*', Resource: '*' },
        { Sid: 'NoEncryptByOthers', Effect: 'Deny' as const, Principal: '*' as const, Action: 'kms:Encrypt', Resource: '*' },
        { Sid: 'NoSlrDecrypt', Effect: 'Deny' as const, Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'kms:Decrypt', Resource: '*' },
      ],
    };
    const fix = fixFor(denial, { ...situation, policies: { keyPolicy } });
    expect(fix).toMatch(
      /^explicit Deny: the statement "NoSlrDecrypt" of the key policy of .* denies kms:Decrypt to arn:aws:iam::111111111111:role\/aws-service-role\//,
    );
    expect(fix).not.toMatch(/NoEncryptByOthers|create-grant/);
  });

  it('says explicit Deny from the CloudTrail message alone when the policy could not be read', () => {
    const fix = fixFor(denial, situation);
    expect(fix).toMatch(/^explicit Deny: a statement of the key policy of .* denies kms:Decrypt/);
    expect(fix).toMatch(/aws kms get-key-policy --key-id/);
  });

  it('still gives the grant for a denial that is not an explicit Deny', () => {
    const fix = fixFor({ ...denial, errorMessage: 'because no identity-based policy allows the kms:Decrypt action' }, situation);
    expect(fix).toMatch(/only through a KMS grant/);
  });
});

describe('fix advice for a request of several repositories', () => {
  it("names the key and grant of the repository the denial is about, not the first repository's", () => {
    const request = parsed(JSON.parse(readFileSync('examples/request-two-buckets.json', 'utf8')));
    const second = request.repositories[1]!;
    const slrSession = 'arn:aws:sts::111111111111:assumed-role/AWSServiceRoleForFSxS3Access_fs-0123456789abcdef0/FSx';
    const fix = fixFor(
      {
        account: '111111111111',
        eventName: 'GenerateDataKey',
        action: 'kms:GenerateDataKey',
        principal: slrSession,
        resource: second.key.arn,
        errorCode: 'AccessDenied',
        errorMessage: 'because no identity-based policy allows the kms:GenerateDataKey action',
      },
      { name: request.requestId, region: 'us-east-1', request },
    );
    expect(fix).toContain(`--key-id ${second.key.arn}`);
    expect(fix).toContain(`--name ${linkNamesFor(request.requestId, 1).grantName}`);
    expect(fix).not.toContain(request.repositories[0]!.key.arn);
  });
});
