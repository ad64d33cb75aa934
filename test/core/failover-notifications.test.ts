import { Annotations as CoreAnnotations, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { FailoverNotifications } from '../../lib';
import { acknowledge } from '../../lib/private/network';
import { formatFindings, gateFindings, testApp, testEnv } from '../harness';

describe('FailoverNotifications', () => {
  const app = testApp();
  const stack = new Stack(app, 'Notify', { env: testEnv('eu-west-1') });
  const notifications = new FailoverNotifications(stack, 'Notifications', {
    emails: ['ops@example.com', 'oncall@example.org'],
    smsNumbers: ['+4915112345678'],
    webhookUrls: ['https://hooks.example.com/ha'],
  });
  const alarm = new cloudwatch.Metric({ namespace: 'Test', metricName: 'Up' })
    .createAlarm(stack, 'Alarm', { threshold: 1, evaluationPeriods: 1, comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD });
  notifications.notifyOn(alarm);

  const otherRegion = new Stack(app, 'Far', { env: testEnv('us-east-1') });
  const farAlarm = new cloudwatch.Metric({ namespace: 'Test', metricName: 'Up' })
    .createAlarm(otherRegion, 'Alarm', { threshold: 1, evaluationPeriods: 1 });
  notifications.notifyOn(farAlarm);

  const template = Template.fromStack(stack);
  const topicRef = { Ref: Match.stringLikeRegexp('^Notifications[0-9A-F]{8}$') };

  test('the topic is encrypted with a rotating customer-managed key', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NotificationsKey'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test.each([
    ['email', 'ops@example.com'],
    ['email', 'oncall@example.org'],
    ['sms', '+4915112345678'],
    ['https', 'https://hooks.example.com/ha'],
  ])('subscribes %s %s', (protocol, endpoint) => {
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: protocol, Endpoint: endpoint, TopicArn: topicRef });
  });

  test('an alarm notifies both when it goes offline (ALARM) and when it is restored (OK)', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [topicRef],
      OKActions: [topicRef],
    });
  });

  test('CloudWatch may publish to the topic and use its key', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
        Action: 'sns:Publish', Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
      })]) },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Principal: { Service: Match.arrayWith(['cloudwatch.amazonaws.com']) },
      })]) },
    });
  });

  test('the topic refuses publishing without TLS', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
        Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      })]) },
    });
  });

  test('an alarm in another region notifies a replica topic with the same subscribers in its own region', () => {
    const far = Template.fromStack(otherRegion);
    far.resourceCountIs('AWS::SNS::Topic', 1);
    far.resourceCountIs('AWS::SNS::Subscription', 4);
    const farTopic = Object.keys(far.findResources('AWS::SNS::Topic'))[0];
    far.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: [{ Ref: farTopic }], OKActions: [{ Ref: farTopic }] });
    expect(notifications.inRegionOf(farAlarm)).toBe(notifications.inRegionOf(otherRegion));
    expect(notifications.inRegionOf(alarm)).toBe(notifications);
  });

  test('describes its subscribers for reports', () => {
    expect(notifications.describeSubscribers()).toBe('2 email, 1 SMS, 1 webhook');
  });
});

describe('FailoverNotifications input validation', () => {
  const make = (props: ConstructorParameters<typeof FailoverNotifications>[2]) => {
    const stack = new Stack(testApp(), 'Bad', { env: testEnv() });
    return () => new FailoverNotifications(stack, 'Notifications', props);
  };

  test('fails when an email address is malformed', () => {
    expect(make({ emails: ['ops@example.com', 'not-an-email'] })).toThrow(
      "Bad/Notifications: invalid prop 'emails[1]': received \"not-an-email\"; expected an email address such as ops@example.com");
  });

  test.each(['015112345678', '+0151123', '+49 151 1234567', '+49151123456789012'])('fails when phone number %s is not E.164', phone => {
    expect(make({ smsNumbers: [phone] })).toThrow(/invalid prop 'smsNumbers\[0\]'.*expected a phone number in E\.164 form/);
  });

  test.each(['http://hooks.example.com/ha', 'hooks.example.com', 'ftp://x.example.com'])('fails when webhook %s is not https', url => {
    expect(make({ webhookUrls: [url] })).toThrow(/invalid prop 'webhookUrls\[0\]'.*expected an https:\/\/ URL/);
  });

  test('fails when a subscriber is listed twice', () => {
    expect(make({ emails: ['ops@example.com', 'ops@example.com'] })).toThrow(/'emails\[1\]'.*each subscriber once/);
  });
});

describe('FailoverNotifications without subscribers', () => {
  const WARNING = /cdk-ha-patterns:notifications-no-subscribers/;

  test('warns that a topic nobody is subscribed to pages nobody', () => {
    const stack = new Stack(testApp(), 'Quiet', { env: testEnv() });
    new FailoverNotifications(stack, 'Notifications');
    Annotations.fromStack(stack).hasWarning('/Quiet/Notifications', Match.stringLikeRegexp('no emails, smsNumbers or webhookUrls: .* page nobody'));
    Annotations.fromStack(stack).hasWarning('/Quiet/Notifications', Match.stringLikeRegexp(WARNING.source));
  });

  test('warns with empty subscriber lists too', () => {
    const stack = new Stack(testApp(), 'Quiet', { env: testEnv() });
    new FailoverNotifications(stack, 'Notifications', { emails: [], smsNumbers: [], webhookUrls: [] });
    Annotations.fromStack(stack).hasWarning('/Quiet/Notifications', Match.stringLikeRegexp(WARNING.source));
  });

  test.each<[string, ConstructorParameters<typeof FailoverNotifications>[2]]>([
    ['an email', { emails: ['ops@example.com'] }],
    ['an SMS number', { smsNumbers: ['+4915112345678'] }],
    ['a webhook', { webhookUrls: ['https://hooks.example.com/ha'] }],
  ])('does not warn with %s only', (_name, props) => {
    const stack = new Stack(testApp(), 'Heard', { env: testEnv() });
    new FailoverNotifications(stack, 'Notifications', props);
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp(WARNING.source));
  });

  test('the warning can be acknowledged', () => {
    const stack = new Stack(testApp(), 'Quiet', { env: testEnv() });
    const notifications = new FailoverNotifications(stack, 'Notifications');
    CoreAnnotations.of(notifications).acknowledgeWarning('cdk-ha-patterns:notifications-no-subscribers', 'a Lambda subscribes to the topic');
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp(WARNING.source));
  });

  test('a replica in another region does not repeat the warning', () => {
    const app = testApp();
    const stack = new Stack(app, 'Quiet', { env: testEnv() });
    const far = new Stack(app, 'Far', { env: testEnv('us-east-1') });
    const notifications = new FailoverNotifications(stack, 'Notifications');
    notifications.inRegionOf(far);
    Annotations.fromStack(stack).hasWarning('/Quiet/Notifications', Match.stringLikeRegexp(WARNING.source));
    Annotations.fromStack(far).hasNoWarning('*', Match.stringLikeRegexp(WARNING.source));
  });
});

describe('FailoverNotifications gates', () => {
  test('passes cdk-nag AwsSolutions, CloudFormation validation with default rules and the AWS Guard rules', () => {
    const app = testApp({ validation: true });
    const stack = new Stack(app, 'Gate', { env: testEnv() });
    new FailoverNotifications(stack, 'Notifications', { emails: ['ops@example.com'], smsNumbers: ['+12025550123'], webhookUrls: ['https://h.example.com/x'] });
    expect(formatFindings(gateFindings(app, { guard: true }))).toEqual([]);
  });
});

describe('FailoverNotifications key policy', () => {
  test('denies creating grants on the key except for AWS services (Guard CT.KMS.PR.3)', () => {
    const stack = new Stack(testApp(), 'Key', { env: testEnv() });
    new FailoverNotifications(stack, 'Notifications', { emails: ['ops@example.com'] });
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({
        Effect: 'Deny', Action: 'kms:CreateGrant',
        Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
      })]) },
    });
  });
});

describe('gate harness', () => {
  test('reports unacknowledged findings even when another rule of the same plugin is acknowledged', () => {
    const app = testApp();
    const stack = new Stack(app, 'Harness', { env: testEnv() });
    const topic = new FailoverNotifications(stack, 'Notifications', { emails: ['ops@example.com'] });
    // A queue without DLQ and without TLS enforcement: AwsSolutions-SQS3 and -SQS4.
    const queue = new (require('aws-cdk-lib/aws-sqs').Queue)(stack, 'Queue');
    acknowledge(queue, { 'AwsSolutions-SQS3': 'test: acknowledged' });
    expect(topic).toBeDefined();
    expect(formatFindings(gateFindings(app)).filter(f => f.includes('Harness/Queue'))).toEqual([
      expect.stringMatching(/^AwsSolutions AwsSolutions-SQS4 at Harness\/Queue/),
    ]);
  });
});
