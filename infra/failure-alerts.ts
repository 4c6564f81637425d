// Tells someone when an onboarding does not succeed: an EventBridge rule on the executions'
// terminal failure statuses and a CloudWatch alarm per state machine, both into one encrypted
// topic; notifications the rule cannot deliver land in a dead-letter queue with its own alarm.
import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface FailureAlertsProps {
  stateMachines: Record<string, sfn.StateMachine>;
  alarmEmail?: string;
}

// Administration of the key by the account's IAM policies, without kms:* (and without use
// of the key by IAM principals other than for reading what SNS delivered in the console).
const KEY_ADMIN_ACTIONS = [
  'kms:DescribeKey',
  'kms:GetKeyPolicy',
  'kms:PutKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:EnableKeyRotation',
  'kms:DisableKeyRotation',
  'kms:ListResourceTags',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateKeyDescription',
  'kms:EnableKey',
  'kms:DisableKey',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:DeleteAlias',
  'kms:UpdateAlias',
  'kms:ListGrants',
  'kms:RevokeGrant',
];

export class FailureAlerts extends Construct {
  readonly topic: sns.Topic;
  readonly rule: events.Rule;
  /** Notifications EventBridge could not deliver to the topic (after its retries). */
  readonly deadLetterQueue: sqs.Queue;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: FailureAlertsProps) {
    super(scope, id);
    const machines = Object.values(props.stateMachines);

    // The AWS managed key aws/sns cannot be used: its policy cannot grant EventBridge and
    // CloudWatch, which must encrypt what they publish. In a key policy, Resource "*" means
    // "this key" (KMS requires exactly "*").
    const key = new kms.Key(this, 'TopicKey', {
      description: 'fsx-onboard failure notifications',
      enableKeyRotation: true,
      policy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({ sid: 'AccountAdministersKey', principals: [new iam.AccountRootPrincipal()], actions: KEY_ADMIN_ACTIONS, resources: ['*'] }),
          // Publishers to an SSE topic need GenerateDataKey and Decrypt (SNS docs, "Enable
          // compatibility between event sources from AWS services and encrypted topics").
          new iam.PolicyStatement({
            sid: 'ServicesPublishToEncryptedTopic',
            principals: [new iam.ServicePrincipal('events.amazonaws.com'), new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
            actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
            resources: ['*'],
          }),
        ],
      }),
    });

    this.topic = new sns.Topic(this, 'Topic', {
      topicName: 'fsx-onboard-failures',
      displayName: 'fsx-onboard failures',
      masterKey: key,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    this.rule = new events.Rule(this, 'ExecutionFailed', {
      description: 'An fsx-onboard execution failed, timed out or was aborted.',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: {
          status: ['FAILED', 'TIMED_OUT', 'ABORTED'],
          stateMachineArn: machines.map((m) => m.stateMachineArn),
        },
      },
    });
    // A target of our own rather than targets.SnsTopic: that one admits every EventBridge rule
    // to the topic and adds kms:GenerateDataKey* to the key policy; this admits only this rule.
    const message = events.RuleTargetInput.fromText(
      `fsx-onboard execution ${events.EventField.fromPath('$.detail.name')} ended ${events.EventField.fromPath('$.detail.status')} ` +
        `(${events.EventField.fromPath('$.detail.executionArn')}). Check it with: fsx-onboard status <execution-arn>; ` +
        `rerun it from the failed step with: fsx-onboard redrive <execution-arn>.`,
    );
    const topicArn = this.topic.topicArn;
    // A notification EventBridge cannot deliver (a broken key or topic policy) is kept here
    // instead of being dropped after its retries; its own alarm below makes it visible.
    this.deadLetterQueue = new sqs.Queue(this, 'UndeliveredNotifications', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.deadLetterQueue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'FailureRuleDeadLetters',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [this.deadLetterQueue.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': this.rule.ruleArn } },
      }),
    );
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself a dead-letter queue: of the EventBridge rule target (cdk-nag only recognises DLQs of other SQS queues).',
    });
    const deadLetterArn = this.deadLetterQueue.queueArn;
    this.rule.addTarget({
      bind: () => ({
        arn: topicArn,
        input: message,
        deadLetterConfig: { arn: deadLetterArn },
        retryPolicy: { maximumEventAgeInSeconds: 24 * 60 * 60, maximumRetryAttempts: 185 },
      }),
    });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'FailureRulePublishes',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topicArn],
        conditions: { ArnEquals: { 'aws:SourceArn': this.rule.ruleArn } },
      }),
    );
    // CloudWatch alarms publish as the cloudwatch service.
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': this.topic.stack.account } },
      }),
    );

    for (const [name, machine] of Object.entries(props.stateMachines)) {
      this.alarmOnAnyOf(
        `${name}ExecutionsFailed`,
        `fsx-onboard: an execution of ${name} failed.`,
        machine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' }),
      );
    }
    // Also into the topic: delivery may have failed for a passing reason (throttling), and the
    // alarm state shows in the console either way.
    this.alarmOnAnyOf(
      'UndeliveredNotificationsAlarm',
      'fsx-onboard: a failure notification could not be delivered to the topic; read it from the dead-letter queue.',
      this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
    );
  }

  /** An alarm, published to the topic, that fires as soon as the metric reaches 1. */
  private alarmOnAnyOf(id: string, description: string, metric: cloudwatch.IMetric): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmDescription: description,
      metric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new cwActions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
