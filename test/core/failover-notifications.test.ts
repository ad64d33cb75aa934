import { Annotations as CoreAnnotations, App, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { FailoverNotifications } from '../../lib';
import { acknowledge } from '../../lib/private/network';
import { formatFindings, gateFindings, testApp, testEnv } from '../harness';

/** Notifications with each kind of subscriber, an alarm here and one in another region; built in each test that reads it. */
function build() {
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
  return { stack, notifications, alarm, otherRegion, farAlarm, template: Template.fromStack(stack) };
}

describe('FailoverNotifications', () => {
  const topicRef = { Ref: Match.stringLikeRegexp('^Notifications[0-9A-F]{8}$') };

  test('the topic is encrypted with a rotating customer-managed key', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NotificationsKey'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, Description: 'Encrypts the failover notifications topic Notify/Notifications' });
  });

  test.each([
    ['email', 'ops@example.com'],
    ['email', 'oncall@example.org'],
    ['sms', '+4915112345678'],
    ['https', 'https://hooks.example.com/ha'],
  ])('subscribes %s %s', (protocol, endpoint) => {
    const { template } = build();
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: protocol, Endpoint: endpoint, TopicArn: topicRef });
  });

  test('an alarm notifies both when it goes offline (ALARM) and when it is restored (OK)', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [topicRef],
      OKActions: [topicRef],
    });
  });

  test('CloudWatch alarms and EventBridge rules of this account may publish to the topic and use its key; TLS only', () => {
    const { template } = build();
    const [policy] = Object.values(template.findResources('AWS::SNS::TopicPolicy'));
    const topic = { Ref: expect.stringMatching(/^Notifications[0-9A-F]{8}$/) };
    const publishBy = (service: string, sid: string) => ({
      Sid: sid, Action: 'sns:Publish', Effect: 'Allow', Principal: { Service: service }, Resource: topic,
      Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
    });
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      { Sid: 'AllowPublishThroughSSLOnly', Action: 'sns:Publish', Effect: 'Deny', Principal: '*', Resource: topic, Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
      publishBy('cloudwatch.amazonaws.com', 'AllowPublishBycloudwatchamazonawscom'),
      publishBy('events.amazonaws.com', 'AllowPublishByeventsamazonawscom'),
    ]);
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Principal: { Service: ['cloudwatch.amazonaws.com', 'events.amazonaws.com'] },
      })]) },
    });
  });

  test('a webhook gets the whole SNS message (not raw) over HTTPS', () => {
    const { template } = build();
    const webhooks = Object.values(template.findResources('AWS::SNS::Subscription')).filter(sub => sub.Properties.Protocol !== 'email' && sub.Properties.Protocol !== 'sms');
    expect(webhooks.map(sub => sub.Properties)).toEqual([{ Protocol: 'https', Endpoint: 'https://hooks.example.com/ha', RawMessageDelivery: false, TopicArn: expect.anything() }]);
  });

  test('an alarm in another region notifies a replica topic with the same subscribers in its own region', () => {
    const { notifications, alarm, otherRegion, farAlarm } = build();
    const far = Template.fromStack(otherRegion);
    far.resourceCountIs('AWS::SNS::Topic', 1);
    far.resourceCountIs('AWS::SNS::Subscription', 4);
    const farTopic = Object.keys(far.findResources('AWS::SNS::Topic'))[0];
    far.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: [{ Ref: farTopic }], OKActions: [{ Ref: farTopic }] });
    expect(notifications.inRegionOf(farAlarm)).toBe(notifications.inRegionOf(otherRegion));
    expect(notifications.inRegionOf(alarm)).toBe(notifications);
  });

  test('describes its subscribers for reports', () => {
    const { notifications } = build();
    expect(notifications.describeSubscribers()).toBe('2 email, 1 SMS, 1 webhook');
  });

  test('grantPublish lets a principal publish to the topic and use its key, nothing more', () => {
    const own = new Stack(testApp(), 'Grant', { env: testEnv('eu-west-1') });
    const topicOwner = new FailoverNotifications(own, 'Notifications', { emails: ['ops@example.com'] });
    const role = new iam.Role(own, 'Publisher', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const grant = topicOwner.grantPublish(role);
    expect(grant.success).toBe(true);
    const [policy] = Object.values(Template.fromStack(own).findResources('AWS::IAM::Policy'));
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: { 'Fn::GetAtt': [expect.stringMatching(/^NotificationsKey/), 'Arn'] } },
      { Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: expect.stringMatching(/^Notifications[0-9A-F]{8}$/) } },
    ]);
  });

  test('allowServiceToPublish: a topic statement for the service, from this account when the stack has one, and the key', () => {
    const statementFor = (stack: Stack) => {
      const n = new FailoverNotifications(stack, 'Notifications', { emails: ['ops@example.com'] });
      n.allowServiceToPublish('events.rds.amazonaws.com');
      const template = Template.fromStack(stack);
      const [policy] = Object.values(template.findResources('AWS::SNS::TopicPolicy'));
      const [key] = Object.values(template.findResources('AWS::KMS::Key'));
      const keyGrant = key.Properties.KeyPolicy.Statement.find((st: { Principal?: { Service?: string[] } }) => st.Principal?.Service?.includes?.('events.rds.amazonaws.com'));
      return { topic: policy.Properties.PolicyDocument.Statement.find((st: { Sid?: string }) => st.Sid === 'AllowPublishByeventsrdsamazonawscom'), keyGrant };
    };
    const inAccount = statementFor(new Stack(testApp(), 'Account', { env: testEnv('eu-west-1') }));
    expect(inAccount.topic).toMatchObject({ Effect: 'Allow', Action: 'sns:Publish', Principal: { Service: 'events.rds.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } });
    expect(inAccount.keyGrant).toMatchObject({ Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] });
    const agnostic = statementFor(new Stack(testApp(), 'Agnostic'));
    expect(agnostic.topic).toMatchObject({ Effect: 'Allow', Action: 'sns:Publish' });
    expect(agnostic.topic.Condition).toBeUndefined();
  });

  test('metricNumberOfNotificationsFailed: the SNS metric of the topic, 5-minute sums unless the caller says otherwise', () => {
    const own = new Stack(testApp(), 'Metric', { env: testEnv('eu-west-1') });
    const n = new FailoverNotifications(own, 'Notifications', { emails: ['ops@example.com'] });
    const metric = n.metricNumberOfNotificationsFailed();
    expect(metric).toMatchObject({ namespace: 'AWS/SNS', metricName: 'NumberOfNotificationsFailed', statistic: 'Sum' });
    expect(metric.period.toSeconds()).toBe(300);
    expect(own.resolve(metric.dimensions)).toEqual({ TopicName: { 'Fn::GetAtt': [expect.stringMatching(/^Notifications[0-9A-F]{8}$/), 'TopicName'] } });
    const custom = n.metricNumberOfNotificationsFailed({ period: Duration.minutes(1), statistic: 'Maximum' });
    expect(custom.period.toSeconds()).toBe(60);
    expect(custom.statistic).toBe('Maximum');
  });

  test.each<[ConstructorParameters<typeof FailoverNotifications>[2], string]>([
    [{}, 'no subscribers'],
    [{ emails: ['ops@example.com'] }, '1 email'],
    [{ smsNumbers: ['+4915112345678', '+4915112345679'] }, '2 SMS'],
    [{ emails: ['ops@example.com'], webhookUrls: ['https://hooks.example.com/ha'] }, '1 email, 1 webhook'],
  ])('describeSubscribers of %j: %s', (props, described) => {
    expect(new FailoverNotifications(new Stack(testApp(), 'Describe'), 'Notifications', props).describeSubscribers()).toBe(described);
  });

  test("the topic's display name: 'HA failover' unless given", () => {
    const own = new Stack(testApp(), 'Names');
    new FailoverNotifications(own, 'Default', { emails: ['ops@example.com'] });
    new FailoverNotifications(own, 'Named', { emails: ['ops@example.com'], displayName: 'Shop failover' });
    expect(Object.values(Template.fromStack(own).findResources('AWS::SNS::Topic')).map(t => t.Properties.DisplayName)).toEqual(['HA failover', 'Shop failover']);
  });

  test('regions: a stack without a region is named by its path', () => {
    const own = new Stack(testApp(), 'Agnostic');
    expect(new FailoverNotifications(own, 'Notifications', { emails: ['ops@example.com'] }).regions).toEqual(['<region of Agnostic>']);
    expect(build().notifications.regions).toEqual(['eu-west-1', 'us-east-1']);
  });

  test('an alarm of another account in the same region gets a replica in its own stack', () => {
    const app = testApp();
    const home = new Stack(app, 'Home', { env: { account: '111111111111', region: 'eu-west-1' } });
    const other = new Stack(app, 'Other', { env: { account: '222222222222', region: 'eu-west-1' } });
    const n = new FailoverNotifications(home, 'Notifications', { emails: ['ops@example.com'] });
    const replica = n.inRegionOf(new Construct(other, 'Alarmish'));
    expect(replica).not.toBe(n);
    expect(replica.node.scope).toBe(other);
  });

  test('an alarm of its own stack uses the topic itself, also in a stack without a region', () => {
    const stack = new Stack(testApp(), 'Agnostic');
    const n = new FailoverNotifications(stack, 'Notifications', { emails: ['ops@example.com'] });
    expect(n.inRegionOf(new Construct(stack, 'Alarmish'))).toBe(n);
    expect(n.replicas).toEqual([]);
  });

  test("a replica's id is fixed by the home stack's and the topic's addresses (renaming it would replace the topic and its subscriptions)", () => {
    const { notifications, otherRegion } = build();
    const [replica] = notifications.replicas;
    expect(replica.node.scope).toBe(otherRegion);
    expect(replica.node.id).toBe(`FailoverNotifications${Stack.of(notifications).node.addr.slice(0, 8)}${notifications.node.addr.slice(0, 8)}`);
    expect(replica.node.id).toMatch(/^FailoverNotifications[0-9a-f]{16}$/);
  });

  test('isFailoverNotifications recognizes the construct only', () => {
    const { notifications, stack } = build();
    expect(FailoverNotifications.isFailoverNotifications(notifications)).toBe(true);
    for (const other of [stack, notifications.topic, {}, null, undefined, 'Notifications', 1]) {
      expect(FailoverNotifications.isFailoverNotifications(other)).toBe(false);
    }
  });
});

describe('FailoverNotifications in every region: one subscriber list, subscribed by each regional topic', () => {
  const EMAILS = ['ops@example.com', 'oncall@example.org'];
  const SMS = ['+4915112345678'];
  const WEBHOOKS = ['https://hooks.example.com/ha', 'https://chat.example.net/hooks/ops'];
  const app = testApp();
  const home = new Stack(app, 'Home', { env: testEnv('eu-west-1') });
  const notifications = new FailoverNotifications(home, 'Notifications', { emails: EMAILS, smsNumbers: SMS, webhookUrls: WEBHOOKS });
  const alarmIn = (stack: Stack) => new cloudwatch.Metric({ namespace: 'Test', metricName: 'Up' })
    .createAlarm(stack, 'Alarm', { threshold: 1, evaluationPeriods: 1, comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD });
  const stacks = [home, new Stack(app, 'Virginia', { env: testEnv('us-east-1') }), new Stack(app, 'Sydney', { env: testEnv('ap-southeast-2') })];
  for (const stack of stacks) notifications.notifyOn(alarmIn(stack));

  const subscriptions: Array<[string, string, string]> = [
    ...EMAILS.map(e => ['email', e] as [string, string]),
    ...SMS.map(n => ['sms', n] as [string, string]),
    ...WEBHOOKS.map(u => ['https', u] as [string, string]),
  ].flatMap(([protocol, endpoint]) => stacks.map(st => [st.node.id, protocol, endpoint] as [string, string, string]));

  test.each(subscriptions)('the topic in %s subscribes %s %s', (stackId, protocol, endpoint) => {
    const template = Template.fromStack(stacks.find(st => st.node.id === stackId)!);
    const [topic] = Object.keys(template.findResources('AWS::SNS::Topic'));
    template.hasResourceProperties('AWS::SNS::Subscription', { TopicArn: { Ref: topic }, Protocol: protocol, Endpoint: endpoint });
  });

  test.each(stacks.map(st => [st.node.id, st]))('%s has one topic, with each subscriber once, and its alarm notifies it', (_id, stack) => {
    const template = Template.fromStack(stack as Stack);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::SNS::Subscription', EMAILS.length + SMS.length + WEBHOOKS.length);
    const [topic] = Object.keys(template.findResources('AWS::SNS::Topic'));
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: [{ Ref: topic }], OKActions: [{ Ref: topic }] });
  });

  test.each(stacks.map(st => [st.node.id, st]))('the webhooks of %s receive the SNS envelope over HTTPS (not raw), so they can confirm and verify it', (_id, stack) => {
    const webhooks = Object.values(Template.fromStack(stack as Stack).findResources('AWS::SNS::Subscription', { Properties: { Protocol: 'https' } }));
    expect(webhooks.map(w => w.Properties.Endpoint).sort()).toEqual([...WEBHOOKS].sort());
    for (const w of webhooks) expect(w.Properties.RawMessageDelivery ?? false).toBe(false);
  });

  test('reports the regions it notifies from and its replicas', () => {
    expect(notifications.regions).toEqual(['eu-west-1', 'us-east-1', 'ap-southeast-2']);
    expect(notifications.replicas.map(r => Stack.of(r).node.id)).toEqual(['Virginia', 'Sydney']);
    for (const replica of notifications.replicas) {
      expect([replica.emails, replica.smsNumbers, replica.webhookUrls]).toEqual([EMAILS, SMS, WEBHOOKS]);
    }
  });

  test('a second stack in a replica region gets its own topic, whose subscriptions confirm separately', () => {
    const app2 = testApp();
    const home2 = new Stack(app2, 'Home', { env: testEnv('eu-west-1') });
    const n = new FailoverNotifications(home2, 'Notifications', { emails: EMAILS });
    const web = new Stack(app2, 'Web', { env: testEnv('us-east-1') });
    const config = new Stack(app2, 'Config', { env: testEnv('us-east-1') });
    n.notifyOn(alarmIn(web));
    n.notifyOn(alarmIn(config));
    expect(n.replicas).toHaveLength(2);
    expect(n.regions).toEqual(['eu-west-1', 'us-east-1']);
    for (const stack of [web, config]) Template.fromStack(stack).resourceCountIs('AWS::SNS::Subscription', EMAILS.length);
  });
});

/** Every warning of the cloud assembly, as `cdk synth` prints them: `<path> <message>`. */
function assemblyWarnings(app: App): string[] {
  const assembly: cxapi.CloudAssembly = app.synth();
  return assembly.stacks.flatMap(s => s.messages)
    .filter(m => m.level === 'warning')
    .map(m => `${m.id} ${String(m.entry.data)}`);
}

describe('FailoverNotifications with SMS subscribers', () => {
  const SLUG = 'cdk-ha-patterns:notifications-sms-sandbox';
  const build = (props: ConstructorParameters<typeof FailoverNotifications>[2], regions: string[] = []) => {
    const app = testApp();
    const home = new Stack(app, 'Home', { env: testEnv('eu-west-1') });
    const notifications = new FailoverNotifications(home, 'Notifications', props);
    regions.forEach((region, i) => {
      const stack = new Stack(app, `Far${i}`, { env: testEnv(region) });
      notifications.notifyOn(new cloudwatch.Metric({ namespace: 'Test', metricName: 'Up' }).createAlarm(stack, 'Alarm', { threshold: 1, evaluationPeriods: 1 }));
    });
    return { app, notifications };
  };

  test('warns once, on the home topic, naming every region that sends SMS, the sandbox and origination identities', () => {
    const { app } = build({ smsNumbers: ['+12025550123'] }, ['us-east-1', 'ap-southeast-2']);
    const warnings = assemblyWarnings(app).filter(w => w.includes(SLUG));
    expect(warnings).toEqual([
      '/Home/Notifications smsNumbers: SNS sends these SMS from regions eu-west-1, us-east-1, ap-southeast-2 (this topic and 2 replica(s) in other regions). ' +
      'In each of these regions the account starts in the SMS sandbox, where SMS reach only verified destination numbers, and needs an origination identity ' +
      'for the destination countries (SMS to US numbers need a dedicated, registered number: 10DLC, toll-free or short code). Move each region out of the sandbox ' +
      'and set up its origination identities (https://docs.aws.amazon.com/sns/latest/dg/sns-sms-sandbox.html, ' +
      `https://docs.aws.amazon.com/sns/latest/dg/channels-sms-originating-identities.html), then acknowledge this warning. [ack: ${SLUG}]`,
    ]);
  });

  test('a topic without replicas names its own region only', () => {
    const { app } = build({ smsNumbers: ['+4915112345678'] });
    expect(assemblyWarnings(app).filter(w => w.includes(SLUG))).toEqual([
      expect.stringMatching(/^\/Home\/Notifications smsNumbers: SNS sends these SMS from region eu-west-1 \(this topic\)\. In each of these regions/),
    ]);
  });

  test('no SMS warning without SMS subscribers', () => {
    const { app } = build({ emails: ['ops@example.com'], webhookUrls: ['https://hooks.example.com/ha'] }, ['us-east-1']);
    expect(assemblyWarnings(app).filter(w => w.includes(SLUG))).toEqual([]);
  });

  test('acknowledging it on the topic once silences it for every region', () => {
    const { app, notifications } = build({ smsNumbers: ['+12025550123'] }, ['us-east-1']);
    CoreAnnotations.of(notifications).acknowledgeWarning(SLUG, 'both regions are out of the sandbox with a registered toll-free number');
    expect(assemblyWarnings(app).filter(w => w.includes(SLUG))).toEqual([]);
  });
});

describe('FailoverNotifications input validation', () => {
  const make = (props: ConstructorParameters<typeof FailoverNotifications>[2]) => {
    const stack = new Stack(testApp(), 'Bad', { env: testEnv() });
    return () => new FailoverNotifications(stack, 'Notifications', props);
  };

  test('fails when a subscriber list is not a list (from JavaScript), naming the prop', () => {
    expect(make({ emails: 'ops@example.com' as unknown as string[] })).toThrow(
      "Bad/Notifications: invalid prop 'emails': received \"ops@example.com\"; expected an array, each element an email address such as ops@example.com");
  });

  test('fails on a subscriber that is not a string, even one that reads as a valid URL (a URL object from JavaScript)', () => {
    expect(make({ webhookUrls: [new URL('https://hooks.example.com/ha') as unknown as string] })).toThrow(/invalid prop 'webhookUrls\[0\]'.*expected an https:\/\/ URL/);
  });

  test('a subscriber given as a token (a parameter) is not checked until deployment', () => {
    const stack = new Stack(testApp(), 'Tokens', { env: testEnv() });
    const email = new CfnParameter(stack, 'OnCallEmail').valueAsString;
    const notifications = new FailoverNotifications(stack, 'Notifications', { emails: [email], webhookUrls: [new CfnParameter(stack, 'Hook').valueAsString] });
    expect(notifications.emails).toEqual([email]);
    Template.fromStack(stack).hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: { Ref: 'OnCallEmail' } });
  });

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
    Annotations.fromStack(stack).hasWarning('/Quiet/Notifications', 'no emails, smsNumbers or webhookUrls: the failover alarms publish to a topic nobody is subscribed to, ' +
      'so they page nobody. Add a subscriber; if you subscribe to `topic` yourself, acknowledge this warning. [ack: cdk-ha-patterns:notifications-no-subscribers]');
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
    ['an email and an SMS number', { emails: ['ops@example.com'], smsNumbers: ['+4915112345678'] }],
    ['an SMS number and a webhook', { smsNumbers: ['+4915112345678'], webhookUrls: ['https://hooks.example.com/ha'] }],
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
