// The roles the step functions assume in a target account (A, B and/or C). Deployed once per
// account with the roles that account needs; each trusts only the function roles of the steps
// that act through it (infra/function-roles.ts).
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { TargetRole } from '../core/roles.js';
import type { DeploymentConfig } from './config.js';
import { targetRoleDocument, targetTrustDocument, toCdkPolicyDocument } from './iam-documents.js';
import { acknowledgeWildcards } from './wildcards.js';

export interface TargetRolesStackProps extends StackProps {
  config: DeploymentConfig;
  roles: TargetRole[];
}

const constructIds: Record<TargetRole, string> = { fileSystem: 'FileSystemRole', bucket: 'BucketRole', key: 'KeyRole' };

export class TargetRolesStack extends Stack {
  readonly roles: Partial<Record<TargetRole, iam.Role>> = {};

  constructor(scope: Construct, id: string, props: TargetRolesStackProps) {
    super(scope, id, props);
    const { config } = props;
    // The function roles must exist before this stack is deployed (deploy the orchestrator stack
    // first): IAM rejects a trust policy naming a role ARN that does not exist ("Invalid principal in policy").
    for (const role of props.roles) {
      const identity = targetRoleDocument(config, this.partition, role, this.account);
      const trust = targetTrustDocument(config, this.partition, role);
      const created = new iam.Role(this, constructIds[role], {
        roleName: config.roleNames[role],
        description: `fsx-onboard ${role} role, assumed by the ${config.functionRolePrefix}-<StateName> function roles in ${config.orchestratorAccount}.`,
        // Replaced below by the trust document from policy/, which carries the conditions.
        assumedBy: new iam.AccountPrincipal(config.orchestratorAccount),
        inlinePolicies: { Onboard: toCdkPolicyDocument(identity) },
      });
      acknowledgeWildcards(created, identity);
      (created.node.defaultChild as iam.CfnRole).assumeRolePolicyDocument = toCdkPolicyDocument(trust);
      this.roles[role] = created;
      new CfnOutput(this, `${constructIds[role]}Arn`, { value: created.roleArn });
    }
  }
}
