// The orchestrator's own records in Parameter Store: read and delete, where "not there" is an
// answer and not an error.
import { DeleteParameterCommand, GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { isErrorNamed } from './step-support.js';

/** The parameter's value, or undefined when there is no such parameter. */
export async function readParameter(ssm: SSMClient, name: string): Promise<string | undefined> {
  try {
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: name }));
    return Parameter?.Value;
  } catch (e) {
    if (isErrorNamed(e, 'ParameterNotFound')) return undefined;
    throw e;
  }
}

/** Deletes the parameter; true when it was there. */
export async function deleteParameterIfPresent(ssm: SSMClient, name: string): Promise<boolean> {
  try {
    await ssm.send(new DeleteParameterCommand({ Name: name }));
    return true;
  } catch (e) {
    if (isErrorNamed(e, 'ParameterNotFound')) return false;
    throw e;
  }
}
