// How the onboarding API's stage logs, from the `apiGatewayLogging` context. API Gateway writes
// a REST API's execution and access logs only through the CloudWatch role set for the whole
// account and region (AWS::ApiGateway::Account); a stack that sets it replaces whatever role
// other APIs of the account rely on. So the default leaves the setting alone and logs nothing.

const API_LOGGING_CONTEXT = 'apiGatewayLogging';

const modes = {
  /** No execution or access logs; the account setting is not touched. */
  off: 'off',
  /** The account and region already have an API Gateway CloudWatch role (e.g. set by a landing zone): log through it. */
  'account-role-exists': 'account-role-exists',
  /** Create a CloudWatch role and set it as the account's, then log (the role is kept if the stack is deleted). */
  'create-account-role': 'create-account-role',
} as const;
export type ApiGatewayLogging = keyof typeof modes;

export function apiGatewayLogging(context: (key: string) => unknown): ApiGatewayLogging {
  const value = context(API_LOGGING_CONTEXT) ?? 'off';
  if (typeof value === 'string' && Object.hasOwn(modes, value)) return value as ApiGatewayLogging;
  throw new Error(`context ${API_LOGGING_CONTEXT}: must be one of ${Object.keys(modes).join(', ')} (got ${JSON.stringify(value)})`);
}
