// The synthesizer of the target-roles stacks, which go into accounts B and C (and A) where
// nobody should have to run `cdk bootstrap`. The CDK synthesizers do not fit:
// - CliCredentialsStackSynthesizer publishes the template to the bootstrap bucket
//   (`cdk-<qualifier>-assets-<account>-<region>`), so the deploy fails without a bootstrap;
// - BootstraplessSynthesizer still names the bootstrap deploy and execution roles
//   (`cdk-<qualifier>-deploy-role-…`), which the CLI must assume: it does need a bootstrap.
// This one writes the template and a stack artifact with neither a template URL nor a role: the
// CLI then passes the template inline (TemplateBody, up to 50 KiB) and deploys with the caller's
// own credentials. A stack using it cannot have assets, and synth fails if one is added or if
// the template outgrows what CloudFormation accepts inline.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import {
  StackSynthesizer,
  type DockerImageAssetLocation,
  type DockerImageAssetSource,
  type FileAssetLocation,
  type FileAssetSource,
  type ISynthesisSession,
} from 'aws-cdk-lib';

/** The CLI sends a template inline (TemplateBody) up to this size, and needs the bootstrap bucket above it. */
export const INLINE_TEMPLATE_LIMIT_BYTES = 50 * 1024;

export class InlineTemplateSynthesizer extends StackSynthesizer {
  addFileAsset(asset: FileAssetSource): FileAssetLocation {
    throw new Error(`${this.boundStack.stackName} deploys without a bootstrap and cannot hold the file asset ${asset.fileName ?? asset.sourceHash}`);
  }

  addDockerImageAsset(asset: DockerImageAssetSource): DockerImageAssetLocation {
    throw new Error(`${this.boundStack.stackName} deploys without a bootstrap and cannot hold the image asset ${asset.directoryName ?? asset.sourceHash}`);
  }

  synthesize(session: ISynthesisSession): void {
    this.synthesizeTemplate(session);
    // The file CDK writes (indented JSON) is larger than the YAML the CLI sends, so this bound is safe.
    const size = statSync(join(session.outdir, this.boundStack.templateFile)).size;
    if (size > INLINE_TEMPLATE_LIMIT_BYTES) {
      throw new Error(
        `${this.boundStack.stackName}'s template is ${size} bytes: above ${INLINE_TEMPLATE_LIMIT_BYTES} the CDK CLI uploads it to the bootstrap bucket, which this stack's account does not have`,
      );
    }
    // No assumeRoleArn, cloudFormationExecutionRoleArn, stackTemplateAssetObjectUrl or bootstrap version.
    this.emitArtifact(session, {});
  }
}
