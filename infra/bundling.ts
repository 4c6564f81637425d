// How the task functions are bundled: one esbuild pass over every handler (esbuild parses the
// shared SDK and project modules once, instead of once per function as 23 NodejsFunction
// bundlings did), each function's asset then taken from its own output folder. CDK still
// drives it as a local bundling of the asset, so `aws:cdk:bundling-stacks` (tests, `cdk
// synth` of another stack) skips it exactly as it skipped NodejsFunction's own bundling.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { AssetHashType, DockerImage, type ILocalBundling } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { buildSync, type BuildOptions, type Metafile } from 'esbuild';
import { allStepNames, handlerFolder, type StepName } from '../workflow/steps.js';
import { treeShakableClientAliases } from './tree-shakable-clients.js';

/** The Lambda handler setting that matches the bundle's file and export. */
export const BUNDLE_HANDLER = 'index.handler';

/**
 * Credential sources of the SDK's default chain that a Lambda function never reaches: Lambda
 * hands the function its role's credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
 * AWS_SESSION_TOKEN ("Defined runtime environment variables", Lambda Developer Guide), which
 * the chain's first link (fromEnv, bundled) reads. The chain loads the others with dynamic
 * import() only after fromEnv failed, so they stay out of the bundle (~80 KB, with the SSO,
 * SSO-OIDC and sign-in clients they pull in); were one ever reached, the import fails loudly.
 * `assertOnlyLoadedLazily` checks that nothing imports them statically.
 */
const UNREACHED_CREDENTIAL_SOURCES = [
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-http',
  '@smithy/credential-provider-imds',
];

/**
 * Bundle options. Source maps are not shipped: a map is several times its bundle (~2.8 MB each
 * before), nearly all of it SDK code; `--enable-source-maps` would make Node load and parse it
 * for every stack trace; and what a failure reports to Step Functions (error name and message,
 * which name the field, resource and rule) is the same with or without. So NODE_OPTIONS is
 * not set either.
 */
export const handlerBundleOptions = (projectRoot: string): BuildOptions => ({
  absWorkingDir: projectRoot,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  outExtension: { '.js': '.mjs' },
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  // Bundle the pinned SDK clients too (only the credential sources Lambda never reaches are
  // left out): the deployed code is the code the tests ran, not whatever SDK version the
  // runtime happens to ship.
  external: UNREACHED_CREDENTIAL_SOURCES,
  mainFields: ['module', 'main'],
  // The EC2 and SSM clients with schemas esbuild can tree-shake (tree-shakable-clients.ts); the
  // copies' own imports resolve from the project's node_modules.
  alias: treeShakableClientAliases(projectRoot),
  nodePaths: [join(projectRoot, 'node_modules')],
  // Some dependencies are CommonJS and call require(); ESM output needs it defined.
  banner: { js: "import { createRequire as __fsxCreateRequire } from 'node:module'; const require = __fsxCreateRequire(import.meta.url);" },
  metafile: true,
  logLevel: 'warning',
});

/** Fails the build if a module left out of the bundles is imported other than lazily. */
export function assertOnlyLoadedLazily(metafile: Metafile): void {
  for (const [output, { imports }] of Object.entries(metafile.outputs)) {
    const eager = imports.filter((i) => i.external && i.kind !== 'dynamic-import' && UNREACHED_CREDENTIAL_SOURCES.includes(i.path));
    if (eager.length) {
      throw new Error(
        `${output} imports ${eager.map((i) => i.path).join(', ')} at load time; only lazily loaded modules may be left out of a bundle (infra/bundling.ts)`,
      );
    }
  }
}

interface BuiltBundles {
  /** Folder holding one `<handler-folder>/index.mjs` per step. */
  dir: string;
}

const builds = new Map<string, BuiltBundles>();

/** Bundles every step's handler in one esbuild pass, once per process and set of entries. */
function buildAll(projectRoot: string, entryFor: (step: StepName) => string): BuiltBundles {
  const entries = allStepNames.map((step) => ({ in: relative(projectRoot, entryFor(step)), out: join(handlerFolder(step), 'index') }));
  const key = JSON.stringify([projectRoot, entries]);
  let built = builds.get(key);
  if (!built) {
    const dir = mkdtempSync(join(tmpdir(), 'fsx-onboard-bundles-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const result = buildSync({ ...handlerBundleOptions(projectRoot), entryPoints: entries, outdir: dir });
    if (!result.metafile) throw new Error('esbuild returned no metafile');
    assertOnlyLoadedLazily(result.metafile);
    built = { dir };
    builds.set(key, built);
  }
  return built;
}

/**
 * Copies one step's bundle into the asset CDK stages. Its fields are what CDK's asset cache
 * key sees of a local bundler, so they must tell the steps apart (the function is not hashed).
 */
class StepBundle implements ILocalBundling {
  constructor(
    readonly step: StepName,
    readonly entry: string,
    private readonly build: () => BuiltBundles,
  ) {}

  tryBundle(outputDir: string): boolean {
    cpSync(join(this.build().dir, handlerFolder(this.step)), outputDir, { recursive: true });
    return true;
  }
}

/**
 * The code of `step`'s function: its output folder of the one bundling pass. The pass runs
 * when CDK first stages one of these assets, never when the stack's bundling is skipped.
 */
export function bundledStepCode(step: StepName, projectRoot: string, entryFor: (step: StepName) => string): lambda.Code {
  return lambda.Code.fromAsset(projectRoot, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never pulled: the local bundling always succeeds or throws.
      image: DockerImage.fromRegistry('unused-local-esbuild-bundling'),
      local: new StepBundle(step, relative(projectRoot, entryFor(step)), () => buildAll(projectRoot, entryFor)),
    },
  });
}
