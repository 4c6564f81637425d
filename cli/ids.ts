// Execution names arrive on the command line and name files in the state folder (local) or
// executions on Step Functions (AWS). Each is checked before anything is read or changed, so a
// name like `../../etc` can neither reach outside the state folder nor be sent to AWS.
import { onboardingRequestSchema, type RequestProblem } from '../core/request.js';

const FIELD = '(execution)';

/**
 * A local execution is named after its request id, so the requestId rule of the request schema
 * is the rule for its name: letters, digits, "-" and "_" only, which cannot form a path.
 */
export function localExecutionNameProblem(name: string): RequestProblem | undefined {
  const checked = onboardingRequestSchema.shape.requestId.safeParse(name);
  if (checked.success) return undefined;
  const rule = checked.error.issues[0]?.message ?? 'must be a request id';
  return { field: FIELD, message: `${JSON.stringify(name)} is not an execution name: ${rule} (the requestId rule); nothing was read or changed` };
}

// The names fsx-onboard gives executions (request ids, `<id>-rollback-<n>`) and that Step Functions
// accepts in an ARN without escaping: 1-80 letters, digits, "-" and "_" (as cli/aws/machines.ts reads them).
const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const EXECUTION_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:[A-Za-z0-9_-]{1,80}:[A-Za-z0-9_-]{1,80}$/;

/** An execution on AWS: an execution name (the local rule and more, e.g. `<id>-rollback-1`) or an execution ARN. */
export function awsExecutionProblem(nameOrArn: string): RequestProblem | undefined {
  if (nameOrArn.startsWith('arn:')) {
    if (EXECUTION_ARN.test(nameOrArn)) return undefined;
    return {
      field: FIELD,
      message: `${JSON.stringify(nameOrArn)} is not an execution ARN: expected arn:aws:states:<region>:<account>:execution:<state machine>:<name>; nothing was sent to AWS`,
    };
  }
  if (EXECUTION_NAME.test(nameOrArn)) return undefined;
  return {
    field: FIELD,
    message: `${JSON.stringify(nameOrArn)} is not an execution name: must be 1 to 80 letters, digits, "-" or "_"; nothing was sent to AWS`,
  };
}
