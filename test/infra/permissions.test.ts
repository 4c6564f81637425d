// THE PERMISSION TEST. Runs the workflow on the sandbox with every step function acting as its
// own synthesized role (and, through it, the synthesized target roles), records every
// authorisation the sandbox decided for those identities, and checks the records against the
// synthesized policies with the project's evaluator both ways:
//   (a) every recorded request is allowed by the role that made it (function or target role);
//   (b) every action each role's policy grants is used by some recorded request of a step that
//       can reach that role, or is listed in UNUSED_BY_HANDLERS with the reason.
import { everyClient } from '../../lambdas/shared/every-client.js';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runLocally } from '../../cli/local-runner.js';
import { sessionNameFor } from '../../core/naming.js';
import { validateRequest, type OnboardingRequest } from '../../core/request.js';
import type { TargetRole } from '../../core/roles.js';
import { functionRoleName } from '../../infra/function-roles.js';
import { stepHandlers } from '../../lambdas/registry.js';
import { createClientFactory } from '../../lambdas/shared/clients.js';
import type { StepHandler } from '../../lambdas/shared/step-deps.js';
import { evaluateAccess } from '../../policy/evaluate.js';
import { statementActionMatches } from '../../policy/matching.js';
import type { PolicyDocument, PolicyStatement } from '../../policy/types.js';
import { sandboxClientConfig } from '../../sandbox/client-config.js';
import { Sandbox, validateSeed, type SeedInput } from '../../sandbox/index.js';
import type { Faults } from '../../sandbox/sim.js';
import { allStepNames, type StepName } from '../../workflow/steps.js';
import { resolveIntrinsics, synthesize, type Json } from './synth.js';

const EXTERNAL_ID = 'fsx-onboard-example-only';
const ORCHESTRATOR = '111111111111';
const TARGET_ROLE_NAMES: Record<TargetRole, string> = { fileSystem: 'fsx-onboard-filesystem', bucket: 'fsx-onboard-bucket', key: 'fsx-onboard-key' };

/**
 * Granted, but no handler sends a request for it: the caller of these is not the handler. Each
 * entry: role kind, action, why. (b) fails on any other unused grant, and on an entry here that
 * a recorded request does use (then the exception is stale).
 */
const UNUSED_BY_HANDLERS: { role: 'function' | TargetRole; action: string; sid?: string; why: string }[] = [
  { role: 'function', action: 'logs:CreateLogStream', why: "The Lambda runtime writes the function's logs with its role, not the handler." },
  { role: 'function', action: 'logs:PutLogEvents', why: "The Lambda runtime writes the function's logs with its role, not the handler." },
  { role: 'function', action: 'xray:PutTraceSegments', why: 'Lambda active tracing sends the segments (CDK adds the grant with tracing: ACTIVE).' },
  { role: 'function', action: 'xray:PutTelemetryRecords', why: 'Lambda active tracing sends the telemetry (CDK adds the grant with tracing: ACTIVE).' },
  {
    role: 'fileSystem',
    action: 'iam:CreateServiceLinkedRole',
    sid: 'FsxServiceLinkedRole',
    why: "FSx creates its own SLR (AWSServiceRoleForAmazonFSx) with the caller's credentials on the account's first file system; the sandbox starts with it in place.",
  },
  {
    role: 'bucket',
    action: 'kms:Decrypt',
    sid: 'CanaryEncryptionViaS3',
    why: "VerifyExport reads an export task's SSE-KMS completion report (GetObject, S3 decrypts in the caller's name) only when files failed to export; a sandbox export task has no unarchived file that could fail (its canary comes from S3), so no run reaches it. test/lambdas/verify-export.test.ts covers the read.",
  },
  {
    role: 'fileSystem',
    action: 'ssm:DescribeInstanceInformation',
    sid: 'PreflightReads',
    why: 'PreflightReads: read by `fsx-onboard plan --aws` through the file-system role (the network and client-instance preflight checks, test/cli/plan-aws.test.ts), not by a step function.',
  },
];

// ── The synthesized policies ────────────────────────────────────────────────────────────────

interface SynthesizedRole {
  arn: string;
  identity: PolicyDocument[];
  trust?: PolicyDocument;
}

type Resources = Record<string, { Type: string; Properties: Record<string, Json> }>;

function rolesOf(resources: Resources, account: string, region: string): Map<string, SynthesizedRole> {
  const pseudo = { partition: 'aws', region, account };
  const roles = new Map<string, SynthesizedRole>();
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::IAM::Role' || typeof r.Properties['RoleName'] !== 'string') continue;
    const inline = ((r.Properties['Policies'] ?? []) as { PolicyDocument: Json }[]).map((p) => resolveIntrinsics(p.PolicyDocument, pseudo));
    // CDK's DefaultPolicy (log group and X-Ray grants) is an AWS::IAM::Policy attached by Ref.
    const attached = Object.values(resources)
      .filter((p) => p.Type === 'AWS::IAM::Policy' && JSON.stringify(p.Properties['Roles']).includes(`"${id}"`))
      .map((p) => resolveIntrinsics(p.Properties['PolicyDocument']!, pseudo));
    const name = r.Properties['RoleName'];
    roles.set(name, {
      arn: `arn:aws:iam::${account}:role/${name}`,
      identity: [...inline, ...attached] as unknown as PolicyDocument[],
      trust: resolveIntrinsics(r.Properties['AssumeRolePolicyDocument']!, pseudo) as unknown as PolicyDocument,
    });
  }
  return roles;
}

interface Deployment {
  functions: Record<StepName, SynthesizedRole>;
  targets: Map<string, SynthesizedRole>;
}

function deploymentFor(context: Record<string, unknown>): Deployment {
  const synth = synthesize(context);
  const region = synth.config.region;
  const orchestrator = rolesOf(synth.orchestratorTemplate.toJSON()['Resources'] as Resources, ORCHESTRATOR, region);
  const functions = Object.fromEntries(allStepNames.map((step) => [step, orchestrator.get(functionRoleName(synth.config, step))!])) as Deployment['functions'];
  const targets = new Map<string, SynthesizedRole>();
  for (const [account, template] of synth.targetTemplates)
    for (const role of rolesOf(template.toJSON()['Resources'] as Resources, account, region).values()) targets.set(role.arn, role);
  return { functions, targets };
}

// ── Recording sandbox runs ──────────────────────────────────────────────────────────────────

interface Recorded {
  scenario: string;
  requestId: string;
  /** The deployment whose synthesized roles made it. */
  deployment: Deployment;
  step: StepName;
  /** 'function' = the function role itself; otherwise the target role it assumed. */
  via: 'function' | TargetRole;
  roleArn: string;
  sessionArn: string;
  account: string;
  action: string;
  resource: string;
  resourceAccount: string;
  context: Record<string, string | string[]>;
}

const parse = (raw: unknown): OnboardingRequest => {
  const v = validateRequest(raw);
  if (!v.ok) throw new Error(JSON.stringify(v.problems));
  return v.request;
};

interface Scenario {
  name: string;
  raw: Record<string, unknown>;
  seed?: SeedInput;
  faults?: Faults;
  /** Then the rollback-only machine runs as well (compensations with real resources to remove). */
  thenRollBack?: boolean;
  /** Onboardings that succeed after the first run, before its rollback, in the same world (recorded too). */
  onboardedAfter?: Record<string, unknown>[];
  expect: 'SUCCEEDED' | 'FAILED';
}

async function record(deployment: Deployment, scenario: Scenario, into: Recorded[]): Promise<string[]> {
  const request = parse(scenario.raw);
  const sandbox = await Sandbox.open({ inMemory: true, startTime: Date.UTC(2026, 10, 27, 9, 0, 0) });
  if (scenario.seed) {
    const seed = validateSeed(scenario.seed);
    if (!seed.ok) throw new Error(JSON.stringify(seed.problems));
    sandbox.applySeed(seed.seed);
  }
  sandbox.ensureWorldFor(request);
  const state = sandbox.state;
  // The target roles become exactly the synthesized ones, and the world builder leaves them so.
  for (const [arn, role] of deployment.targets) {
    const existing = state.roles[arn];
    if (!existing) continue;
    existing.trustPolicy = role.trust!;
    existing.inlinePolicies = Object.fromEntries(role.identity.map((doc, i) => [`synthesized-${i}`, doc]));
  }
  state.managedRoles = (state.managedRoles ?? []).filter((arn) => !deployment.targets.has(arn));
  // Each function: its synthesized role and a session of it, as Lambda would give it.
  const keyOfStep = new Map<string, StepName>();
  const roleOfStep = new Map<string, StepName>();
  allStepNames.forEach((step, i) => {
    const role = deployment.functions[step];
    const name = role.arn.split('/').pop()!;
    state.roles[role.arn] = {
      arn: role.arn,
      name,
      path: '/',
      account: ORCHESTRATOR,
      trustPolicy: role.trust!,
      inlinePolicies: Object.fromEntries(role.identity.map((doc, n) => [`synthesized-${n}`, doc])),
      managedPolicies: [],
      createdAt: sandbox.clock.now() - 86_400_000,
    };
    const accessKeyId = `AKIAFUNCTION${String(i).padStart(8, '0')}`;
    state.sessions[accessKeyId] = {
      accessKeyId,
      secretAccessKey: `secret-${i}`,
      roleArn: role.arn,
      sessionArn: `arn:aws:sts::${ORCHESTRATOR}:assumed-role/${name}/fsx-onboard-${step}`,
      account: ORCHESTRATOR,
      expiresAt: Number.MAX_SAFE_INTEGER,
    };
    keyOfStep.set(accessKeyId, step);
    roleOfStep.set(role.arn, step);
  });
  const viaOf = new Map<string, TargetRole>();
  for (const [role, name] of Object.entries(TARGET_ROLE_NAMES) as [TargetRole, string][])
    for (const arn of deployment.targets.keys()) if (arn.endsWith(`/${name}`)) viaOf.set(arn, role);

  /** The request whose run is making the recorded requests now. */
  let acting = request.requestId;
  sandbox.sim.decisionObservers.push(({ caller, request: r }) => {
    const session = state.sessions[caller.accessKeyId ?? ''];
    const step = roleOfStep.get(caller.roleArn) ?? (session?.assumedBy ? roleOfStep.get(session.assumedBy) : undefined);
    if (!step) return; // a service acting as itself or as an SLR: not a handler's request
    const via = roleOfStep.has(caller.roleArn) ? 'function' : viaOf.get(caller.roleArn);
    if (!via) throw new Error(`${step} acted as ${caller.roleArn}, which is neither its role nor a target role`);
    into.push({
      scenario: scenario.name,
      requestId: acting,
      deployment,
      step,
      via,
      roleArn: caller.roleArn,
      sessionArn: caller.sessionArn,
      account: caller.account,
      ...r,
      context: r.context ?? {},
    });
  });
  if (scenario.faults) sandbox.faults = scenario.faults;

  const handlersFor = (forRequest: OnboardingRequest) =>
    Object.fromEntries(
      allStepNames.map((step) => {
        const accessKeyId = [...keyOfStep].find(([, s]) => s === step)![0];
        const factory = createClientFactory({
          clients: everyClient,
          region: forRequest.region,
          credentials: { accessKeyId, secretAccessKey: state.sessions[accessKeyId]!.secretAccessKey },
          plugins: [sandbox.plugin],
          clientConfig: sandboxClientConfig(),
          externalId: EXTERNAL_ID,
          sessionName: sessionNameFor(forRequest.requestId),
        });
        const handler: StepHandler<unknown> = (input) => stepHandlers[step](input, { clients: factory });
        return [step, handler];
      }),
    ) as Record<StepName, StepHandler<unknown>>;

  const handlers = handlersFor(request);
  const statuses: string[] = [];
  const first = await runLocally(scenario.raw, { sandbox, handlers });
  if (first.kind !== 'ran') throw new Error('refused');
  statuses.push(first.report.status);
  for (const later of scenario.onboardedAfter ?? []) {
    acting = parse(later).requestId;
    const after = await runLocally(later, { sandbox, handlers: handlersFor(parse(later)) });
    if (after.kind !== 'ran' || after.report.status !== 'SUCCEEDED') throw new Error(`${scenario.name}: the later onboarding did not succeed`);
  }
  acting = request.requestId;
  if (scenario.thenRollBack) {
    sandbox.faults = {};
    const second = await runLocally(scenario.raw, { sandbox, handlers, machine: 'rollback-only' });
    if (second.kind !== 'ran') throw new Error('refused');
    statuses.push(second.report.status);
  }
  return statuses;
}

// ── The checks ──────────────────────────────────────────────────────────────────────────────

/** A resource policy naming only the caller's account: the decision is then the identity policy's alone. */
const delegating = (account: string): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: '*', Resource: '*' }],
});

function allowedBy(identity: PolicyDocument[], r: Recorded, trust?: PolicyDocument): boolean {
  return evaluateAccess({
    request: {
      action: r.action,
      resource: r.resource,
      resourceAccount: r.resourceAccount,
      principal: { arn: r.roleArn, sessionArn: r.sessionArn, account: r.account, type: 'AWS' },
      context: { ...r.context },
    },
    identityPolicies: identity,
    resourcePolicy: trust ?? delegating(r.account),
  }).allowed;
}

const actionsOf = (s: PolicyStatement): string[] => (s.Action === undefined ? [] : Array.isArray(s.Action) ? s.Action : [s.Action]);
const resourcesOf = (s: PolicyStatement): string[] => (s.Resource === undefined ? [] : Array.isArray(s.Resource) ? s.Resource : [s.Resource]);

interface Grant {
  role: string;
  kind: 'function' | TargetRole;
  sid: string;
  action: string;
  /** For sts:AssumeRole and sts:SetSourceIdentity, each target role is its own grant. */
  resource?: string;
  statement: PolicyStatement;
}

function grantsOf(roleArn: string, kind: Grant['kind'], identity: PolicyDocument[]): Grant[] {
  return identity.flatMap((doc) =>
    doc.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) =>
      actionsOf(s).flatMap((action) =>
        action.startsWith('sts:')
          ? resourcesOf(s).map((resource) => ({
              role: roleArn,
              kind,
              sid: s.Sid ?? '?',
              action,
              resource,
              statement: { ...s, Action: action, Resource: resource },
            }))
          : [{ role: roleArn, kind, sid: s.Sid ?? '?', action, statement: { ...s, Action: action } }],
      ),
    ),
  );
}

/** The runs on the deployment cdk.json describes (us-east-1, the example bucket under its linked prefixes, the example key). */
const scenarios = (): Scenario[] => {
  const p2 = JSON.parse(readFileSync('examples/request.json', 'utf8')) as Record<string, any>;
  const legacyExample = JSON.parse(readFileSync('examples/request-legacy.json', 'utf8')) as Record<string, any>;
  const keyDenies = JSON.parse(readFileSync('examples/seeds/key-denies-fsx-slr.json', 'utf8')) as SeedInput;
  const shareKeyFails: Faults = { permanent: { 'kms:PutKeyPolicy': { code: 'KMSInternalException', message: 'injected', httpStatusCode: 500 } } };
  const taskExport = { ...p2, requestId: 'genomics-task-export', testExport: { mode: 'data-repository-task' } };
  // The legacy example (linked at creation, ImportPath), moved into this deployment's region, bucket and key.
  const legacy = {
    ...legacyExample,
    requestId: 'legacy-linked',
    region: p2['region'],
    bucket: { ...legacyExample['bucket'], name: p2['bucket'].name, prefix: p2['bucket'].prefix },
    key: p2['key'],
    fileSystem: { ...legacyExample['fileSystem'], subnetIds: p2['fileSystem'].subnetIds, securityGroupIds: p2['fileSystem'].securityGroupIds },
  };
  const adoptedId = 'fs-0a1b2c3d4e5f60718';
  const adopting = { ...p2, requestId: 'genomics-adopted', fileSystem: { ...p2['fileSystem'], existingFileSystemId: adoptedId } };
  const adoptable: SeedInput = {
    fileSystems: [
      {
        id: adoptedId,
        accountId: p2['fileSystem'].accountId,
        region: p2['region'],
        deploymentType: 'PERSISTENT_2',
        storageCapacityGiB: 1200,
        subnetIds: p2['fileSystem'].subnetIds,
        securityGroupIds: p2['fileSystem'].securityGroupIds,
      },
    ],
  } as SeedInput;
  return [
    { name: 'happy path, Lustre client, then rollback', raw: p2, thenRollBack: true, expect: 'SUCCEEDED' },
    { name: 'happy path, export task, then rollback', raw: taskExport, thenRollBack: true, expect: 'SUCCEEDED' },
    { name: 'legacy linked file system, then rollback', raw: legacy, thenRollBack: true, expect: 'SUCCEEDED' },
    { name: 'adopted file system, then rollback', raw: adopting, seed: adoptable, thenRollBack: true, expect: 'SUCCEEDED' },
    { name: 'key denies the SLR (Lustre client): CloudTrail diagnosis, rollback', raw: p2, seed: keyDenies, expect: 'FAILED' },
    { name: 'key denies the SLR (export task): failure report, rollback', raw: taskExport, seed: keyDenies, expect: 'FAILED' },
    {
      // RestoreDefaultEncryption finds the later onboarding relying on the bucket's encryption, keeps
      // it, and leaves the original configuration for that one.
      name: 'onboarding, a second one on the bucket, then rollback of the first while the second relies on its encryption',
      raw: { ...p2, requestId: 'genomics-first-team' },
      onboardedAfter: [
        {
          ...p2,
          requestId: 'genomics-second-team',
          fileSystem: { ...p2['fileSystem'], fileSystemPath: '/second' },
          testExport: { ...p2['testExport'], mountPath: '/fsx-second' },
        },
      ],
      thenRollBack: true,
      expect: 'SUCCEEDED',
    },
    {
      // bucket.access "file-systems-of-account": reliance records for the shared statements, kept
      // for the second onboarding when the first is rolled back.
      name: 'shared statements: two onboardings, then rollback of the first',
      raw: { ...p2, requestId: 'genomics-shared-1', bucket: { ...p2['bucket'], access: 'file-systems-of-account' } },
      onboardedAfter: [
        {
          ...p2,
          requestId: 'genomics-shared-2',
          bucket: { ...p2['bucket'], access: 'file-systems-of-account' },
          testExport: { ...p2['testExport'], mountPath: '/fsx-shared-2' },
        },
      ],
      thenRollBack: true,
      expect: 'SUCCEEDED',
    },
    { name: 'ShareKey fails: early rollback', raw: { ...p2, requestId: 'genomics-share-fails' }, faults: shareKeyFails, expect: 'FAILED' },
  ];
};

describe('every function holds exactly what its handler uses', { timeout: 600_000 }, () => {
  const recorded: Recorded[] = [];
  const deployments: Deployment[] = [];

  beforeAll(async () => {
    const ownKey = JSON.parse(readFileSync('examples/request-own-key.json', 'utf8')) as Record<string, any>;
    const groups: [Record<string, unknown>, Scenario[]][] = [
      [{}, scenarios()],
      // A deployment that lets file systems be encrypted with their own key (fileSystemKeyArns).
      [
        { fileSystemKeyArns: [ownKey['fileSystem'].kmsKeyArn] },
        [{ name: 'file system with its own key, then rollback', raw: ownKey, thenRollBack: true, expect: 'SUCCEEDED' }],
      ],
    ];
    for (const [context, runs] of groups) {
      const deployment = deploymentFor(context);
      deployments.push(deployment);
      for (const scenario of runs) {
        const statuses = await record(deployment, scenario, recorded);
        expect(statuses[0], scenario.name).toBe(scenario.expect);
        if (scenario.thenRollBack) expect(statuses[1], `${scenario.name}: rollback`).toBe('SUCCEEDED');
      }
    }
  }, 600_000);

  it('records requests from every step', () => {
    const steps = new Set(recorded.map((r) => r.step));
    expect(allStepNames.filter((s) => !steps.has(s))).toEqual([]);
    const perStep = Object.fromEntries(
      allStepNames.map((s) => [s, [...new Set(recorded.filter((r) => r.step === s).map((r) => `${r.via}:${r.action}`))].sort()]),
    );
    if (process.env['PERMISSIONS_DEBUG'])
      console.info(
        recorded
          .filter((r) => r.scenario.startsWith(process.env['PERMISSIONS_DEBUG']!))
          .map((r) => `${r.step} ${r.via} ${r.action} ${r.resource}`)
          .join('\n'),
      );
    console.info(`permission test: ${recorded.length} requests recorded\n${JSON.stringify(perStep, null, 1)}`);
  });

  it('acts through the target roles only in sessions named after the request, with it as source identity', () => {
    const viaTargets = recorded.filter((r) => r.via !== 'function');
    expect(viaTargets.length).toBeGreaterThan(0);
    const misnamed = viaTargets.filter((r) => !r.sessionArn.endsWith(`/${sessionNameFor(r.requestId)}`)).map((r) => `${r.step} ${r.sessionArn}`);
    expect([...new Set(misnamed)]).toEqual([]);
    const long = sessionNameFor(`a${'b'.repeat(63)}`);
    expect(long).toHaveLength(64);
    expect(long).toMatch(/^fsx-onboard-ab+-[0-9a-f]{10}$/);
    expect(sessionNameFor(`a${'b'.repeat(62)}c`)).not.toBe(long);
  });

  it('(a) allows every recorded request to the role that made it', () => {
    const refused: string[] = [];
    for (const r of recorded) {
      const { deployment } = r;
      if (r.via === 'function') {
        const own = deployment.functions[r.step];
        // AssumeRole needs the function's identity policy and the target role's trust alike.
        const trust = r.action.startsWith('sts:') ? deployment.targets.get(r.resource)?.trust : undefined;
        if (r.roleArn !== own.arn || !allowedBy(own.identity, r, trust)) refused.push(`${r.scenario}: ${r.step} ${r.action} ${r.resource}`);
      } else {
        // The step may act through this target role only if its own role may assume it …
        // (that AssumeRole is itself a recorded request, checked above) …
        const mayAssume = recorded.some(
          (x) => x.deployment === deployment && x.step === r.step && x.via === 'function' && x.action === 'sts:AssumeRole' && x.resource === r.roleArn,
        );
        // … and the target role's policy must allow the request itself.
        if (!mayAssume || !allowedBy(deployment.targets.get(r.roleArn)!.identity, r))
          refused.push(`${r.scenario}: ${r.step} via ${r.via} ${r.action} ${r.resource}`);
      }
    }
    expect([...new Set(refused)]).toEqual([]);
  });

  it('(b) grants nothing that no handler uses, but the justified exceptions', () => {
    // A grant (role, statement, action) that several deployments hold alike is used if a run on
    // any of them used it; one only a deployment's extra configuration adds, by that deployment's runs.
    const byGrant = new Map<string, { grant: Grant; holders: Deployment[] }>();
    for (const deployment of deployments) {
      const grants = [
        ...allStepNames.flatMap((step) => grantsOf(deployment.functions[step].arn, 'function', deployment.functions[step].identity)),
        ...[...deployment.targets.values()].flatMap((role) => {
          const kind = (Object.entries(TARGET_ROLE_NAMES) as [TargetRole, string][]).find(([, n]) => role.arn.endsWith(`/${n}`))![0];
          return grantsOf(role.arn, kind, role.identity);
        }),
      ];
      for (const grant of grants) {
        const id = `${grant.role} ${JSON.stringify(grant.statement)}`;
        const entry = byGrant.get(id) ?? { grant, holders: [] };
        entry.holders.push(deployment);
        byGrant.set(id, entry);
      }
    }
    const unused: string[] = [];
    const usedExceptions = new Set<string>();
    for (const { grant, holders } of byGrant.values()) {
      const uses = recorded.filter(
        (r) =>
          holders.includes(r.deployment) &&
          r.roleArn === grant.role &&
          statementActionMatches(grant.statement, r.action) &&
          allowedBy(
            [{ Version: '2012-10-17', Statement: [grant.statement] }],
            r,
            grant.action.startsWith('sts:') ? r.deployment.targets.get(grant.resource ?? '')?.trust : undefined,
          ),
      );
      const exception = UNUSED_BY_HANDLERS.find((e) => e.role === grant.kind && e.action === grant.action && (e.sid === undefined || e.sid === grant.sid));
      if (exception) {
        if (uses.length > 0) usedExceptions.add(`${exception.role} ${exception.action}`);
        continue;
      }
      if (uses.length === 0) unused.push(`${grant.role} ${grant.sid} ${grant.action}${grant.resource ? ` ${grant.resource}` : ''}`);
    }
    expect(unused).toEqual([]);
    expect([...usedExceptions]).toEqual([]);
  });
});
