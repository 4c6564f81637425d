// SDK clients' schemas, made tree-shakable for the function bundles. @aws-sdk/client-ec2 (and
// client-ssm, ~80 KB) describes every shape of its API in one module whose object literals use computed keys
// (`{ [_eQN]: "Min" }`, `_eQN` a string constant of that module). esbuild must assume a computed
// key may run code, so it keeps every shape: ~550 KB in any bundle that names one EC2 command,
// over the 500 KB budget of a whole function. Replacing each computed key by the string constant
// it names changes nothing at run time and lets esbuild drop the shapes no bundled command
// reaches (~40 KB remain for DescribeInstances and DescribeInstanceTypes).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The clients whose schemas are rewritten: the big APIs of which the steps use a few calls. */
const TREE_SHAKEN_CLIENTS = ['@aws-sdk/client-ec2', '@aws-sdk/client-ssm'] as const;
const SCHEMAS = join('dist-es', 'schemas', 'schemas_0.js');

/** `[_name]:` → `"value":` wherever `_name` is a module-level string constant. */
export function literalKeys(source: string): string {
  const constants = new Map<string, string>();
  for (const match of source.matchAll(/^const (_\w+) = ("[^"\\\n]*");$/gm)) constants.set(match[1]!, match[2]!);
  return source.replace(/\[(_\w+)\]:/g, (whole, name: string) => {
    const value = constants.get(name);
    return value === undefined ? whole : `${value}:`;
  });
}

const copies = new Map<string, string>();

/**
 * The entry of a copy of the installed client `pkg` (its ES modules and package.json) with
 * literal keys, made once per process; esbuild is pointed at it by `alias`, and resolves the
 * copy's own imports from the project's node_modules (`nodePaths`).
 */
function treeShakableEntry(projectRoot: string, pkg: string): string {
  const cacheKey = `${projectRoot}|${pkg}`;
  let dir = copies.get(cacheKey);
  if (!dir) {
    const installed = join(projectRoot, 'node_modules', pkg);
    dir = mkdtempSync(join(tmpdir(), `fsx-onboard-${pkg.split('/').pop()}-`));
    const copy = dir;
    process.once('exit', () => rmSync(copy, { recursive: true, force: true }));
    cpSync(join(installed, 'dist-es'), join(dir, 'dist-es'), { recursive: true });
    cpSync(join(installed, 'package.json'), join(dir, 'package.json'));
    writeFileSync(join(dir, SCHEMAS), literalKeys(readFileSync(join(installed, SCHEMAS), 'utf8')));
    copies.set(cacheKey, dir);
  }
  return join(dir, 'dist-es', 'index.js');
}

/** esbuild's `alias`: each client of TREE_SHAKEN_CLIENTS to its tree-shakable copy. */
export function treeShakableClientAliases(projectRoot: string): Record<string, string> {
  return Object.fromEntries(TREE_SHAKEN_CLIENTS.map((pkg) => [pkg, treeShakableEntry(projectRoot, pkg)]));
}
