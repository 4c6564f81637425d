// `npm run bench:bundles` (after `npm run synth`): the size of every Lambda function's bundle
// in the synthesized orchestrator stack, read from cdk.out. Each bundle is also loaded, as
// Lambda's init would, so a module left out of it that is needed at load time shows here.
// Exits 1 when a bundle is over the budget or does not load.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ORCHESTRATOR_STACK } from '../infra/names.js';

/** The budget of issue 12: every function's code, maps included, at most 500 KB (1 KB = 1000 bytes). */
export const BUNDLE_BUDGET_BYTES = 500 * 1000;

const kb = (bytes: number): string => `${(bytes / 1000).toFixed(1)} KB`;

export interface FunctionBundle {
  /** The function's construct path below the stack, e.g. `Steps/ValidateRequest`. */
  name: string;
  handler: string;
  /** Its asset folder in cdk.out. */
  dir: string;
  codeBytes: number;
  mapBytes: number;
}

interface TemplateResource {
  Type: string;
  Metadata?: Record<string, unknown>;
  Properties?: { Handler?: string };
}

/** Every AWS::Lambda::Function of the orchestrator template, with its bundle's sizes. */
export function functionBundles(cdkOut: string): FunctionBundle[] {
  const templatePath = join(cdkOut, `${ORCHESTRATOR_STACK}.template.json`);
  const template = JSON.parse(readFileSync(templatePath, 'utf8')) as { Resources: Record<string, TemplateResource> };
  const bundles: FunctionBundle[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const asset = resource.Metadata?.['aws:asset:path'];
    if (typeof asset !== 'string') throw new Error(`${templatePath}: function ${id} has no aws:asset:path metadata (was it synthesized with bundling?)`);
    const cdkPath = String(resource.Metadata?.['aws:cdk:path'] ?? id);
    const dir = join(cdkOut, asset);
    let codeBytes = 0;
    let mapBytes = 0;
    for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
      const stats = statSync(join(dir, file));
      if (!stats.isFile()) continue;
      if (file.endsWith('.map')) mapBytes += stats.size;
      else if (/\.(m|c)?js$/.test(file)) codeBytes += stats.size;
    }
    bundles.push({ name: cdkPath.split('/').slice(1, -1).join('/'), handler: resource.Properties?.Handler ?? '', dir, codeBytes, mapBytes });
  }
  if (!bundles.length) throw new Error(`${templatePath} has no Lambda functions`);
  return bundles;
}

/** Why `bundle` breaks the budget, or undefined: its code and maps together count. */
export function overBudget(bundle: FunctionBundle, budget = BUNDLE_BUDGET_BYTES): string | undefined {
  const total = bundle.codeBytes + bundle.mapBytes;
  return total > budget ? `over the ${kb(budget)} budget by ${kb(total - budget)}` : undefined;
}

/** Loads the handler's module and checks it exports the handler's function. */
async function loadProblem(bundle: FunctionBundle): Promise<string | undefined> {
  const [file, exported] = bundle.handler.split('.') as [string, string | undefined];
  const candidates = readdirSync(bundle.dir).filter((f) => f === `${file}.mjs` || f === `${file}.js` || f === `${file}.cjs`);
  if (!candidates.length) return `no ${file}.mjs/.js for handler ${bundle.handler}`;
  try {
    const module = (await import(pathToFileURL(join(bundle.dir, candidates[0]!)).href)) as Record<string, unknown>;
    return typeof module[exported ?? ''] === 'function' ? undefined : `does not export a function named ${exported}`;
  } catch (error) {
    return `fails to load: ${error instanceof Error ? error.message : String(error)}`;
  }
}

async function main(): Promise<void> {
  const cdkOut = process.argv[2] ?? 'cdk.out';
  const bundles = functionBundles(cdkOut).sort((a, b) => b.codeBytes + b.mapBytes - (a.codeBytes + a.mapBytes));
  let failures = 0;
  const width = Math.max(...bundles.map((b) => b.name.length));
  console.log(`${'function'.padEnd(width)}  ${'code'.padStart(10)}  ${'map'.padStart(10)}  result`);
  for (const bundle of bundles) {
    const problems = [overBudget(bundle), await loadProblem(bundle)].filter((p): p is string => p !== undefined);
    if (problems.length) failures += 1;
    console.log(
      `${bundle.name.padEnd(width)}  ${kb(bundle.codeBytes).padStart(10)}  ${(bundle.mapBytes ? kb(bundle.mapBytes) : '-').padStart(10)}  ${problems.join('; ') || 'ok'}`,
    );
  }
  const largest = bundles[0]!;
  console.log(
    `${bundles.length} functions, largest ${largest.name} at ${kb(largest.codeBytes + largest.mapBytes)}; budget ${kb(BUNDLE_BUDGET_BYTES)} each (code and maps)`,
  );
  if (failures) {
    console.error(`${failures} function bundle(s) over budget or not loadable`);
    process.exitCode = 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
