import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { GetBucketLocationCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { DeleteParameterCommand, GetParameterCommand, GetParametersByPathCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { createClientFactory } from '../../lambdas/shared/clients.js';
import { everyClient } from '../../lambdas/shared/every-client.js';
import { sandboxClientConfig } from '../../sandbox/client-config.js';
import { Sandbox } from '../../sandbox/index.js';
import { trailReader, awaitDelivery, exampleRequest, START, world } from './world.js';

describe('the sandbox as a whole', () => {
  it('keeps the world in its state file across opens', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fsx-onboard-sandbox-'));
    const stateFile = join(dir, 'nested', 'sandbox.json');
    const request = exampleRequest();
    const first = await Sandbox.open({ stateFile, startTime: START });
    first.ensureWorldFor(request);
    const factory = createClientFactory({
      clients: everyClient,
      region: request.region,
      credentials: first.orchestratorCredentials,
      plugins: [first.plugin],
      clientConfig: sandboxClientConfig(),
    });
    await factory.forTarget('key', '333333333333').kms.send(new DescribeKeyCommand({ KeyId: request.key.arn }));
    first.clock.advance(100);
    await first.save();
    expect(JSON.parse(await readFile(stateFile, 'utf8')).awsCalls).toBe(2);

    const second = await Sandbox.open({ stateFile });
    expect(second.clock.now()).toBe(first.clock.now());
    expect(second.metrics.awsCalls).toBe(2);
    expect(second.snapshot().keys[0]?.arn).toBe(request.key.arn);
  });

  it('does not overwrite what exists when the world is ensured again', async () => {
    const w = await world();
    w.sandbox.state.keys[w.request.key.arn]!.keyState = 'Disabled';
    w.sandbox.ensureWorldFor(w.request);
    expect(w.sandbox.state.keys[w.request.key.arn]!.keyState).toBe('Disabled');
  });

  it('advances the virtual clock a few milliseconds per served call', async () => {
    const w = await world();
    const before = w.sandbox.clock.now();
    await w.bucket.s3.send(new GetBucketLocationCommand({ Bucket: w.request.bucket.name }));
    const spent = w.sandbox.clock.now() - before;
    expect(spent).toBeGreaterThan(0);
    expect(spent).toBeLessThan(200);
  });

  it('keeps write-ahead change records in Parameter Store without overwriting them', async () => {
    const w = await world();
    const name = '/fsx-onboard/change-records/genomics-scratch-2026-11';
    await w.orchestrator.ssm.send(new PutParameterCommand({ Name: name, Value: '{"previous":null}', Type: 'String', Overwrite: false }));
    await expect(w.orchestrator.ssm.send(new PutParameterCommand({ Name: name, Value: 'x', Type: 'String', Overwrite: false }))).rejects.toMatchObject({
      name: 'ParameterAlreadyExists',
    });
    expect((await w.orchestrator.ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value).toBe('{"previous":null}');
    await w.orchestrator.ssm.send(new DeleteParameterCommand({ Name: name }));
    await expect(w.orchestrator.ssm.send(new GetParameterCommand({ Name: name }))).rejects.toMatchObject({ name: 'ParameterNotFound' });
    await expect(w.orchestrator.ssm.send(new PutParameterCommand({ Name: '/other/thing', Value: 'x', Type: 'String' }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
  });

  it('lists one level of a hierarchy in pages of at most MaxResults, authorized on the path', async () => {
    const w = await world();
    const path = '/fsx-onboard/change-records/genomics-reference-data';
    const names = Array.from({ length: 12 }, (_, i) => `${path}/request-${String(i).padStart(2, '0')}`);
    for (const Name of [...names, `${path}/nested/deeper`, '/fsx-onboard/change-records/other-bucket/request-x'])
      await w.orchestrator.ssm.send(new PutParameterCommand({ Name, Value: '{}', Type: 'String' }));
    const seen: string[] = [];
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const page = await w.orchestrator.ssm.send(new GetParametersByPathCommand({ Path: path, MaxResults: 5, ...(NextToken ? { NextToken } : {}) }));
      expect(page.Parameters!.length).toBeLessThanOrEqual(5);
      seen.push(...page.Parameters!.map((p) => p.Name!));
      NextToken = page.NextToken;
      pages++;
    } while (NextToken);
    // One level only: the nested parameter and the other bucket's are not listed.
    expect(seen).toEqual(names);
    expect(pages).toBe(3);
    await expect(w.orchestrator.ssm.send(new GetParametersByPathCommand({ Path: path, MaxResults: 11 }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await expect(w.orchestrator.ssm.send(new GetParametersByPathCommand({ Path: '/other' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('filters CloudTrail by event source and time, newest first, per account, once delivered', async () => {
    const w = await world();
    const trail = trailReader(w);
    const lookup = () => trail.cloudtrail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'DescribeKey' }] }));
    await w.key.kms.send(new DescribeKeyCommand({ KeyId: w.request.key.arn }));
    w.sandbox.clock.advance(30);
    const middle = new Date(w.sandbox.clock.now());
    w.sandbox.clock.advance(30);
    await w.key.kms.send(new DescribeKeyCommand({ KeyId: w.request.key.arn }));
    // CloudTrail delivers events minutes after the call (5 on average): none is visible yet, then the first.
    expect((await lookup()).Events).toHaveLength(0);
    w.sandbox.clock.advance(240);
    expect((await lookup()).Events).toHaveLength(1);
    awaitDelivery(w);
    const all = await w.key.cloudtrail.send(
      new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 'kms.amazonaws.com' }] }),
    );
    expect(all.Events?.map((e) => e.EventName)).toEqual(['DescribeKey', 'DescribeKey']);
    expect(all.Events![0]!.EventTime!.getTime()).toBeGreaterThan(all.Events![1]!.EventTime!.getTime());
    const later = await w.key.cloudtrail.send(
      new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 'kms.amazonaws.com' }], StartTime: middle }),
    );
    expect(later.Events).toHaveLength(1);
    const inA = await w.fileSystem.cloudtrail.send(
      new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'DescribeKey' }] }),
    );
    expect(inA.Events).toHaveLength(0);
  });

  it('injects a permanent error on a named operation and transient errors at a seeded rate', async () => {
    const w = await world();
    w.sandbox.faults = {
      permanent: {
        's3:PutBucketPolicy': {
          code: 'OperationAborted',
          message: 'A conflicting conditional operation is currently in progress against this resource.',
          httpStatusCode: 409,
        },
      },
    };
    await expect(w.bucket.s3.send(new PutBucketPolicyCommand({ Bucket: w.request.bucket.name, Policy: '{}' }))).rejects.toMatchObject({
      name: 'OperationAborted',
      $metadata: { httpStatusCode: 409 },
    });
    w.sandbox.faults = { transientRate: 0.5, seed: 7 };
    const outcomes: string[] = [];
    for (let i = 0; i < 20; i++) {
      outcomes.push(
        await w.bucket.s3.send(new GetBucketLocationCommand({ Bucket: w.request.bucket.name })).then(
          () => 'ok',
          (e: Error) => e.name,
        ),
      );
    }
    expect(outcomes).toContain('ok');
    expect(outcomes).toContain('SlowDown');
  });
});
