import { beforeAll, describe, expect, it } from 'vitest';
import type { Template } from 'aws-cdk-lib/assertions';
import { WILDCARD_REASONS } from '../../infra/wildcards.js';
import { allStepNames, type StepName } from '../../workflow/steps.js';
import { stepsActingThrough } from '../../infra/function-roles.js';
import type { TargetRole } from '../../core/roles.js';
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
    // The orchestrator's own patterns: the change records of the two steps keeping them, the reliance records of the four steps sharing statements, and the onboarding machines' executions.
    const { region, orchestratorAccount: a } = synth.config;
    const roleOf = (step: string) => findId('AWS::IAM::Role', (r) => r.Properties['RoleName'] === `fsx-onboard-${step}`);
    const apiPolicy = findId('AWS::IAM::Policy', (r) => JSON.stringify(r.Properties).includes('states:DescribeExecution'));
    const execution = (name: string) => `arn:aws:states:${region}:${a}:execution:${name}:*`;
    const records = `["arn:aws:ssm:${region}:${a}:parameter/fsx-onboard/change-records/*"]`;
    const reliance = `["arn:aws:ssm:${region}:${a}:parameter/fsx-onboard/shared/*"]`;
    expect(unexpected.sort()).toEqual(
      [
        `${a} ${roleOf('SetDefaultEncryption')} ["ssm:GetParameter","ssm:PutParameter"] on ${records}`,
        `${a} ${roleOf('RestoreDefaultEncryption')} ["ssm:GetParameter","ssm:GetParametersByPath","ssm:PutParameter","ssm:DeleteParameter"] on ${records}`,
        `${a} ${roleOf('PutBucketAccessPolicy')} ["ssm:GetParameter","ssm:PutParameter"] on ${reliance}`,
        `${a} ${roleOf('ShareKey')} ["ssm:GetParameter","ssm:PutParameter"] on ${reliance}`,
        `${a} ${roleOf('RemoveBucketAccess')} ["ssm:GetParameter","ssm:DeleteParameter","ssm:GetParametersByPath"] on ${reliance}`,
        `${a} ${roleOf('UnshareKey')} ["ssm:GetParameter","ssm:DeleteParameter","ssm:GetParametersByPath"] on ${reliance}`,
        `${a} ${apiPolicy} ["states:DescribeExecution"] on ${JSON.stringify([execution('fsx-onboard-rollback-on-failure'), execution('fsx-onboard-stop-on-failure')])}`,
      ].sort(),
    );
  });

  it('gives each function its own role, assuming exactly the target roles its step acts through', () => {
    const all = resources(synth.orchestratorTemplate);
    const functions = Object.entries(all).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
    expect(functions).toHaveLength(allStepNames.length);
    const roleIds = functions.map(([, f]) => (f.Properties['Role'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]);
    expect(new Set(roleIds).size).toBe(allStepNames.length);
    const assumedBy = (step: StepName) => {
      const [roleId, role] = Object.entries(all).find(([, r]) => r.Type === 'AWS::IAM::Role' && r.Properties['RoleName'] === `fsx-onboard-${step}`)!;
      expect(roleIds).toContain(roleId);
      expect(role.Properties['AssumeRolePolicyDocument']).toEqual({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      });
      const statements = allStatements(synth.orchestratorTemplate).filter(
        (st) => st.resource === roleId || JSON.stringify(all[st.resource]?.Properties['Roles'] ?? []).includes(`"${roleId}"`),
      );
      const resolved = statements.map((st) => resolveIntrinsics(st.statement, pseudo(synth.config.orchestratorAccount)) as Record<string, Json>);
      return resolved
        .filter((st) => asList(st['Action']).includes('sts:AssumeRole'))
        .flatMap((st) => asList(st['Resource']))
        .map((arn) => String(arn).split('/').pop())
        .sort();
    };
    expect(assumedBy('ShareKey')).toEqual(['fsx-onboard-key']);
    expect(assumedBy('CreateGrant')).toEqual(['fsx-onboard-filesystem']);
    expect(assumedBy('RevokeGrant')).toEqual(['fsx-onboard-filesystem', 'fsx-onboard-key']);
    expect(assumedBy('SetDefaultEncryption')).toEqual(['fsx-onboard-bucket']);
    expect(assumedBy('ValidateRequest')).toEqual(['fsx-onboard-bucket', 'fsx-onboard-filesystem', 'fsx-onboard-key']);
    for (const step of allStepNames) expect(`fsx-onboard-${step}`.length).toBeLessThanOrEqual(64);
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
  const roleKind = (name: string): TargetRole => (['fileSystem', 'bucket', 'key'] as const).find((r) => synth.config.roleNames[r] === name)!;
  const functionArns = (role: TargetRole, account = synth.config.orchestratorAccount, prefix = 'fsx-onboard') =>
    stepsActingThrough(role).map((step) => `arn:aws:iam::${account}:role/${prefix}-${step}`);

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
        'ClientEncryptionInTransit',
        'DiagnoseDeniedExport',
        'Ec2ReadsByFsx',
        'FindFsxS3ServiceLinkedRole',
        'FsxCreateFileSystemsAndAssociations',
        'FsxDeleteOwnResources',
        'FsxDescribe',
        'FsxS3ServiceLinkedRole',
        'FsxServiceLinkedRole',
        'LustreClientCommands',
        'LustreClientResults',
        'PreflightReads',
        'S3AccessValidatedByFsx',
      ],
      // KMS statements name exact key ARNs (context keyArns): no "*" there.
      'fsx-onboard-bucket': ['CanaryObjects', 'ExportReports', 'SampleObjectEncryption'],
      'fsx-onboard-key': [],
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

  it('trusts exactly the function roles of the steps acting through it, with the external id and an fsx-onboard source identity', () => {
    for (const [account, template] of synth.targetTemplates) {
      for (const role of targetRoles(template)) {
        const trust = resolveIntrinsics(role.Properties['AssumeRolePolicyDocument']!, pseudo(account)) as { Statement: Record<string, Json>[] };
        const allows = trust.Statement.filter((s) => s['Effect'] === 'Allow');
        expect(allows).toHaveLength(1);
        const [s] = allows as [Record<string, Json>];
        expect(asList(s['Action'])).toEqual(['sts:AssumeRole', 'sts:SetSourceIdentity']);
        const principal = s['Principal'] as Record<string, Json>;
        expect(Object.keys(principal)).toEqual(['AWS']);
        expect(asList(principal['AWS']).sort()).toEqual(functionArns(roleKind(String(role.Properties['RoleName']))).sort());
        expect(s['Condition']).toEqual({
          StringEquals: { 'sts:ExternalId': synth.config.externalId },
          StringLike: { 'sts:SourceIdentity': 'fsx-onboard-*' },
        });
      }
    }
    // The key role is not trusted by, e.g., the file-system steps.
    expect(functionArns('key').some((arn) => arn.endsWith('/fsx-onboard-CreateFileSystem'))).toBe(false);
  });

  it('carries the external id and function role prefix given as context', () => {
    const s = synthesize({ externalId: 'team-42-onboarding', functionRolePrefix: 'onboarder', orchestratorAccount: '999999999999' });
    const role = targetRoles(s.targetTemplates.get('222222222222')!)[0]!;
    const trust = resolveIntrinsics(role.Properties['AssumeRolePolicyDocument']!, pseudo('222222222222')) as { Statement: Record<string, Json>[] };
    const text = JSON.stringify(trust);
    expect(text).toContain('"sts:ExternalId":"team-42-onboarding"');
    expect(asList((trust.Statement[0]!['Principal'] as Record<string, Json>)['AWS']).sort()).toEqual(
      functionArns('bucket', '999999999999', 'onboarder').sort(),
    );
    expect(text).not.toContain('fsx-onboard-change-me');
  });
});

describe('destructive rights are fenced', () => {
  const fileSystemRole = () => {
    const account = synth.config.accounts.fileSystem[0]!;
    const template = synth.targetTemplates.get(account)!;
    const role = Object.values(resources(template)).find((r) => r.Properties['RoleName'] === 'fsx-onboard-filesystem')!;
    const policies = resolveIntrinsics(role.Properties['Policies']!, pseudo(account)) as { PolicyDocument: { Statement: Record<string, Json>[] } }[];
    return policies.flatMap((p) => p.PolicyDocument.Statement);
  };
  const withAction = (statements: Record<string, Json>[], action: string) => statements.filter((s) => asList(s['Action']).includes(action));

  it('conditions SendCommand on instances on the Lustre-client tag, the document unconditioned', () => {
    const send = withAction(fileSystemRole(), 'ssm:SendCommand');
    const onInstances = send.find((s) => asList(s['Resource']).some((r) => String(r).includes(':instance/')))!;
    expect(onInstances['Condition']).toEqual({ StringEquals: { 'ssm:resourceTag/fsx-onboard:lustre-client': 'true' } });
    const onDocument = send.find((s) => asList(s['Resource']).some((r) => String(r).includes(':document/')))!;
    expect(asList(onDocument['Resource'])).toEqual([`arn:aws:ssm:${synth.config.region}::document/AWS-RunShellScript`]);
    expect(onDocument['Condition']).toBeUndefined();
    const custom = synthesize({ lustreClientTagKey: 'ops:lustre', lustreClientTagValue: 'yes' });
    expect(JSON.stringify(custom.targetTemplates.get('111111111111')!.toJSON())).toContain('"ssm:resourceTag/ops:lustre":"yes"');
  });

  it('conditions the FSx deletes on the managed-by tag CreateFileSystem and CreateDataRepositoryAssociation set', () => {
    for (const action of ['fsx:DeleteFileSystem', 'fsx:DeleteDataRepositoryAssociation']) {
      const [s, ...more] = withAction(fileSystemRole(), action);
      expect(more).toEqual([]);
      expect(s!['Condition']).toEqual({ StringEquals: { 'aws:ResourceTag/fsx-onboard:managed-by': 'fsx-onboard' } });
    }
  });

  it('grants KMS actions only on the configured key ARNs, never a pattern', () => {
    for (const [account, template] of synth.targetTemplates) {
      for (const found of allStatements(template)) {
        const kms = actionsOf(found).filter((a) => a.startsWith('kms:'));
        if (kms.length === 0) continue;
        const res = asList(resolveIntrinsics(found.statement['Resource'] ?? null, pseudo(account))) as string[];
        for (const r of res) expect(synth.config.keyArns, `${account} ${kms.join()}`).toContain(r);
      }
    }
  });

  it("limits the file-system role's S3 access to the linked prefixes where they are configured", () => {
    const s3 = fileSystemRole().find((s) => s['Sid'] === 'S3AccessValidatedByFsx')!;
    expect(asList(s3['Resource']).sort()).toEqual(
      [
        'arn:aws:s3:::genomics-reference-data',
        'arn:aws:s3:::ml-training-sets',
        'arn:aws:s3:::genomics-reference-data/cohort-2026/*',
        'arn:aws:s3:::genomics-reference-data/cohort-2026-own-key/*',
        // No linkedPrefixes entry for this bucket: the whole bucket.
        'arn:aws:s3:::ml-training-sets/*',
      ].sort(),
    );
  });
});
