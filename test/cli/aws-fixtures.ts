// Shared by the test/cli/aws*.test.ts files: the CLI run in-process, the deployment's ARNs,
// and a builder of execution histories shaped like the ones Step Functions writes for Task
// states whose Resource is a Lambda function ARN (LambdaFunction* events).
import type { HistoryEvent } from '@aws-sdk/client-sfn';

export { cli } from './in-process-cli.js';

export const REGION = 'us-east-1';
const PREFIX = `arn:aws:states:${REGION}:111111111111:`;
export const machines = {
  rollbackOnFailure: `${PREFIX}stateMachine:fsx-onboard-rollback-on-failure`,
  stopOnFailure: `${PREFIX}stateMachine:fsx-onboard-stop-on-failure`,
  rollback: `${PREFIX}stateMachine:fsx-onboard-rollback`,
};
export const executionArn = (machine: keyof typeof machines, name: string) => `${machines[machine].replace(':stateMachine:', ':execution:')}:${name}`;

export const stackOutputs = {
  Stacks: [
    {
      StackName: 'FsxOnboardOrchestrator',
      StackStatus: 'CREATE_COMPLETE' as const,
      CreationTime: new Date(),
      Outputs: [
        { OutputKey: 'RollbackOnFailureStateMachineArn', OutputValue: machines.rollbackOnFailure },
        { OutputKey: 'StopOnFailureStateMachineArn', OutputValue: machines.stopOnFailure },
        { OutputKey: 'RollbackStateMachineArn', OutputValue: machines.rollback },
        { OutputKey: 'ApiUrl', OutputValue: 'https://abc123.execute-api.us-east-1.amazonaws.com/v1/' },
      ],
    },
  ],
};

export const REQUEST_ID = 'genomics-scratch-2026-11';
export const KEY_ARN = 'arn:aws:kms:us-east-1:333333333333:key/2a1bae3d-a3e7-475b-acb2-b0dd92a5ff99';

/** An SDK service exception as the SDK builds it: the modeled name on `name`. */
export function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: {} });
}

type Outcome = 'ok' | { error: string; cause: string };

/** Appends events with ids and previousEventIds the way Step Functions links them. */
export class HistoryBuilder {
  readonly events: HistoryEvent[] = [];
  private clock: number;

  constructor(start = new Date('2026-11-27T08:00:00Z')) {
    this.clock = start.getTime();
  }

  at(): Date {
    return new Date(this.clock);
  }

  push(type: string, previousEventId: number, details: Partial<HistoryEvent> = {}): number {
    this.clock += 1000;
    const id = this.events.length + 1;
    this.events.push({ id, previousEventId, type: type as HistoryEvent['type'], timestamp: new Date(this.clock), ...details });
    return id;
  }

  started(): number {
    return this.push('ExecutionStarted', 0, { executionStartedEventDetails: {} });
  }

  enter(name: string, prev: number, type = 'TaskStateEntered'): number {
    return this.push(type, prev, { stateEnteredEventDetails: { name } });
  }

  exit(name: string, prev: number, type = 'TaskStateExited'): number {
    return this.push(type, prev, { stateExitedEventDetails: { name } });
  }

  /** One Lambda invocation: scheduled, started, then succeeded or failed. */
  attempt(prev: number, outcome: Outcome = 'ok'): number {
    const scheduled = this.push('LambdaFunctionScheduled', prev, {
      lambdaFunctionScheduledEventDetails: { resource: 'arn:aws:lambda:us-east-1:111111111111:function:x' },
    });
    const started = this.push('LambdaFunctionStarted', scheduled);
    if (outcome === 'ok') return this.push('LambdaFunctionSucceeded', started, { lambdaFunctionSucceededEventDetails: {} });
    return this.push('LambdaFunctionFailed', started, { lambdaFunctionFailedEventDetails: outcome });
  }

  /** A Task state run to its end: entered, each attempt, exited when the last one succeeded. */
  task(name: string, prev: number, ...outcomes: Outcome[]): number {
    let id = this.enter(name, prev);
    for (const outcome of outcomes.length ? outcomes : ['ok' as const]) id = this.attempt(id, outcome);
    return outcomes.at(-1) === undefined || outcomes.at(-1) === 'ok' ? this.exit(name, id) : id;
  }

  /** A poll step: `checks` rounds of Task, Choice and Wait, the last one done. */
  poll(name: string, prev: number, checks: number): number {
    let id = prev;
    for (let i = 1; i <= checks; i++) {
      id = this.task(name, id);
      id = this.exit(`${name}Done`, this.enter(`${name}Done`, id, 'ChoiceStateEntered'), 'ChoiceStateExited');
      if (i < checks) id = this.exit(`${name}Pause`, this.enter(`${name}Pause`, id, 'WaitStateEntered'), 'WaitStateExited');
    }
    return id;
  }

  failed(prev: number, error: string, cause: string, failState?: string): number {
    const id = failState ? this.enter(failState, prev, 'FailStateEntered') : prev;
    return this.push('ExecutionFailed', id, { executionFailedEventDetails: { error, cause } });
  }
}
