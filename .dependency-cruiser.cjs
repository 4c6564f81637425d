// The dependency rules of docs/architecture.md, checked by `npm run lint`.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'lambdas-only-through-registry',
      comment: 'Nothing imports lambdas/ except the handler registry and the code that binds it (the local runner, cli/local-runner.ts and cli/local/).',
      severity: 'error',
      from: { pathNot: '^(lambdas/|cli/local-runner\\.ts$|cli/local/|cli/plan/|test/)' },
      to: { path: '^lambdas/' },
    },
    {
      name: 'plan-reads-through-preflight',
      comment: '`fsx-onboard plan` (cli/plan/) uses the preflight module shared with ValidateRequest and the client factory, no handler.',
      severity: 'error',
      from: { path: '^cli/plan/' },
      to: { path: '^lambdas/', pathNot: '^lambdas/shared/(preflight/|clients\\.ts$|every-client\\.ts$)' },
    },
    {
      name: 'core-knows-no-room',
      comment: 'core/ is the shared kernel: no SDK clients, sandbox, CDK or any other room.',
      severity: 'error',
      from: { path: '^core/' },
      to: { path: '^(lambdas|workflow|policy|sandbox|cli|infra|evidence)/|@aws-sdk/client-|aws-cdk-lib|constructs' },
    },
    {
      name: 'workflow-is-pure',
      comment: 'workflow/ renders ASL: no AWS SDK, CDK, sandbox, handlers or CLI.',
      severity: 'error',
      from: { path: '^workflow/' },
      to: { path: '^(lambdas|sandbox|cli|infra|evidence)/|@aws-sdk/|@smithy/|aws-cdk-lib|constructs' },
    },
    {
      name: 'policy-has-no-clients',
      comment: 'policy/ builds and evaluates documents; it never calls AWS.',
      severity: 'error',
      from: { path: '^policy/' },
      to: { path: '^(lambdas|sandbox|cli|infra|evidence)/|@aws-sdk/client-|aws-cdk-lib' },
    },
    {
      name: 'handlers-know-no-sandbox',
      comment: 'Handlers run unchanged against AWS: they never import the sandbox, the CLI or CDK.',
      severity: 'error',
      from: { path: '^(lambdas|evidence)/' },
      to: { path: '^(sandbox|cli|infra)/|aws-cdk-lib|constructs' },
    },
    {
      name: 'sandbox-knows-no-handlers',
      comment: 'The sandbox simulates AWS; it knows nothing of the handlers or the CLI.',
      severity: 'error',
      from: { path: '^sandbox/' },
      to: { path: '^(lambdas|cli|infra|evidence)/|aws-cdk-lib' },
    },
    {
      name: 'infra-knows-no-sandbox',
      comment: 'The CDK app deploys the workflow and the handlers; it never imports the sandbox or the CLI.',
      severity: 'error',
      from: { path: '^infra/' },
      to: { path: '^(sandbox|cli)/' },
    },
    {
      name: 'no-production-code-imports-tests',
      severity: 'error',
      from: { pathNot: '^(test|bench)/' },
      to: { path: '^test/' },
    },
    {
      name: 'no-circular',
      comment: 'Two files that import each other cannot be understood apart.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|cdk\\.out)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
