// Builds the CDK app as `cdk synth` would (cdk.json's context), without bundling the functions,
// and helps read the synthesized templates.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, type BuiltApp } from '../../infra/app.js';
import { projectRoot } from '../../infra/task-functions.js';

export const cdkContext = (): Record<string, unknown> =>
  (JSON.parse(readFileSync(join(projectRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

export interface Synthesized extends BuiltApp {
  orchestratorTemplate: Template;
  targetTemplates: Map<string, Template>;
}

export function synthesize(context: Record<string, unknown> = {}): Synthesized {
  // 'aws:cdk:bundling-stacks': [] skips esbuild; the templates are otherwise what synth writes.
  const app = new App({ context: { ...cdkContext(), ...context, 'aws:cdk:bundling-stacks': [] } });
  const built = buildApp(app, { nag: false });
  return {
    ...built,
    orchestratorTemplate: Template.fromStack(built.orchestrator),
    targetTemplates: new Map(built.targets.map((stack) => [stack.account, Template.fromStack(stack)])),
  };
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Resolves the intrinsics CDK writes into plain strings: pseudo parameters to the given values,
 * `Fn::GetAtt [id, Arn]` to `arn:getatt:<id>` and `Ref <id>` to `ref:<id>` markers.
 */
export function resolveIntrinsics(value: Json, pseudo: { partition: string; region: string; account: string }): Json {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, pseudo));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const [key] = keys as [string];
    const arg = value[key]!;
    if (key === 'Ref') {
      const pseudoValues: Record<string, string> = {
        'AWS::Partition': pseudo.partition,
        'AWS::Region': pseudo.region,
        'AWS::AccountId': pseudo.account,
        'AWS::URLSuffix': 'amazonaws.com',
      };
      return pseudoValues[arg as string] ?? `ref:${String(arg)}`;
    }
    if (key === 'Fn::GetAtt') return `getatt:${(arg as string[]).join('.')}`;
    if (key === 'Fn::Join') {
      const [sep, parts] = arg as [string, Json[]];
      return parts.map((p) => resolveIntrinsics(p, pseudo)).join(sep);
    }
  }
  return Object.fromEntries(keys.map((k) => [k, resolveIntrinsics(value[k]!, pseudo)]));
}

export interface FoundStatement {
  /** Logical id of the resource holding the document. */
  resource: string;
  type: string;
  statement: Record<string, Json>;
}

/** Every IAM-style statement in a template: role inline and trust policies, managed/inline policies, key, topic and bucket policies. */
export function allStatements(template: Template): FoundStatement[] {
  const found: FoundStatement[] = [];
  const visit = (node: Json, resource: string, type: string): void => {
    if (Array.isArray(node)) {
      for (const n of node) visit(n, resource, type);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const statements = node['Statement'];
    if (Array.isArray(statements)) {
      for (const s of statements) if (s && typeof s === 'object' && !Array.isArray(s)) found.push({ resource, type, statement: s });
      return;
    }
    for (const v of Object.values(node)) visit(v, resource, type);
  };
  const resources = template.toJSON()['Resources'] as Record<string, { Type: string; Properties?: Json }>;
  for (const [id, r] of Object.entries(resources)) visit(r.Properties ?? null, id, r.Type);
  return found;
}

export const asList = (v: Json | undefined): Json[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
