// The plan for people: each change with the step that makes it and what it writes, then the
// checks, then one line of totals. docs/plan.md shows an example.
import type { CheckResult, OnboardingPlan, PlannedChange } from './clients.js';

const actionMark: Record<PlannedChange['action'], string> = { create: '+', update: '~', adopt: '=', none: '·', skip: '-' };
const statusMark: Record<CheckResult['status'], string> = { pass: '✓', warn: '!', fail: '✗' };

function changeLines(change: PlannedChange): string[] {
  const lines = [
    `  ${actionMark[change.action]} ${change.kind} ${change.action} — ${change.resource} (account ${change.account}), by ${change.step}`,
    `      ${change.summary}`,
  ];
  if (change.bytes !== undefined) lines.push(`      policy after this step: ${change.bytes} of ${change.limitBytes} bytes`);
  if (change.affects?.length && change.action !== 'none') lines.push(`      also affects: ${change.affects.join('; ')}`);
  if (change.action === 'create' || change.action === 'update') {
    const after = Array.isArray(change.after) ? change.after : [change.after];
    for (const item of after) if (item !== null) lines.push(`      ${JSON.stringify(item)}`);
  }
  return lines;
}

export function formatPlan(plan: OnboardingPlan, heading: string): string {
  const count = (status: CheckResult['status']) => plan.checks.filter((c) => c.status === status).length;
  const changing = plan.changes.filter((c) => c.action === 'create' || c.action === 'update').length;
  return [
    heading,
    '',
    'Changes (+ create, ~ update, = adopt, · already in place, - not done):',
    ...plan.changes.flatMap(changeLines),
    '',
    'Checks:',
    ...plan.checks.map((c) => `  ${statusMark[c.status]} ${c.name}: ${c.detail}`),
    '',
    `${changing} change(s) to make; checks: ${count('pass')} passed, ${count('warn')} warning(s), ${count('fail')} failed.` +
      (count('fail') ? ' The run would fail: fix the failed checks first.' : ''),
  ].join('\n');
}
