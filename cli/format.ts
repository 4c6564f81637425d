// Human-readable output: progress lines as states run, and the closing summary.
import type { RequestProblem } from '../core/request.js';
import { forwardPauses, Steps, type StepName } from '../workflow/steps.js';
import { palette, type Palette } from './colors.js';
import { formatExportEvidence } from './export-evidence.js';
import { encryptionChangeOf, type EncryptionChangeReport, type RunEvent, type RunReport } from './run-report.js';
import type { ValidateRequestReport } from '../core/step-outputs.js';

function formatDuration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  if (m < 60) return `${m} min ${s} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

const pad = (text: string, width: number) => (text.length >= width ? text : text + ' '.repeat(width - text.length));
const clock = (e: { wallMs: number; simulatedSeconds: number }) =>
  `[${pad(`${Math.round(e.wallMs)} ms`, 8)} sim ${pad(formatDuration(e.simulatedSeconds), 12)}]`;

/** A pause's summary up to its colon: what it waits for, without the why. */
const pauseSummaries = new Map(forwardPauses.map((s) => [s.name, s.summary.split(':')[0] ?? s.summary]));

export function formatEvent(event: RunEvent, c: Palette = palette(false)): string {
  const at = c.dim(clock(event));
  switch (event.kind) {
    case 'entered':
      return `${at} ▸ ${event.step}`;
    case 'retried':
      return `${at} ${c.yellow('↻')} ${event.step} retry ${event.attempt + 1} after ${c.yellow(event.error)}: ${firstLine(event.cause)}`;
    case 'waited': {
      const what = pauseSummaries.get(event.step);
      return `${at} ${c.green('✓')} ${pad(event.step, 42)} ${formatDuration(event.seconds)} simulated wait${what ? ` (${what.toLowerCase()})` : ''}`;
    }
    case 'done': {
      const r = event.record;
      const checks = r.attempts > 1 ? ` (${r.attempts} calls)` : '';
      const mutating = event.step in Steps && !!(Steps[event.step as StepName] as { compensation?: string }).compensation;
      const changed = mutating && event.output?.['changed'] === false ? c.dim(' — already in place') : '';
      const line = `${at} ${c.green('✓')} ${pad(event.step, 42)} ${formatDuration(r.durationMs / 1000)} real, ${formatDuration(r.simulatedSeconds)} simulated${checks}${changed}`;
      // Reported when detected, before SetDefaultEncryption makes the change.
      const change = event.step === 'ValidateRequest' ? encryptionChangeOf(event.output as ValidateRequestReport | undefined) : undefined;
      return change ? [line, ...formatEncryptionChange(change, '    ', c)].join('\n') : line;
    }
    case 'failed':
      return `${at} ${c.red('✗')} ${event.step} failed: ${c.red(event.error)}: ${event.cause}`;
  }
}

/** Default encryption is bucket-wide: say what changes and for whom. */
function formatEncryptionChange(change: EncryptionChangeReport, indent: string, c: Palette): string[] {
  return [
    `${indent}${c.yellow('default encryption')} of ${change.bucket}: ${change.before} → ${change.after}`,
    `${indent}  every other writer now needs the key; affects: ${change.affects.join('; ')}`,
  ];
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}

export function formatSummary(report: RunReport, c: Palette = palette(false)): string {
  const lines: string[] = [];
  const m = report.metrics;
  const status = report.status === 'SUCCEEDED' ? c.green(report.status) : c.red(report.status);
  lines.push('');
  lines.push(`Execution ${c.bold(report.executionName)} (${report.machine}): ${status}`);
  if (report.error) lines.push(`  error: ${c.red(report.error)}`, `  cause: ${report.cause ?? ''}`);
  const o = report.outputs;
  if (report.status === 'FAILED' && /\| rolled back;/.test(report.cause ?? '') && Object.keys(o).length) {
    lines.push('  from the run (rollback removed what this request created; never an adopted file system):');
  }
  const several = (o.repositories?.length ?? 0) > 1;
  if (several) {
    if (o.fileSystemId) lines.push(`  file system:                  ${o.fileSystemId}`);
    if (o.serviceLinkedRoleArn) lines.push(`  service-linked role:          ${o.serviceLinkedRoleArn}`);
    // One block per link: each has its own encryption change, association, grant and proof.
    for (const r of o.repositories ?? []) {
      lines.push(`  repository ${r.fileSystemPath} ↔ ${r.dataRepositoryPath} (key ${r.keyArn})`);
      if (r.defaultEncryptionChange) lines.push(...formatEncryptionChange(r.defaultEncryptionChange, '    ', c));
      if (r.dataRepositoryAssociationId) lines.push(`    data repository association:  ${r.dataRepositoryAssociationId}`);
      if (r.grantId) lines.push(`    KMS grant:                    ${r.grantId}`);
      if (r.exportCheck) lines.push(...formatExportEvidence(r.exportCheck).map((line) => `  ${line}`));
    }
  } else {
    if (o.defaultEncryptionChange) lines.push(...formatEncryptionChange(o.defaultEncryptionChange, '  ', c));
    if (o.fileSystemId) lines.push(`  file system:                  ${o.fileSystemId}`);
    if (o.dataRepositoryAssociationId) lines.push(`  data repository association:  ${o.dataRepositoryAssociationId}`);
    if (o.serviceLinkedRoleArn) lines.push(`  service-linked role:          ${o.serviceLinkedRoleArn}`);
    if (o.grantId) lines.push(`  KMS grant:                    ${o.grantId}`);
    if (o.exportCheck) lines.push(...formatExportEvidence(o.exportCheck));
  }
  if (o.encryptionInTransit) {
    const { instanceType, supported } = o.encryptionInTransit;
    lines.push(`  client encryption in transit: ${supported ? 'yes' : c.yellow('no')} (${instanceType})`);
  }
  lines.push(
    `  ${m.stateTransitions} state transitions, ${m.lambdaInvocations} task invocations, ${m.awsCalls} AWS calls; ${formatDuration(m.simulatedSeconds)} simulated in ${m.wallMs} ms`,
  );
  // The floor is FSx's own time: what is above it is the orchestration's.
  if (m.floorSeconds !== undefined)
    lines.push(
      `  FSx itself needs ${formatDuration(m.floorSeconds)} (file system, associations, export): ${formatDuration(m.simulatedSeconds - m.floorSeconds)} above that`,
    );
  return lines.join('\n');
}

export function formatProblems(problems: RequestProblem[]): string {
  return ['The request was refused; nothing was changed:', ...problems.map((p) => `  ${p.field}: ${p.message}`)].join('\n');
}

/** A line (or lines) of one execution among several: each line starts with its request id. */
export function prefixed(requestId: string, text: string, c: Palette = palette(false)): string {
  return text
    .split('\n')
    .map((line) => `${c.bold(requestId)} │ ${line}`)
    .join('\n');
}

/** The closing line of several executions: how many ended how. */
export function formatRunsSummary(reports: readonly RunReport[], c: Palette = palette(false)): string {
  const succeeded = reports.filter((r) => r.status === 'SUCCEEDED').length;
  const failed = reports.length - succeeded;
  const slowest = Math.max(...reports.map((r) => r.metrics.simulatedSeconds));
  const parts = [c.green(`${succeeded} succeeded`), ...(failed ? [c.red(`${failed} failed`)] : [])];
  return `\n${reports.length} executions: ${parts.join(', ')}; the longest took ${formatDuration(slowest)} simulated`;
}
