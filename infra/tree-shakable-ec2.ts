// The EC2 client's schemas, made tree-shakable for the function bundles. @aws-sdk/client-ec2
// describes every shape of the EC2 API in one module whose object literals use computed keys
// (`{ [_eQN]: "Min" }`, `_eQN` a string constant of that module). esbuild must assume a computed
// key may run code, so it keeps every shape: ~550 KB in any bundle that names one EC2 command,
// over the 500 KB budget of a whole function. Replacing each computed key by the string constant
// it names changes nothing at run time and lets esbuild drop the shapes no bundled command
// reaches (~40 KB remain for DescribeInstances and DescribeInstanceTypes).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PACKAGE = '@aws-sdk/client-ec2';
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
 * The entry of a copy of the installed EC2 client (its ES modules and package.json) with
 * literal keys, made once per process; esbuild is pointed at it by `alias`, and resolves the
 * copy's own imports from the project's node_modules (`nodePaths`).
 */
export function treeShakableEc2Entry(projectRoot: string): string {
  let dir = copies.get(projectRoot);
  if (!dir) {
    const installed = join(projectRoot, 'node_modules', PACKAGE);
    dir = mkdtempSync(join(tmpdir(), 'fsx-onboard-client-ec2-'));
    const copy = dir;
    process.once('exit', () => rmSync(copy, { recursive: true, force: true }));
    cpSync(join(installed, 'dist-es'), join(dir, 'dist-es'), { recursive: true });
    cpSync(join(installed, 'package.json'), join(dir, 'package.json'));
    writeFileSync(join(dir, SCHEMAS), literalKeys(readFileSync(join(installed, SCHEMAS), 'utf8')));
    copies.set(projectRoot, dir);
  }
  return join(dir, 'dist-es', 'index.js');
}
