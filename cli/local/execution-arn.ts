// The execution ARN a local run passes as $$.Execution.Id. On AWS it is unique per state
// machine and execution name; locally a per-process sequence keeps two runs of one request
// apart, so the locks they take (lambdas/shared/resource-lock.ts) have different owners.
let sequence = 0;

export function localExecutionArn(region: string, machine: string, executionName: string): string {
  sequence += 1;
  return `arn:aws:states:${region}:000000000000:execution:fsx-onboard-local-${machine}:${executionName}-${sequence}`;
}
