// The orchestrator's lock table and who may write it: the table the locks need (on demand, TTL on
// the lease, point-in-time recovery and encryption as cdk-nag asks), its name in every function's
// environment, and the two conditional writes only for the steps that edit a shared document.
import { beforeAll, describe, expect, it } from 'vitest';
import { LOCK_LEASE_SECONDS, LOCK_TABLE_ENV } from '../../core/resource-locks.js';
import { functionRoleName, lockTableName } from '../../infra/function-roles.js';
import { functionDescription } from '../../infra/task-functions.js';
import { allStepNames, functionTimeoutSeconds, Steps } from '../../workflow/steps.js';
import { resolveIntrinsics, synthesize, type Json, type Synthesized } from './synth.js';

let synth: Synthesized;
let resources: Record<string, { Type: string; Properties: Record<string, Json> }>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

beforeAll(() => {
  synth = synthesize();
  resources = synth.orchestratorTemplate.toJSON()['Resources'];
});

const lockingSteps = allStepNames.filter((s) => Steps[s].lockedDocument !== undefined);

describe('lock table', () => {
  it('is one on-demand table keyed by resource, with TTL on expiresAt, point-in-time recovery and encryption', () => {
    const tables = ofType('AWS::DynamoDB::Table');
    expect(tables).toHaveLength(1);
    expect(tables[0]![1].Properties).toMatchObject({
      TableName: lockTableName(synth.config),
      KeySchema: [{ AttributeName: 'resource', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'resource', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  it(`names the table to every function in ${LOCK_TABLE_ENV}`, () => {
    const [tableId] = ofType('AWS::DynamoDB::Table')[0]!;
    const functions = ofType('AWS::Lambda::Function').filter(([, r]) => allStepNames.some((s) => r.Properties['Description'] === functionDescription(s)));
    expect(functions).toHaveLength(allStepNames.length);
    for (const [, f] of functions)
      expect((f.Properties['Environment'] as { Variables: Record<string, Json> }).Variables[LOCK_TABLE_ENV]).toEqual({ Ref: tableId });
  });

  it('lets exactly the steps that edit a shared document PutItem and DeleteItem on that table, and nothing else of DynamoDB', () => {
    expect(lockingSteps).toEqual([
      'PutBucketAccessPolicy',
      'ShareKey',
      'SetDefaultEncryption',
      'NarrowBucketPolicy',
      'RemoveBucketAccess',
      'RestoreDefaultEncryption',
      'UnshareKey',
    ]);
    const pseudo = { partition: 'aws', region: synth.config.region, account: synth.config.orchestratorAccount };
    const tableArn = `arn:aws:dynamodb:${synth.config.region}:${synth.config.orchestratorAccount}:table/${lockTableName(synth.config)}`;
    for (const step of allStepNames) {
      const [, role] = ofType('AWS::IAM::Role').find(([, r]) => r.Properties['RoleName'] === functionRoleName(synth.config, step))!;
      const statements = (
        (resolveIntrinsics(role.Properties['Policies'] ?? [], pseudo) as { PolicyDocument: { Statement: Record<string, Json>[] } }[]) ?? []
      ).flatMap((p) => p.PolicyDocument.Statement);
      const dynamo = statements.filter((s) => JSON.stringify(s['Action']).includes('dynamodb:'));
      if (lockingSteps.includes(step))
        expect(dynamo, step).toEqual([{ Sid: 'ResourceLocks', Effect: 'Allow', Action: ['dynamodb:PutItem', 'dynamodb:DeleteItem'], Resource: tableArn }]);
      else expect(dynamo, step).toEqual([]);
    }
  });

  it("keeps a lease at least as long as every locking function's timeout: a holder still running never loses its lock", () => {
    for (const step of lockingSteps) expect(LOCK_LEASE_SECONDS, step).toBeGreaterThanOrEqual(functionTimeoutSeconds(step));
  });
});
