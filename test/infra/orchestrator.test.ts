import { beforeAll, describe, expect, it } from 'vitest';
import { Match } from 'aws-cdk-lib/assertions';
import { stateMachineNames } from '../../infra/names.js';
import { functionDescription, functionTimeoutSeconds, handlerEntry } from '../../infra/task-functions.js';
import { renderDefinition, renderRollbackDefinition, type AslDefinition } from '../../workflow/render.js';
import { allStepNames, handlerFolder, Steps, type StepName } from '../../workflow/steps.js';
import { resolveIntrinsics, synthesize, type Json, type Synthesized } from './synth.js';

let synth: Synthesized;
let resources: Record<string, { Type: string; Properties: Record<string, Json> }>;

beforeAll(() => {
  synth = synthesize();
  resources = synth.orchestratorTemplate.toJSON()['Resources'];
});

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

/** Logical id of each step's function, found by its Description. */
function functionIds(): Record<StepName, string> {
  const ids = {} as Record<StepName, string>;
  for (const [id, r] of ofType('AWS::Lambda::Function')) {
    const step = allStepNames.find((s) => r.Properties['Description'] === functionDescription(s));
    if (step) ids[step] = id;
  }
  return ids;
}

/** The definition as Step Functions will run it: DefinitionString with DefinitionSubstitutions applied. */
function deployedDefinition(name: string): unknown {
  const [, machine] = ofType('AWS::StepFunctions::StateMachine').find(([, r]) => r.Properties['StateMachineName'] === name)!;
  const pseudo = { partition: 'aws', region: synth.config.region, account: synth.config.orchestratorAccount };
  let text = resolveIntrinsics(machine.Properties['DefinitionString']!, pseudo) as string;
  const substitutions = resolveIntrinsics(machine.Properties['DefinitionSubstitutions'] ?? {}, pseudo) as Record<string, string>;
  for (const [key, value] of Object.entries(substitutions)) text = text.split(`\${${key}}`).join(value);
  expect(text).not.toMatch(/\$\{[A-Za-z]+\}/);
  return JSON.parse(text);
}

describe('orchestrator stack', () => {
  const expected = (render: (o: { functionArn: (s: StepName) => string }) => AslDefinition) => {
    const ids = functionIds();
    return render({ functionArn: (step) => `getatt:${ids[step]}.Arn` });
  };

  it('deploys the rollback-on-failure definition equal to renderDefinition("rollback") after substitution', () => {
    expect(deployedDefinition(stateMachineNames.rollbackOnFailure)).toEqual(expected((o) => renderDefinition('rollback', o)));
  });

  it('deploys the stop-on-failure definition equal to renderDefinition("stop") after substitution', () => {
    expect(deployedDefinition(stateMachineNames.stopOnFailure)).toEqual(expected((o) => renderDefinition('stop', o)));
  });

  it('deploys the on-demand rollback definition equal to renderRollbackDefinition() after substitution', () => {
    expect(deployedDefinition(stateMachineNames.rollback)).toEqual(expected((o) => renderRollbackDefinition(o)));
  });

  it('makes every state machine Standard, logging ALL with execution data to CloudWatch Logs, with X-Ray tracing', () => {
    const machines = ofType('AWS::StepFunctions::StateMachine');
    expect(machines.map(([, r]) => r.Properties['StateMachineName']).sort()).toEqual(Object.values(stateMachineNames).sort());
    for (const [, r] of machines) {
      expect(r.Properties['StateMachineType']).toBe('STANDARD');
      expect(r.Properties['TracingConfiguration']).toEqual({ Enabled: true });
      expect(r.Properties['LoggingConfiguration']).toMatchObject({ Level: 'ALL', IncludeExecutionData: true });
      expect((r.Properties['LoggingConfiguration'] as { Destinations: unknown[] }).Destinations).toHaveLength(1);
    }
  });

  it('creates one nodejs22.x function per state, bundled from lambdas/<kebab-case>/handler.ts', () => {
    const ids = functionIds();
    expect(Object.keys(ids).sort()).toEqual([...allStepNames].sort());
    expect(ofType('AWS::Lambda::Function')).toHaveLength(allStepNames.length);
    expect(handlerEntry('WaitForDataRepositoryAssociationDeletion')).toMatch(/lambdas\/wait-for-data-repository-association-deletion\/handler\.ts$/);
    expect(handlerFolder('CreateGrant')).toBe('create-grant');
    for (const step of allStepNames) {
      const props = resources[ids[step]]!.Properties;
      expect(props['Runtime']).toBe('nodejs22.x');
      expect(props['Handler']).toBe('index.handler');
      expect(props['TracingConfig']).toEqual({ Mode: 'Active' });
      expect(props['LoggingConfig']).toEqual({ LogFormat: 'JSON', LogGroup: { Ref: expect.stringMatching(/Logs/) } });
    }
  });

  it('sets each function timeout a little below its Task timeout', () => {
    const ids = functionIds();
    for (const step of allStepNames) {
      const timeout = resources[ids[step]]!.Properties['Timeout'] as number;
      expect(timeout).toBe(functionTimeoutSeconds(step));
      expect(timeout).toBeLessThan(Steps[step].timeoutSeconds);
      expect(timeout).toBeGreaterThanOrEqual(Steps[step].timeoutSeconds - 15);
    }
  });

  it('gives every function the target role names and the external id its client factory reads', () => {
    for (const [, r] of ofType('AWS::Lambda::Function')) {
      expect((r.Properties['Environment'] as { Variables: Record<string, string> }).Variables).toMatchObject({
        FSX_ONBOARD_FILESYSTEM_ROLE_NAME: synth.config.roleNames.fileSystem,
        FSX_ONBOARD_BUCKET_ROLE_NAME: synth.config.roleNames.bucket,
        FSX_ONBOARD_KEY_ROLE_NAME: synth.config.roleNames.key,
        FSX_ONBOARD_EXTERNAL_ID: synth.config.externalId,
      });
    }
  });

  it('notifies an encrypted topic when an execution fails, times out or is aborted', () => {
    const t = synth.orchestratorTemplate;
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: Match.anyValue() },
      },
      Targets: [Match.objectLike({ Arn: Match.anyValue() })],
    });
    const [ruleId, rule] = ofType('AWS::Events::Rule')[0]!;
    const [, topicPolicy] = ofType('AWS::SNS::TopicPolicy')[0]!;
    const publishers = (topicPolicy.Properties['PolicyDocument'] as { Statement: Record<string, Json>[] }).Statement.filter((st) => st['Effect'] === 'Allow');
    expect(publishers).toEqual([
      expect.objectContaining({
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sns:Publish',
        Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ruleId, 'Arn'] } } },
      }),
      expect.objectContaining({
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Condition: { StringEquals: { 'aws:SourceAccount': synth.config.orchestratorAccount } },
      }),
    ]);
    expect((rule.Properties['EventPattern'] as { detail: { stateMachineArn: unknown[] } }).detail.stateMachineArn).toHaveLength(3);
  });

  it('keeps notifications EventBridge could not deliver in an encrypted dead-letter queue, with an alarm', () => {
    const [queueId, queue] = ofType('AWS::SQS::Queue')[0]!;
    expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 60 * 60 });
    const [, rule] = ofType('AWS::Events::Rule')[0]!;
    expect((rule.Properties['Targets'] as Record<string, Json>[])[0]).toMatchObject({ DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } } });
    const dlqAlarms = ofType('AWS::CloudWatch::Alarm').filter(([, a]) => a.Properties['MetricName'] === 'ApproximateNumberOfMessagesVisible');
    expect(dlqAlarms).toHaveLength(1);
  });

  it('alarms on ExecutionsFailed of each state machine into the topic', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').filter(([, a]) => a.Properties['Namespace'] === 'AWS/States');
    expect(alarms).toHaveLength(3);
    for (const [, a] of alarms) {
      expect(a.Properties).toMatchObject({ MetricName: 'ExecutionsFailed', Namespace: 'AWS/States', Threshold: 1 });
      expect(a.Properties['AlarmActions']).toHaveLength(1);
    }
  });
});
