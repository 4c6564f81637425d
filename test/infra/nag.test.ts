import { describe, expect, it } from 'vitest';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { buildApp } from '../../infra/app.js';
import { cdkContext } from './synth.js';

function acknowledgements(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, unknown>).map(([id, reason]) => ({
          path: c.node.path,
          id,
          reason: typeof reason === 'string' ? reason : JSON.stringify(reason),
        })),
      ),
  );
}

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged finding on any stack', () => {
    const app = new App({ context: { ...cdkContext(), 'aws:cdk:bundling-stacks': [] } });
    buildApp(app, { nag: false });
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('justifies every acknowledged finding with a reason', () => {
    const app = new App({ context: { ...cdkContext(), 'aws:cdk:bundling-stacks': [] } });
    buildApp(app, { nag: false });
    const acks = acknowledgements(app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) expect(ack.reason.length, `${ack.path} ${ack.id}`).toBeGreaterThan(40);
  });

  it('gives each acknowledgement its own reason: no text is shared by two findings', () => {
    const app = new App({ context: { ...cdkContext(), 'aws:cdk:bundling-stacks': [] } });
    buildApp(app, { nag: false });
    const byReason = new Map<string, string[]>();
    for (const ack of acknowledgements(app)) byReason.set(ack.reason, [...(byReason.get(ack.reason) ?? []), `${ack.path} ${ack.id}`]);
    expect([...byReason.values()].filter((findings) => findings.length > 1)).toEqual([]);
  });
});
