// FSx's EC2 checks at CreateFileSystem (caller's credentials via FSx, Lustre ports), and Run
// Command's script semantics (one script, last line's exit code unless `set -e`; the
// invocation is unknown for a moment right after SendCommand).
import { CreateFileSystemCommand } from '@aws-sdk/client-fsx';
import { GetCommandInvocationCommand, SendCommandCommand } from '@aws-sdk/client-ssm';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runLocally } from '../../cli/local-runner.js';
import { fileSystemRolePolicy } from '../../policy/target-role-policies.js';
import { Sandbox, validateSeed } from '../../sandbox/index.js';
import { persistent2FileSystem, runOnClient, world } from './world.js';

type World = Awaited<ReturnType<typeof world>>;

const fsInput = persistent2FileSystem;

const fileSystemRole = (w: World) => w.sandbox.state.roles[`arn:aws:iam::${w.a}:role/fsx-onboard-filesystem`]!;

describe('FSx network checks (EC2 as the caller)', () => {
  it('creates a file system in the subnet and security group ensureWorldFor made for the request', async () => {
    const w = await world();
    const sg = w.sandbox.state.securityGroups![w.request.fileSystem.securityGroupIds[0]!]!;
    expect(sg.inbound).toEqual([
      { protocol: 'tcp', fromPort: 988, toPort: 988 },
      { protocol: 'tcp', fromPort: 1018, toPort: 1023 },
    ]);
    await expect(w.fileSystem.fsx.send(new CreateFileSystemCommand(fsInput(w)))).resolves.toMatchObject({ FileSystem: { Lifecycle: 'CREATING' } });
  });

  it('refuses a security group that does not let Lustre traffic in on 988 and 1018-1023', async () => {
    const w = await world();
    const sg = w.sandbox.state.securityGroups![w.request.fileSystem.securityGroupIds[0]!]!;
    sg.inbound = [{ protocol: 'tcp', fromPort: 988, toPort: 988 }];
    await expect(w.fileSystem.fsx.send(new CreateFileSystemCommand(fsInput(w)))).rejects.toMatchObject({
      name: 'InvalidNetworkSettings',
      message: expect.stringContaining('do not permit Lustre LNET network traffic on port 1018'),
    });
    sg.inbound = [{ protocol: 'tcp', fromPort: 22, toPort: 22 }];
    await expect(w.fileSystem.fsx.send(new CreateFileSystemCommand(fsInput(w)))).rejects.toThrow(/port 988/);
    expect(Object.keys(w.sandbox.state.fileSystems)).toEqual([]);
  });

  it('refuses a subnet or security group that does not exist in the account', async () => {
    const w = await world();
    await expect(w.fileSystem.fsx.send(new CreateFileSystemCommand(fsInput(w, { SubnetIds: ['subnet-0000000000000dead'] })))).rejects.toMatchObject({
      name: 'InvalidNetworkSettings',
    });
    await expect(w.fileSystem.fsx.send(new CreateFileSystemCommand(fsInput(w, { SecurityGroupIds: ['sg-0000000000000dead'] })))).rejects.toMatchObject({
      name: 'InvalidNetworkSettings',
    });
  });

  it("describes the network with the caller's credentials, allowed only through FSx (aws:CalledVia)", async () => {
    const w = await world();
    const role = fileSystemRole(w);
    const policy = Object.values(role.inlinePolicies)[0]!;
    const ec2 = policy.Statement.find((s) => s.Sid === 'Ec2ReadsByFsx')!;
    expect(ec2.Condition).toEqual({ 'ForAnyValue:StringEquals': { 'aws:CalledVia': ['fsx.amazonaws.com'] } });
    // The same reads allowed only when called directly: FSx's calls carry CalledVia fsx, so they are denied.
    ec2.Condition = { 'ForAnyValue:StringEquals': { 'aws:CalledVia': ['cloudformation.amazonaws.com'] } };
    // (ec2:DescribeSubnets and DescribeSecurityGroups stay allowed directly, for preflight: PreflightReads.)
    await expect(w.fileSystem.fsx.send(new CreateFileSystemCommand(fsInput(w)))).rejects.toMatchObject({
      name: 'BadRequest',
      message: expect.stringContaining('ec2:DescribeVpcs'),
    });
    role.inlinePolicies = {
      restored: fileSystemRolePolicy({
        region: w.request.region,
        accounts: { fileSystem: w.a, bucket: w.b, key: w.c },
        orchestratorAccountId: w.a,
        bucketNames: [w.request.bucket.name],
        keyArns: [w.request.key.arn],
      }),
    };
    await expect(w.fileSystem.fsx.send(new CreateFileSystemCommand(fsInput(w)))).resolves.toBeDefined();
  });
});

describe('seeded client instances', () => {
  it("runs no command on the shipped seed's untagged client: StartTestExport fails with AccessDeniedException and the onboarding rolls back", async () => {
    const sandbox = await Sandbox.open({ inMemory: true });
    const seed = validateSeed(JSON.parse(readFileSync('examples/seeds/untagged-lustre-client.json', 'utf8')));
    if (!seed.ok) throw new Error(JSON.stringify(seed.problems));
    expect(sandbox.applySeed(seed.seed).conflicts).toEqual([]);
    const raw = JSON.parse(readFileSync('examples/request.json', 'utf8')) as unknown;
    const result = await runLocally(raw, { sandbox });
    if (result.kind !== 'ran') throw new Error('refused');
    expect(result.report.status).toBe('FAILED');
    expect(result.report.error).toBe('AccessDeniedException');
    expect(result.report.cause).toMatch(
      /not authorized to perform: ssm:SendCommand on resource: arn:aws:ec2:us-east-1:111111111111:instance\/i-0fedcba9876543210/,
    );
    expect(result.report.steps.find((s) => s.name === 'StartTestExport')?.status).toBe('failed');
    expect(Object.keys(sandbox.state.commands)).toEqual([]);
    // The seed applied again changes nothing; a different tag set is a conflict.
    expect(sandbox.applySeed(seed.seed).conflicts).toEqual([]);
    const tagged = validateSeed({
      instances: [{ id: 'i-0fedcba9876543210', accountId: '111111111111', region: 'us-east-1', tags: { 'fsx-onboard:lustre-client': 'true' } }],
    });
    if (!tagged.ok) throw new Error(JSON.stringify(tagged.problems));
    expect(sandbox.applySeed(tagged.seed).conflicts).toEqual([expect.stringContaining('instance i-0fedcba9876543210')]);
  });
});

describe('seeded subnets and security groups', () => {
  it('are created once, unchanged on a second apply, and a conflict when they differ', async () => {
    const sandbox = await Sandbox.open({ inMemory: true });
    const group = { id: 'sg-0a1b2c3d4e5f60718', accountId: '111111111111', region: 'us-east-1', vpcId: 'vpc-0a1b2c3d4e5f60718' };
    const seed = (inbound: { protocol: 'tcp'; fromPort: number; toPort: number }[]) => {
      const v = validateSeed({ subnets: [{ ...group, id: 'subnet-0a1b2c3d4e5f60718' }], securityGroups: [{ ...group, inbound }] });
      if (!v.ok) throw new Error(JSON.stringify(v.problems));
      return v.seed;
    };
    expect(sandbox.applySeed(seed([{ protocol: 'tcp', fromPort: 22, toPort: 22 }])).created).toEqual([
      'subnet subnet-0a1b2c3d4e5f60718',
      'security group sg-0a1b2c3d4e5f60718',
    ]);
    expect(sandbox.applySeed(seed([{ protocol: 'tcp', fromPort: 22, toPort: 22 }])).conflicts).toEqual([]);
    expect(sandbox.applySeed(seed([{ protocol: 'tcp', fromPort: 988, toPort: 988 }])).conflicts).toEqual([
      'security group sg-0a1b2c3d4e5f60718 exists with a different inbound',
    ]);
  });
});

describe('Run Command (AWS-RunShellScript)', () => {
  const instance = (w: World) => w.request.testExport.clientInstanceId!;

  it("runs every line and exits with the last line's code without set -e", async () => {
    const w = await world();
    const out = await runOnClient(w.sandbox, w.fileSystem.ssm, instance(w), ['cat /nowhere/file', 'mkdir -p /tmp/x']);
    expect(out).toMatchObject({ Status: 'Success', ResponseCode: 0, StandardErrorContent: 'cat: /nowhere/file: No such file or directory\n' });
  });

  it('stops at the first failing line with set -e', async () => {
    const w = await world();
    const out = await runOnClient(w.sandbox, w.fileSystem.ssm, instance(w), ['set -e', 'cat /nowhere/file', "printf '%s\\n' 'after' > /tmp/after"]);
    expect(out).toMatchObject({ Status: 'Failed', ResponseCode: 1 });
    expect(w.sandbox.state.instances[instance(w)]!.localFiles['/tmp/after']).toBeUndefined();
  });

  // The instance's tags reach the policy as ssm:resourceTag/<key>; the file-system role may run
  // commands only on instances tagged fsx-onboard:lustre-client = true.
  it('refuses SendCommand on an instance without the Lustre-client tag (ssm:resourceTag), and sends nothing', async () => {
    const w = await world();
    const send = () =>
      w.fileSystem.ssm.send(new SendCommandCommand({ InstanceIds: [instance(w)], DocumentName: 'AWS-RunShellScript', Parameters: { commands: ['true'] } }));
    w.sandbox.state.instances[instance(w)]!.tags = { 'fsx-onboard:lustre-client': 'false', team: 'genomics' };
    await expect(send()).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining(
        `not authorized to perform: ssm:SendCommand on resource: arn:aws:ec2:${w.request.region}:${w.a}:instance/${instance(w)}`,
      ),
    });
    delete w.sandbox.state.instances[instance(w)]!.tags;
    await expect(send()).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(Object.keys(w.sandbox.state.commands)).toEqual([]);
    w.sandbox.state.instances[instance(w)]!.tags = { 'fsx-onboard:lustre-client': 'true' };
    await expect(send()).resolves.toMatchObject({ Command: { Status: 'Pending' } });
  });

  it('answers InvocationDoesNotExist right after SendCommand', async () => {
    const w = await world();
    const sent = await w.fileSystem.ssm.send(
      new SendCommandCommand({ InstanceIds: [instance(w)], DocumentName: 'AWS-RunShellScript', Parameters: { commands: ['mkdir -p /tmp/y'] } }),
    );
    const get = () => w.fileSystem.ssm.send(new GetCommandInvocationCommand({ CommandId: sent.Command!.CommandId!, InstanceId: instance(w) }));
    await expect(get()).rejects.toMatchObject({ name: 'InvocationDoesNotExist' });
    w.sandbox.clock.advance(1);
    await expect(get()).resolves.toMatchObject({ Status: expect.stringMatching(/Pending|InProgress/) });
  });
});
