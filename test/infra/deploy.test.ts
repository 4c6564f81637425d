// The target-roles stacks deploy into accounts that were never bootstrapped: nothing in their
// cloud-assembly artifacts may send the CLI to a bootstrap bucket, role or version parameter.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import type { CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { allStepNames } from '../../workflow/steps.js';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.js';
import { EXAMPLE_EXTERNAL_ID, PLACEHOLDER_EXTERNAL_ID, readConfig } from '../../infra/config.js';
import { INLINE_TEMPLATE_LIMIT_BYTES, InlineTemplateSynthesizer } from '../../infra/inline-template-synthesizer.js';
import { ORCHESTRATOR_STACK, targetRolesStackName } from '../../infra/names.js';
import { cdkContext, resolveIntrinsics, synthesize, type Json } from './synth.js';

function assembly(context: Record<string, unknown> = {}) {
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'fsx-onboard-cdk-')),
    context: { ...cdkContext(), ...context, 'aws:cdk:bundling-stacks': [] },
  });
  buildApp(app, { nag: false });
  return app.synth();
}

/** Everything in an artifact that makes `cdk deploy` need `cdk bootstrap` in the stack's account. */
function bootstrapNeeds(stack: CloudFormationStackArtifact): string[] {
  const needs: string[] = [];
  if (stack.stackTemplateAssetObjectUrl) needs.push(`template uploaded to ${stack.stackTemplateAssetObjectUrl}`);
  if (stack.assumeRoleArn) needs.push(`deploy role ${stack.assumeRoleArn}`);
  if (stack.cloudFormationExecutionRoleArn) needs.push(`execution role ${stack.cloudFormationExecutionRoleArn}`);
  if (stack.requiresBootstrapStackVersion) needs.push(`bootstrap version ${stack.requiresBootstrapStackVersion}`);
  if (stack.assets.length) needs.push(`${stack.assets.length} legacy assets`);
  for (const dep of stack.dependencies) if (dep.constructor.name === 'AssetManifestArtifact') needs.push(`asset manifest ${dep.id}`);
  const template = JSON.stringify(stack.template);
  if (/cdk-[a-z0-9]+-(assets|deploy-role|cfn-exec-role)|BootstrapVersion/.test(template)) needs.push('bootstrap resources named in the template');
  return needs;
}

describe('target-roles stacks deploy without a bootstrap', () => {
  const cloud = assembly();
  const targets = ['111111111111', '222222222222', '333333333333'].map((account) => cloud.getStackByName(targetRolesStackName(account)));

  it('reference no asset bucket, bootstrap role or bootstrap version, in the manifest or the template', () => {
    for (const stack of targets) expect(bootstrapNeeds(stack), stack.stackName).toEqual([]);
    // The same check sees the bootstrap the orchestrator stack (function bundles) does need.
    expect(bootstrapNeeds(cloud.getStackByName(ORCHESTRATOR_STACK))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^template uploaded to s3:\/\/cdk-hnb659fds-assets-111111111111-us-east-1\//)]),
    );
  });

  it('are small enough for the CLI to send inline (TemplateBody), with room to grow', () => {
    for (const stack of targets) expect(JSON.stringify(stack.template, undefined, 1).length, stack.stackName).toBeLessThan(INLINE_TEMPLATE_LIMIT_BYTES / 2);
  });

  it('refuse an asset at synth instead of failing at deploy', () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'fsx-onboard-cdk-')) });
    const stack = new Stack(app, 'WithAsset', { synthesizer: new InlineTemplateSynthesizer() as never });
    expect(() => new Asset(stack, 'Bundle', { path: __filename })).toThrow(/deploys without a bootstrap and cannot hold the file asset/);
  });
});

describe('external id', () => {
  const reader = (context: Record<string, unknown>) => (key: string) => context[key];

  it('refuses the placeholder at synth, whatever the accounts', () => {
    expect(() => readConfig(reader({ ...cdkContext(), externalId: PLACEHOLDER_EXTERNAL_ID }), {})).toThrow(/still the placeholder.*openssl rand/);
    expect(() => synthesize({ externalId: PLACEHOLDER_EXTERNAL_ID, bucketAccounts: ['123456789012'] })).toThrow(/placeholder/);
  });

  it("accepts cdk.json's example id only with example accounts (one digit repeated)", () => {
    expect(cdkContext()['externalId']).toBe(EXAMPLE_EXTERNAL_ID);
    expect(readConfig(reader(cdkContext()), {}).externalId).toBe(EXAMPLE_EXTERNAL_ID);
    const realKey = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    expect(() => readConfig(reader({ ...cdkContext(), keyAccounts: ['123456789012'], keyArns: [realKey] }), {})).toThrow(/example.*123456789012/);
    expect(() => readConfig(reader({ ...cdkContext(), orchestratorAccount: '123456789012' }), {})).toThrow(/example.*123456789012/);
    expect(readConfig(reader({ ...cdkContext(), orchestratorAccount: '123456789012', externalId: 'a1b2c3d4e5f6' }), {}).externalId).toBe('a1b2c3d4e5f6');
  });
});

describe('partitions', () => {
  it('builds every ARN of the target roles in the region’s partition (China here)', () => {
    const key = 'arn:aws-cn:kms:cn-north-1:333333333333:key/2a1bae3d-a3e7-475b-acb2-b0dd92a5ff99';
    const synth = synthesize({ region: 'cn-north-1', keyArns: [key] });
    expect(synth.config.keyArns).toEqual([key]);
    for (const [account, template] of synth.targetTemplates) {
      const text = JSON.stringify(resolveIntrinsics(template.toJSON() as Json, { partition: 'aws-cn', region: 'cn-north-1', account }));
      expect(text, account).toContain('arn:aws-cn:');
      expect(text, account).not.toMatch(/arn:aws:/);
    }
  });
});

describe('destroy, then deploy again', () => {
  const synth = synthesize();
  const resources = synth.orchestratorTemplate.toJSON()['Resources'] as Record<
    string,
    { Type: string; DeletionPolicy?: string; UpdateReplacePolicy?: string; Properties: Record<string, Json> }
  >;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

  it('names the retained state machine log groups after the stack instance, so a retained group does not block the next stack', () => {
    const groups = ofType('AWS::Logs::LogGroup').filter(([, r]) => r.Properties['LogGroupName'] !== undefined);
    expect(groups).toHaveLength(3);
    const pseudo = { partition: 'aws', region: synth.config.region, account: synth.config.orchestratorAccount };
    for (const [id, group] of groups) {
      expect(group.DeletionPolicy, id).toBe('Retain');
      const name = group.Properties['LogGroupName'] as { 'Fn::Join': [string, Json[]] };
      // The part after the machine name comes from AWS::StackId (a new UUID for each stack created).
      const [, parts] = name['Fn::Join'];
      expect(String(parts[0])).toMatch(/^\/aws\/vendedlogs\/states\/fsx-onboard-[a-z-]+-$/);
      expect(JSON.stringify(parts.slice(1))).toContain('AWS::StackId');
      expect(resolveIntrinsics(name as unknown as Json, pseudo)).not.toMatch(/ref:/);
    }
  });

  it('keeps every role the target accounts trust by its fixed name, and only those', () => {
    const roles = ofType('AWS::IAM::Role');
    const named = roles.filter(([, r]) => typeof r.Properties['RoleName'] === 'string');
    // One function role per step, each trusted by a target account by its fixed name.
    expect(named.map(([, r]) => r.Properties['RoleName'])).toContain(`${synth.config.functionRolePrefix}-PutBucketAccessPolicy`);
    expect(named).toHaveLength(allStepNames.length);
    for (const [id, role] of named) expect([id, role.DeletionPolicy, role.UpdateReplacePolicy]).toEqual([id, 'Retain', 'Retain']);
    for (const [id, role] of roles.filter(([, r]) => r.Properties['RoleName'] === undefined)) expect([id, role.DeletionPolicy]).toEqual([id, undefined]);
  });
});
