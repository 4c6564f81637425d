import { beforeAll, describe, expect, it } from 'vitest';
import type { Template } from 'aws-cdk-lib/assertions';
import { WILDCARD_REASONS } from '../../infra/wildcards.js';
import { allStepNames } from '../../workflow/steps.js';
import { allStatements, asList, resolveIntrinsics, synthesize, type FoundStatement, type Json, type Synthesized } from './synth.js';

let synth: Synthesized;
const pseudo = (account: string) => ({ partition: 'aws', region: synth.config.region, account });

beforeAll(() => {
  synth = synthesize();
});

function everyTemplate(): { account: string; template: Template }[] {
  return [
    { account: synth.config.orchestratorAccount, template: synth.orchestratorTemplate },
    ...[...synth.targetTemplates].map(([account, template]) => ({ account, template })),
  ];
}

const resources = (t: Template) => t.toJSON()['Resources'] as Record<string, { Type: string; Properties: Record<string, Json> }>;
const findId = (type: string, test: (r: { Properties: Record<string, Json> }) => boolean): string =>
  Object.entries(resources(synth.orchestratorTemplate)).find(([, r]) => r.Type === type && test(r))![0];
const actionsOf = (s: FoundStatement) => asList(s.statement['Action']) as string[];

// Every place a "*" resource may appear, and why (the code acknowledges each for cdk-nag).
const XRAY = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'];
const LOG_DELIVERY = [
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
];

describe('least privilege', () => {
  // Deny statements (enforceSSL's "deny sqs:* / sns:Publish without TLS") only take away.
  it('allows no "*" action, no service-wide "<service>:*" action and no NotAction anywhere', () => {
    for (const { template } of everyTemplate()) {
      for (const found of allStatements(template).filter((s) => s.statement['Effect'] === 'Allow')) {
        expect(found.statement['NotAction'], found.resource).toBeUndefined();
        for (const action of actionsOf(found)) {
          expect(action, `${found.resource} ${action}`).not.toBe('*');
          expect(action, `${found.resource} ${action}`).not.toMatch(/^[a-z0-9-]+:\*$/);
        }
      }
    }
  });

  it('uses prefix-wildcard actions only where FSx names them (s3:Get*, s3:List* to validate S3 access)', () => {
    const found = everyTemplate().flatMap(({ account, template }) =>
      allStatements(template)
        .filter((s) => s.statement['Effect'] === 'Allow')
        .flatMap((s) =>
          actionsOf(s)
            .filter((a) => a.includes('*'))
            .map((a) => `${account} ${String(s.statement['Sid'])} ${a}`),
        ),
    );
    const fsAccounts = synth.config.accounts.fileSystem;
    expect(found.sort()).toEqual(fsAccounts.flatMap((a) => [`${a} S3AccessValidatedByFsx s3:Get*`, `${a} S3AccessValidatedByFsx s3:List*`]).sort());
  });

  it('uses "*" resources only for X-Ray, log delivery, KMS key policies (where "*" means this key) and the justified target-role statements', () => {
    const unexpected: string[] = [];
    for (const { account, template } of everyTemplate()) {
      for (const found of allStatements(template)) {
        if (found.statement['Effect'] !== 'Allow') continue;
        const res = asList(resolveIntrinsics(found.statement['Resource'] ?? null, pseudo(account))) as string[];
        if (!res.some((r) => typeof r === 'string' && r.includes('*'))) continue;
        const actions = actionsOf(found);
        if (found.type === 'AWS::KMS::Key' && res.length === 1 && res[0] === '*') continue;
        if (res.length === 1 && res[0] === '*' && actions.every((a) => XRAY.includes(a) || LOG_DELIVERY.includes(a))) continue;
        if (found.type === 'AWS::IAM::Role' && synth.targetTemplates.get(account) === template) continue; // target roles: below
        // The API's resource policy: "execute-api:/*" is this API (its own ARN would be a cycle); callers are limited by condition (api.test.ts).
        if (found.type === 'AWS::ApiGateway::RestApi' && res.length === 1 && res[0] === 'execute-api:/*' && actions.join() === 'execute-api:Invoke') continue;
        unexpected.push(`${account} ${found.resource} ${JSON.stringify(actions)} on ${JSON.stringify(res)}`);
      }
    }
    // The orchestrator's own patterns: its change records and the onboarding machines' executions.
    const { region, orchestratorAccount: a } = synth.config;
    const functionRole = findId('AWS::IAM::Role', (r) => r.Properties['RoleName'] === synth.config.orchestratorRoleName);
    const apiPolicy = findId('AWS::IAM::Policy', (r) => JSON.stringify(r.Properties).includes('states:DescribeExecution'));
    const execution = (name: string) => `arn:aws:states:${region}:${a}:execution:${name}:*`;
    expect(unexpected.sort()).toEqual(
      [
        `${a} ${functionRole} ["ssm:GetParameter","ssm:PutParameter","ssm:DeleteParameter"] on ["arn:aws:ssm:${region}:${a}:parameter/fsx-onboard/change-records/*"]`,
        `${a} ${apiPolicy} ["states:DescribeExecution"] on ${JSON.stringify([execution('fsx-onboard-rollback-on-failure'), execution('fsx-onboard-stop-on-failure')])}`,
      ].sort(),
    );
  });

  it('lets the functions assume exactly the configured target roles and keep change records under /fsx-onboard/change-records/', () => {
    const all = resources(synth.orchestratorTemplate);
    const [roleId, role] = Object.entries(all).find(([, r]) => r.Type === 'AWS::IAM::Role' && r.Properties['RoleName'] === synth.config.orchestratorRoleName)!;
    expect(role.Properties['AssumeRolePolicyDocument']).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    const statements = allStatements(synth.orchestratorTemplate).filter(
      (s) => s.resource === roleId || JSON.stringify(all[s.resource]?.Properties['Roles'] ?? []).includes(roleId),
    );
    const resolved = statements.map((s) => resolveIntrinsics(s.statement, pseudo(synth.config.orchestratorAccount)) as Record<string, Json>);
    const assume = resolved.filter((s) => asList(s['Action']).includes('sts:AssumeRole'));
    const expectedRoles = (['fileSystem', 'bucket', 'key'] as const).flatMap((r) =>
      synth.config.accounts[r].map((acct) => `arn:aws:iam::${acct}:role/${synth.config.roleNames[r]}`),
    );
    expect(assume.flatMap((s) => asList(s['Resource'])).sort()).toEqual(expectedRoles.sort());
    const ssm = resolved.filter((s) => asList(s['Action']).some((a) => String(a).startsWith('ssm:')));
    expect(ssm.flatMap((s) => asList(s['Action'])).sort()).toEqual(['ssm:DeleteParameter', 'ssm:GetParameter', 'ssm:PutParameter']);
    expect(ssm.flatMap((s) => asList(s['Resource']))).toEqual([
      `arn:aws:ssm:${synth.config.region}:${synth.config.orchestratorAccount}:parameter/fsx-onboard/change-records/*`,
    ]);
    const functions = Object.values(all).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions).toHaveLength(allStepNames.length);
    for (const f of functions) expect(f.Properties['Role']).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
  });

  it('lets each state machine invoke only the unqualified functions of its own definition', () => {
    const all = resources(synth.orchestratorTemplate);
    const functionIds = Object.entries(all)
      .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
      .map(([id]) => id);
    for (const [, machine] of Object.entries(all).filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine')) {
      const roleId = (machine.Properties['RoleArn'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const invoke = allStatements(synth.orchestratorTemplate).filter(
        (s) => JSON.stringify(all[s.resource]?.Properties['Roles'] ?? []).includes(roleId) && actionsOf(s).includes('lambda:InvokeFunction'),
      );
      expect(invoke).toHaveLength(1);
      expect(actionsOf(invoke[0]!)).toEqual(['lambda:InvokeFunction']);
      const targets = asList(invoke[0]!.statement['Resource']) as { 'Fn::GetAtt': [string, string] }[];
      const substituted = Object.values(machine.Properties['DefinitionSubstitutions'] as Record<string, Json>);
      expect(targets).toEqual(substituted);
      for (const t of targets) expect(functionIds).toContain(t['Fn::GetAtt'][0]);
    }
  });
});

describe('target-account roles', () => {
  const orchestratorArn = () => `arn:aws:iam::${synth.config.orchestratorAccount}:role/${synth.config.orchestratorRoleName}`;

  function targetRoles(template: Template) {
    return Object.values(resources(template)).filter((r) => r.Type === 'AWS::IAM::Role');
  }

  it('deploys in each account exactly the roles configured for it, named as the functions expect', () => {
    const names = [...synth.targetTemplates].map(([account, t]) => [
      account,
      targetRoles(t)
        .map((r) => r.Properties['RoleName'])
        .sort(),
    ]);
    const expected = [...new Set(Object.values(synth.config.accounts).flat())].map((account) => [
      account,
      (['fileSystem', 'bucket', 'key'] as const)
        .filter((r) => synth.config.accounts[r].includes(account))
        .map((r) => synth.config.roleNames[r])
        .sort(),
    ]);
    expect(names).toEqual(expected);
  });

  it('puts several roles in one account when it plays several parts, and none where it plays none', () => {
    const s = synthesize({ fileSystemAccounts: '444444444444', bucketAccounts: '444444444444,555555555555', keyAccounts: [] });
    expect([...s.targetTemplates.keys()]).toEqual(['444444444444', '555555555555']);
    expect(
      targetRoles(s.targetTemplates.get('444444444444')!)
        .map((r) => r.Properties['RoleName'])
        .sort(),
    ).toEqual(['fsx-onboard-bucket', 'fsx-onboard-filesystem']);
    expect(targetRoles(s.targetTemplates.get('555555555555')!).map((r) => r.Properties['RoleName'])).toEqual(['fsx-onboard-bucket']);
  });

  it('has "*" in resources only in the statements infra/wildcards.ts justifies, and exactly these', () => {
    const expected: Record<string, string[]> = {
      'fsx-onboard-filesystem': [
        'DiagnoseDeniedExport',
        'Ec2ReadsByFsx',
        'FindAndRevokeGrants',
        'FindFsxS3ServiceLinkedRole',
        'FsxDescribe',
        'FsxManageFileSystemsAndAssociations',
        'FsxS3ServiceLinkedRole',
        'FsxServiceLinkedRole',
        'GrantToFsxServiceLinkedRole',
        'LustreClientCommands',
        'LustreClientResults',
        'PreflightReads',
        'S3AccessValidatedByFsx',
      ],
      'fsx-onboard-bucket': ['CanaryEncryptionViaS3', 'CanaryObjects', 'ExportReports', 'SampleObjectEncryption'],
      // Grants moved to the file-system role (A): the SLR's grant must come from the file system's account.
      'fsx-onboard-key': ['KeyPolicy'],
    };
    for (const [account, template] of synth.targetTemplates) {
      for (const role of targetRoles(template)) {
        const policies = resolveIntrinsics(role.Properties['Policies']!, pseudo(account)) as { PolicyDocument: { Statement: Record<string, Json>[] } }[];
        const sids = policies
          .flatMap((p) => p.PolicyDocument.Statement)
          .filter((st) => asList(st['Resource']).some((r) => String(r).includes('*')))
          .map((st) => String(st['Sid']));
        expect(sids.sort(), String(role.Properties['RoleName'])).toEqual(expected[String(role.Properties['RoleName'])]);
        for (const sid of sids) expect(WILDCARD_REASONS[sid]?.length ?? 0, sid).toBeGreaterThan(40);
      }
    }
  });

  it('trusts only the orchestrator function role, and only with the external id', () => {
    for (const [account, template] of synth.targetTemplates) {
      for (const role of targetRoles(template)) {
        const trust = resolveIntrinsics(role.Properties['AssumeRolePolicyDocument']!, pseudo(account)) as { Statement: Record<string, Json>[] };
        const allows = trust.Statement.filter((s) => s['Effect'] === 'Allow');
        expect(allows.length).toBeGreaterThan(0);
        for (const s of allows) {
          expect(asList(s['Action']).filter((a) => a !== 'sts:TagSession')).toEqual(['sts:AssumeRole']);
          const principal = s['Principal'] as Record<string, Json>;
          expect(Object.keys(principal)).toEqual(['AWS']);
          const principals = asList(principal['AWS']);
          const byRoleArn = principals.length === 1 && principals[0] === orchestratorArn();
          const byAccountAndArnCondition =
            principals.length === 1 &&
            principals[0] === `arn:aws:iam::${synth.config.orchestratorAccount}:root` &&
            JSON.stringify(s['Condition']).includes(`"aws:PrincipalArn":"${orchestratorArn()}"`);
          expect(byRoleArn || byAccountAndArnCondition, JSON.stringify(s)).toBe(true);
          expect((s['Condition'] as Record<string, Record<string, Json>>)['StringEquals']).toMatchObject({ 'sts:ExternalId': synth.config.externalId });
        }
      }
    }
  });

  it('carries the external id and orchestrator role name given as context', () => {
    const s = synthesize({ externalId: 'team-42-onboarding', orchestratorRoleName: 'onboarder', orchestratorAccount: '999999999999' });
    const role = targetRoles(s.targetTemplates.get('222222222222')!)[0]!;
    const text = JSON.stringify(resolveIntrinsics(role.Properties['AssumeRolePolicyDocument']!, pseudo('222222222222')));
    expect(text).toContain('"sts:ExternalId":"team-42-onboarding"');
    expect(text).toContain('arn:aws:iam::999999999999');
    expect(text).toContain('onboarder');
    expect(text).not.toContain('fsx-onboard-change-me');
  });
});
