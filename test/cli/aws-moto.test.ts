// The ops commands over the wire, against moto_server (Python, on this machine image): real
// SDK clients, the real credential chain, AWS_ENDPOINT_URL. moto serves CloudFormation
// (creating the three state machines from a template, outputs included) and Step Functions
// StartExecution/DescribeExecution/ListExecutions/GetExecutionHistory; it has no
// RedriveExecution and no CloudTrail LookupEvents, so redrive and diagnose are covered by the
// mocked tests only. moto does not run the definition: with SF_EXECUTION_HISTORY_TYPE=FAILURE
// every execution is FAILED at once with a canned history ("A State", AnError).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ExitCode } from '../../cli/context.js';
import { stateMachineNames } from '../../infra/names.js';
import { renderDefinition, renderRollbackDefinition } from '../../workflow/render.js';
import { REQUEST_ID, cli } from './aws-fixtures.js';

const example = readFileSync('examples/request.json', 'utf8');
let moto: ChildProcess | undefined;
let endpoint = '';

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

async function startMoto(): Promise<string> {
  const port = await freePort();
  // CI puts the pyenv shims on PATH (.ci/run); spell them out for a shell that does not.
  const env = { ...process.env, SF_EXECUTION_HISTORY_TYPE: 'FAILURE', PATH: `${join(homedir(), '.pyenv', 'shims')}:${process.env['PATH'] ?? ''}` };
  moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { env, stdio: 'ignore' });
  let spawnError: Error | undefined;
  moto.on('error', (e) => (spawnError = e));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (spawnError)
      throw new Error(`moto_server could not start (${spawnError.message}); it comes with the machine image's Python 3.11 (pip install "moto[server]")`);
    if (moto.exitCode !== null) throw new Error(`moto_server exited with ${moto.exitCode}`);
    if (
      await fetch(`${url}/moto-api/`).then(
        () => true,
        () => false,
      )
    )
      return url;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('moto_server did not answer within 10 s');
}

const machine = (name: string, definition: unknown) => ({
  Type: 'AWS::StepFunctions::StateMachine',
  Properties: { StateMachineName: name, DefinitionString: JSON.stringify(definition), RoleArn: 'arn:aws:iam::123456789012:role/fsx-onboard-states' },
});

function useMoto() {
  vi.stubEnv('AWS_ENDPOINT_URL', endpoint);
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'testing');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'testing');
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_PROFILE', '');
}

beforeAll(async () => {
  endpoint = await startMoto();
  useMoto();
  // The orchestrator stack as far as the CLI sees it: the three machines and their outputs.
  await new CloudFormationClient({}).send(
    new CreateStackCommand({
      StackName: 'FsxOnboardOrchestrator',
      TemplateBody: JSON.stringify({
        Resources: {
          RollbackOnFailure: machine(stateMachineNames.rollbackOnFailure, renderDefinition('rollback')),
          StopOnFailure: machine(stateMachineNames.stopOnFailure, renderDefinition('stop')),
          Rollback: machine(stateMachineNames.rollback, renderRollbackDefinition()),
        },
        Outputs: {
          RollbackOnFailureStateMachineArn: { Value: { Ref: 'RollbackOnFailure' } },
          StopOnFailureStateMachineArn: { Value: { Ref: 'StopOnFailure' } },
          RollbackStateMachineArn: { Value: { Ref: 'Rollback' } },
        },
      }),
    }),
  );
  vi.unstubAllEnvs();
}, 30_000);

afterAll(() => {
  moto?.kill();
});

beforeEach(() => {
  useMoto();
  return () => vi.unstubAllEnvs();
});

describe('ops commands against moto_server', () => {
  const arn = `arn:aws:states:us-east-1:123456789012:execution:${stateMachineNames.rollbackOnFailure}:${REQUEST_ID}`;

  it('starts an execution found through the stack outputs, refuses the duplicate, reads its status, and rolls it back', async () => {
    const started = await cli('start', 'examples/request.json');
    expect(started.err).toBe('');
    expect(started.code).toBe(ExitCode.Ok);
    expect(started.out).toContain(arn);

    const duplicate = await cli('start', 'examples/request.json');
    expect(duplicate.code).toBe(ExitCode.BadInput);
    expect(duplicate.err).toMatch(/already exists on fsx-onboard-rollback-on-failure: this request was submitted before/);

    const status = await cli('status', REQUEST_ID, '--json');
    expect(status.code).toBe(ExitCode.ExecutionFailed);
    expect(JSON.parse(status.out)).toMatchObject({ executionArn: arn, status: 'FAILED', failState: 'A State', steps: [] });

    // Through the CLI, so the --aws switch of the (otherwise local) rollback command is covered.
    const rolledBack = await cli('rollback', REQUEST_ID, '--aws');
    expect(rolledBack.code).toBe(ExitCode.Ok);
    expect(rolledBack.out).toMatch(new RegExp(`started ${REQUEST_ID}-rollback-1`));
    const rollback = await new SFNClient({}).send(
      new DescribeExecutionCommand({ executionArn: `arn:aws:states:us-east-1:123456789012:execution:${stateMachineNames.rollback}:${REQUEST_ID}-rollback-1` }),
    );
    expect(JSON.parse(rollback.input ?? '')).toEqual(JSON.parse(example));
  });

  it('explains a profile that does not exist, from the real credential chain', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fsx-onboard-aws-config-'));
    writeFileSync(join(dir, 'config'), '');
    vi.stubEnv('AWS_ACCESS_KEY_ID', '');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', '');
    vi.stubEnv('AWS_CONFIG_FILE', join(dir, 'config'));
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(dir, 'config'));
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
    const named = await cli('status', REQUEST_ID, '--profile', 'nosuch', '--region', 'us-east-1');
    expect(named.code).toBe(ExitCode.BadInput);
    expect(named.err).toMatch(/AWS profile "nosuch" has no usable credentials .*aws sso login --profile nosuch/);
    const none = await cli('status', REQUEST_ID, '--region', 'us-east-1');
    expect(none.err).toMatch(/no AWS credentials found: pass --profile \(or set AWS_PROFILE\)/);
    expect(none.err).not.toMatch(/\n\s+at /);
  });
});
