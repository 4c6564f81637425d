// The orchestrator's roles that target accounts trust by ARN (the ones with a fixed name) stay
// when their stack is deleted or would replace them. IAM stores a role ARN in a trust policy as
// the role's unique id: a role deleted and created again under the same name is no longer
// trusted, and AssumeRole fails with AccessDenied although every template looks right.
// Keeping the role keeps its id; docs/deploy.md says how to check a trust and how to repair it.
import { RemovalPolicy, Token, type IAspect } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

export class RetainTrustedRoles implements IAspect {
  visit(node: IConstruct): void {
    if (node instanceof iam.CfnRole && typeof node.roleName === 'string' && !Token.isUnresolved(node.roleName)) node.applyRemovalPolicy(RemovalPolicy.RETAIN);
  }
}
