// Shell commands on the Lustre client through SSM Run Command (AWS-RunShellScript). Every
// line is idempotent (mkdir -p, mountpoint || mount, printf >, hsm_archive of an archived
// file), so re-sending a command after a lost result changes nothing. Paths and texts come
// from the validated request (letters, digits and "-_./:"), so no quoting is needed.
import { GetCommandInvocationCommand, SendCommandCommand, type GetCommandInvocationCommandOutput, type SSMClient } from '@aws-sdk/client-ssm';
import type { Canary } from '../../core/canary.js';
import { ErrorNames, OnboardingError } from '../../core/errors.js';
import { isErrorNamed } from './step-support.js';

/** Exit code of the export script when the mount path holds another file system. */
const FOREIGN_MOUNT_EXIT = 3;

/**
 * AWS-RunShellScript runs the lines as one script whose exit code is the last line's: without
 * `set -e` a failed mount would be hidden by a later line that succeeds. `mountpoint -q` only
 * says that something is mounted, so the script then proves it is THIS file system before it
 * writes anything: the kernel lists a Lustre mount by the server's NID, not the DNS name used
 * to mount it (`172.31.0.5@tcp:/<mount name>`), so the unique mount name is what identifies it.
 */
export function exportCommands(canary: Canary, mount: { mountPath: string; dnsName: string; mountName: string }): string[] {
  const file = canary.toS3.clientPath;
  const foreign = `fsx-onboard: ${mount.mountPath} holds another file system or none, not mount name ${mount.mountName} of ${mount.dnsName}: set testExport.mountPath to a free path`;
  return [
    'set -e',
    `mkdir -p ${mount.mountPath}`,
    `mountpoint -q ${mount.mountPath} || mount -t lustre -o relatime,flock ${mount.dnsName}@tcp:/${mount.mountName} ${mount.mountPath}`,
    `findmnt -rn -t lustre -o SOURCE -M ${mount.mountPath} | grep -q ':/${mount.mountName}$' || (echo '${foreign}' >&2; exit ${FOREIGN_MOUNT_EXIT})`,
    `mkdir -p ${canary.directory.clientPath}`,
    `printf '%s\\n' '${canary.toS3.text}' > ${file}`,
    `lfs hsm_archive ${file}`,
  ];
}

export const hsmActionCommand = (canary: Canary) => `lfs hsm_action ${canary.toS3.clientPath}`;
export const catCommand = (canary: Canary) => `cat ${canary.fromS3.clientPath}`;

export async function sendShellCommand(
  ssm: SSMClient,
  options: { instanceId: string; commands: string[]; comment: string },
): Promise<{ commandId: string; requestedAt?: Date }> {
  const { Command } = await ssm.send(
    new SendCommandCommand({
      InstanceIds: [options.instanceId],
      DocumentName: 'AWS-RunShellScript',
      Parameters: { commands: options.commands },
      Comment: options.comment.slice(0, 100),
    }),
  );
  if (!Command?.CommandId) throw new OnboardingError(ErrorNames.ClientCommandFailed, `SendCommand to ${options.instanceId} returned no command id`);
  return { commandId: Command.CommandId, ...(Command.RequestedDateTime ? { requestedAt: Command.RequestedDateTime } : {}) };
}

type InvocationState = 'pending' | 'success' | 'failed';

export interface Invocation {
  state: InvocationState;
  status?: string;
  responseCode?: number;
  stdout: string;
  stderr: string;
}

const pendingStatuses = new Set(['Pending', 'InProgress', 'Delayed', 'Cancelling']);

/** The command's result on the instance; pending right after SendCommand (InvocationDoesNotExist). */
export async function readInvocation(ssm: SSMClient, commandId: string, instanceId: string): Promise<Invocation> {
  let out: GetCommandInvocationCommandOutput;
  try {
    out = await ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }));
  } catch (e) {
    if (isErrorNamed(e, 'InvocationDoesNotExist')) return { state: 'pending', stdout: '', stderr: '' };
    throw e;
  }
  const status = out.Status ?? 'Pending';
  return {
    state: pendingStatuses.has(status) ? 'pending' : status === 'Success' ? 'success' : 'failed',
    status,
    ...(out.ResponseCode !== undefined ? { responseCode: out.ResponseCode } : {}),
    stdout: out.StandardOutputContent ?? '',
    stderr: out.StandardErrorContent ?? '',
  };
}
