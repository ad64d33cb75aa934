import { Aspects, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct, IConstruct } from 'constructs';
import { restrictKeyGrants } from '../private/kms';
import { addHaWarning, HaValidationError } from './errors';

/** Props of `FailoverNotifications`. */
export interface FailoverNotificationsProps {
  /**
   * Email addresses notified when something goes offline and when it is
   * restored, on this topic and on every replica `inRegionOf` creates. Each
   * topic's subscription is confirmed separately: an address receives one
   * confirmation email per topic (per region, and per stack with alarms
   * outside the home region) and is notified by a topic only once it clicked
   * that topic's link (valid 3 days). A literal array (one subscription per
   * address); addresses that differ only in case warn
   * (`cdk-ha-patterns:notifications-duplicate-email`).
   * @default no email subscribers
   */
  readonly emails?: string[];

  /**
   * Phone numbers in E.164 form (`+4915112345678`) notified by SMS, from this
   * topic and every replica. SMS need no confirmation, but in each region
   * that sends them the account must be out of the SMS sandbox (in it, SMS
   * reach verified numbers only) and have an origination identity for the
   * destination countries; synthesis warns (`cdk-ha-patterns:notifications-sms-sandbox`).
   * @default no SMS subscribers
   */
  readonly smsNumbers?: string[];

  /**
   * HTTPS endpoints that receive the SNS notification as a POST, from this
   * topic and every replica. The endpoint must confirm each topic's
   * subscription (it receives one `SubscriptionConfirmation` per topic, with
   * that topic's ARN) before SNS delivers to it. Credentials in the URL
   * (`https://user:password@host/...`, HTTP basic authentication) end up in
   * the template in clear text: they warn (`cdk-ha-patterns:notifications-webhook-credentials`).
   * @default no webhooks
   */
  readonly webhookUrls?: string[];

  /**
   * Display name of the topic (the sender name of SMS messages).
   * @default 'HA failover'
   */
  readonly displayName?: string;

  /**
   * Key that encrypts the topic. It must allow CloudWatch to use it.
   * @default a new customer-managed key with rotation, usable by CloudWatch and EventBridge
   */
  readonly encryptionKey?: kms.IKey;
}

const NOTIFICATIONS_SYMBOL = Symbol.for('cdk-ha-patterns.FailoverNotifications');
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const E164 = /^\+[1-9]\d{6,14}$/;
/** Set while `inRegionOf` builds a replica: its subscribers are the original's, already warned about. */
let buildingReplica = false;

/**
 * The one place failover alarms notify: an encrypted SNS topic with email,
 * SMS and HTTPS webhook subscribers, notified both when a pattern goes
 * offline (alarm state ALARM) and when it is restored (OK).
 *
 * CloudWatch alarms can only notify a topic in their own region; for alarms
 * in another region, `inRegionOf(scope)` returns a replica with the same
 * subscribers in that alarm's stack (one per stack, so that no stack
 * references another). The subscriber lists are given once and every
 * replica subscribes them; email and webhook subscribers confirm each
 * topic's subscription separately.
 *
 * Without any email, SMS or webhook subscriber it warns
 * (`cdk-ha-patterns:notifications-no-subscribers`): a topic nobody reads pages nobody.
 * With SMS subscribers it warns (`cdk-ha-patterns:notifications-sms-sandbox`),
 * naming every region that sends SMS: each must be out of the SMS sandbox
 * with an origination identity.
 */
export class FailoverNotifications extends Construct {
  /** Whether `x` is a `FailoverNotifications`. */
  public static isFailoverNotifications(x: unknown): x is FailoverNotifications {
    return typeof x === 'object' && x !== null && NOTIFICATIONS_SYMBOL in x;
  }

  /** The topic every failover alarm notifies. */
  public readonly topic: sns.ITopic;
  /** The key that encrypts the topic. */
  public readonly encryptionKey: kms.IKey;
  /** The alarm action that publishes to the topic. */
  public readonly alarmAction: cloudwatch.IAlarmAction;
  /** Email subscribers. */
  public readonly emails: string[];
  /** SMS subscribers. */
  public readonly smsNumbers: string[];
  /** Webhook subscribers. */
  public readonly webhookUrls: string[];

  private readonly props: FailoverNotificationsProps;
  private readonly replicaByStack = new Map<Stack, FailoverNotifications>();

  constructor(scope: Construct, id: string, props: FailoverNotificationsProps = {}) {
    super(scope, id);
    Object.defineProperty(this, NOTIFICATIONS_SYMBOL, { value: true });
    this.props = props;
    this.emails = validateEach(this, 'emails', props.emails ?? [], v => EMAIL.test(v), 'an email address such as ops@example.com');
    this.smsNumbers = validateEach(this, 'smsNumbers', props.smsNumbers ?? [], v => E164.test(v),
      'a phone number in E.164 form: + then country code and number, digits only, e.g. +4915112345678');
    this.webhookUrls = validateEach(this, 'webhookUrls', props.webhookUrls ?? [], isHttpsUrl,
      'an https:// URL (SNS only delivers to HTTPS webhooks here, so the notification is not sent in clear text)');

    if (!buildingReplica) {
      warnCaseDuplicates(this, this.emails);
      warnWebhookCredentials(this, this.webhookUrls);
    }
    if (!buildingReplica && this.emails.length + this.smsNumbers.length + this.webhookUrls.length === 0) {
      addHaWarning(this, 'notifications-no-subscribers',
        'no emails, smsNumbers or webhookUrls: the failover alarms publish to a topic nobody is subscribed to, so they page nobody. ' +
        'Add a subscriber; if you subscribe to `topic` yourself, acknowledge this warning.');
    }
    if (!buildingReplica && this.smsNumbers.length > 0) {
      // At synthesis, when every replica (created as alarms ask for one) exists: one warning naming every region.
      Aspects.of(this).add({ visit: node => { if (node === this) warnSmsSandbox(this); } });
    }

    const key = props.encryptionKey ?? createTopicKey(this);
    this.encryptionKey = key;

    const topic = new sns.Topic(this, 'Resource', {
      displayName: props.displayName ?? 'HA failover',
      masterKey: key,
      enforceSSL: true,
    });
    this.topic = topic;
    this.alarmAction = new cloudwatchActions.SnsAction(topic);

    // CloudWatch alarms and EventBridge rules publish as service principals:
    // they need the topic policy and, as the topic is encrypted, the key.
    for (const service of ['cloudwatch.amazonaws.com', 'events.amazonaws.com']) {
      this.allowServiceToPublish(service);
    }

    for (const email of this.emails) topic.addSubscription(new subscriptions.EmailSubscription(email));
    for (const phone of this.smsNumbers) topic.addSubscription(new subscriptions.SmsSubscription(phone));
    for (const url of this.webhookUrls) {
      topic.addSubscription(new subscriptions.UrlSubscription(url, {
        protocol: sns.SubscriptionProtocol.HTTPS,
        rawMessageDelivery: false,
      }));
    }
  }

  /**
   * Lets an AWS service (for example `events.rds.amazonaws.com`) publish to
   * the topic from this account: topic policy and key grant.
   */
  public allowServiceToPublish(servicePrincipal: string): void {
    const principal = new iam.ServicePrincipal(servicePrincipal);
    const account = Stack.of(this).account;
    this.topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: `AllowPublishBy${servicePrincipal.replace(/[^A-Za-z0-9]/g, '')}`,
      actions: ['sns:Publish'],
      principals: [principal],
      resources: [this.topic.topicArn],
      conditions: Token.isUnresolved(account) ? undefined : { StringEquals: { 'aws:SourceAccount': account } },
    }));
    this.encryptionKey.grant(principal, 'kms:Decrypt', 'kms:GenerateDataKey*');
  }

  /** Lets `grantee` publish to the topic (and use its key). */
  public grantPublish(grantee: iam.IGrantable): iam.Grant {
    this.encryptionKey.grant(grantee, 'kms:Decrypt', 'kms:GenerateDataKey*');
    return this.topic.grantPublish(grantee);
  }

  /**
   * Notifies the topic when `alarm` goes into ALARM (offline) and back to OK
   * (restored). For an alarm in another region, the regional replica is used.
   */
  public notifyOn(alarm: cloudwatch.AlarmBase): void {
    const target = this.inRegionOf(alarm);
    alarm.addAlarmAction(target.alarmAction);
    alarm.addOkAction(target.alarmAction);
  }

  /**
   * The notifications to use for alarms under `scope`: this construct when
   * `scope` is in the same region, otherwise a replica with the same
   * subscribers in `scope`'s stack (created once per stack).
   */
  public inRegionOf(scope: IConstruct): FailoverNotifications {
    const here = Stack.of(this);
    const there = Stack.of(scope);
    if (there === here || (!Token.isUnresolved(there.region) && there.region === here.region && there.account === here.account)) {
      return this;
    }
    let replica = this.replicaByStack.get(there);
    if (!replica) {
      const id = `FailoverNotifications${here.node.addr.slice(0, 8)}${this.node.addr.slice(0, 8)}`;
      buildingReplica = true;
      try {
        replica = new FailoverNotifications(there, id, { ...this.props, encryptionKey: undefined });
      } finally {
        buildingReplica = false;
      }
      this.replicaByStack.set(there, replica);
    }
    return replica;
  }

  /** The replicas `inRegionOf` created so far, one per stack outside this topic's region, in creation order. */
  public get replicas(): FailoverNotifications[] {
    return [...this.replicaByStack.values()];
  }

  /**
   * The regions this topic and its replicas notify from, this topic's first
   * (`<region of Stack>` for a stack without an explicit region).
   */
  public get regions(): string[] {
    return [...new Set([this, ...this.replicas].map(n => regionName(Stack.of(n))))];
  }

  /** Who is notified, for reports: `2 email, 1 SMS, 1 webhook`. */
  public describeSubscribers(): string {
    const parts = [
      this.emails.length ? `${this.emails.length} email` : '',
      this.smsNumbers.length ? `${this.smsNumbers.length} SMS` : '',
      this.webhookUrls.length ? `${this.webhookUrls.length} webhook` : '',
    ].filter(Boolean);
    return parts.length ? parts.join(', ') : 'no subscribers';
  }

  /** Notifications that SNS could not deliver (to any subscriber). */
  public metricNumberOfNotificationsFailed(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return (this.topic as sns.Topic).metricNumberOfNotificationsFailed({ period: Duration.minutes(5), statistic: 'Sum', ...options });
  }
}

function regionName(stack: Stack): string {
  return Token.isUnresolved(stack.region) ? `<region of ${stack.node.path}>` : stack.region;
}

/**
 * SMS subscriptions need no confirmation, but SNS delivers SMS only from an
 * account that left the SMS sandbox in the sending region (in the sandbox,
 * only to verified numbers) and, for many countries (the US among them),
 * through an origination identity set up in that region.
 */
function warnSmsSandbox(notifications: FailoverNotifications): void {
  const regions = notifications.regions;
  addHaWarning(notifications, 'notifications-sms-sandbox',
    `smsNumbers: SNS sends these SMS from ${regions.length === 1 ? 'region' : 'regions'} ${regions.join(', ')} ` +
    `(${notifications.replicas.length === 0 ? 'this topic' : `this topic and ${notifications.replicas.length} replica(s) in other regions`}). ` +
    'In each of these regions the account starts in the SMS sandbox, where SMS reach only verified destination numbers, and needs an ' +
    'origination identity for the destination countries (SMS to US numbers need a dedicated, registered number: 10DLC, toll-free or short code). Move each region out of ' +
    'the sandbox and set up its origination identities (https://docs.aws.amazon.com/sns/latest/dg/sns-sms-sandbox.html, ' +
    'https://docs.aws.amazon.com/sns/latest/dg/channels-sms-originating-identities.html), then acknowledge this warning.');
}

function createTopicKey(scope: Construct): kms.Key {
  const key = new kms.Key(scope, 'Key', {
    description: `Encrypts the failover notifications topic ${scope.node.path}`,
    enableKeyRotation: true,
  });
  restrictKeyGrants(key);
  return key;
}

function validateEach(scope: IConstruct, prop: string, values: string[], ok: (v: string) => boolean, expected: string): string[] {
  if (!Array.isArray(values)) {
    throw new HaValidationError(scope, { prop, received: values, expected: `an array, each element ${expected}` });
  }
  if (Token.isUnresolved(values)) {
    // A list token (a CfnParameter's valueAsList, Fn.split...) is one element at synthesis: it would become one subscription of the whole list.
    throw new HaValidationError(scope, {
      prop, received: '<list token>',
      expected: `a literal array (each subscriber is its own subscription, created at synthesis), each element ${expected}; ` +
        'a single element may be a string token',
    });
  }
  const seen = new Set<string>();
  values.forEach((value, i) => {
    if (Token.isUnresolved(value)) return;
    if (typeof value !== 'string' || !ok(value)) {
      throw new HaValidationError(scope, { prop: `${prop}[${i}]`, received: withoutPassword(value), expected });
    }
    if (seen.has(value)) {
      throw new HaValidationError(scope, { prop: `${prop}[${i}]`, received: withoutPassword(value), expected: 'each subscriber once (it is listed twice)' });
    }
    seen.add(value);
  });
  return [...values];
}

/**
 * Email addresses that differ only in case: most mail systems deliver both
 * to one mailbox (the domain is case-insensitive, and in practice so is the
 * local part), so the person would confirm two subscriptions and get every
 * notification twice.
 */
function warnCaseDuplicates(scope: IConstruct, emails: string[]): void {
  const first = new Map<string, number>();
  emails.forEach((email, i) => {
    if (Token.isUnresolved(email)) return;
    const j = first.get(email.toLowerCase());
    if (j === undefined) {
      first.set(email.toLowerCase(), i);
      return;
    }
    addHaWarning(scope, 'notifications-duplicate-email',
      `emails[${i}] (${email}) and emails[${j}] (${emails[j]}) differ only in case: most mail systems deliver both to the same mailbox, ` +
      'so the person confirms two subscriptions and receives every notification twice. Keep one of them; acknowledge this warning if they really are two mailboxes.');
  });
}

/**
 * A webhook URL with credentials (`https://user:password@host/...`): SNS
 * supports HTTP basic authentication this way, but the password is then in
 * the template and the cloud assembly.
 */
function warnWebhookCredentials(scope: IConstruct, urls: string[]): void {
  urls.forEach((value, i) => {
    if (Token.isUnresolved(value)) return;
    const url = new URL(value);
    if (url.username === '' && url.password === '') return;
    addHaWarning(scope, 'notifications-webhook-credentials',
      `webhookUrls[${i}] (${withoutPassword(value)}) carries credentials: they are stored in clear text in the CloudFormation template and the cloud assembly ` +
      '(and so wherever those are kept or shown). Prefer an endpoint that authenticates SNS by the message signature; ' +
      'if the endpoint needs basic authentication, keep the URL out of source control (a context value) and acknowledge this warning.');
  });
}

/** The value, with the credentials of a URL (`https://user:password@...`) masked, for messages. */
function withoutPassword(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/i, '$1***@');
}

function isHttpsUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.hostname.length > 0;
  } catch {
    return false;
  }
}
