// What `fsx-onboard plan` reports: the changes an onboarding would make, resource by resource,
// and the preflight checks. docs/plan.md describes this document; keep the two in step.

export const changeKinds = ['bucketPolicy', 'keyPolicy', 'defaultEncryption', 'grant', 'fileSystem', 'dataRepositoryAssociation', 'testExport'] as const;
type ChangeKind = (typeof changeKinds)[number];

/** create: a new resource or statement; update: an existing one changes; adopt: used as it is; none: already in place; skip: not done for this request. */
export type ChangeAction = 'create' | 'update' | 'adopt' | 'none' | 'skip';

export interface PlannedChange {
  kind: ChangeKind;
  /** The account that owns the resource. */
  account: string;
  /** ARN or id of the resource. */
  resource: string;
  action: ChangeAction;
  /** The state step that makes the change. */
  step: string;
  /** One line for people. */
  summary: string;
  /** This request's part of the resource before the run (null: absent). */
  before: unknown;
  /** This request's part of the resource after the step (null: absent). */
  after: unknown;
  /** Policies only: the size of the whole document after the step, and the service's limit. */
  bytes?: number;
  limitBytes?: number;
  /** Default encryption only: who else the change affects. */
  affects?: string[];
}

type CheckStatus = 'pass' | 'warn' | 'fail';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  detail: string;
}
