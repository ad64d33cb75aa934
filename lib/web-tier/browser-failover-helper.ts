import * as path from 'path';
import { Duration, Stack, Token, Tokenization } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { HaValidationError } from '../core/errors';
import { requireDefined, requireDurationBetween, requireHealthCheckPath, requireInteger } from '../core/validation';
import { HandlerFunction } from '../private/handler-function';
import { BrowserFailoverOptions } from './browser-failover';
import { DEFAULT_HELPER_PATH_PREFIX, requireHelperPathPrefix } from './helper-path';

/** Props of `BrowserFailoverHelper`. */
export interface BrowserFailoverHelperProps {
  /**
   * The listener that serves the site's pages: the helper is served from the
   * same origin, so pages import it without CORS.
   */
  readonly listener: elbv2.IApplicationListener;

  /** The settings the start module passes to `startFailover()`: a tier's `browserFailoverOptions`. */
  readonly options: BrowserFailoverOptions;

  /**
   * Path under which the helper is served: `<pathPrefix>/failover.js` (the
   * helper) and `<pathPrefix>/start.js` (a module that starts it with
   * `options` and exports the controller as `failover`). Starts with `/`,
   * no trailing `/`; letters, digits and `-_.~/` only. The application's own
   * paths (and its health path) must not be under it.
   * @default '/ha-failover'
   */
  readonly pathPrefix?: string;

  /**
   * Priority of the listener rule that forwards `<pathPrefix>/*` to the
   * helper's function (1 to 50000, lower first; unique on the listener).
   * @default 1
   */
  readonly priority?: number;

  /**
   * How long browsers may cache both modules (`Cache-Control: max-age`, whole
   * seconds, rounded down): the time a settings change takes to reach open pages at most.
   * @default Duration.minutes(5)
   */
  readonly cacheDuration?: Duration;
}

/**
 * Serves the browser failover helper beside a site, so nobody copies it by
 * hand: a listener rule forwards `<pathPrefix>/*` to a small Lambda function
 * (the helper and its server, deployed as they are, no bundling) that answers
 * `<pathPrefix>/failover.js` with the helper and `<pathPrefix>/start.js` with
 * a module starting it with the tier's settings. A page needs one line:
 * `<script type="module" src="/ha-failover/start.js"></script>`.
 *
 * `ActiveSpareWebTier` adds one to every site (`browserFailover.serveHelper`).
 * Only the load balancer of the listener's account may invoke the function.
 */
export class BrowserFailoverHelper extends Construct {
  /** The function that answers the requests. */
  public readonly function: lambda.IFunction;
  /** Its target group. */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** Path of the helper module, e.g. `/ha-failover/failover.js`. */
  public readonly helperPath: string;
  /** Path of the start module, e.g. `/ha-failover/start.js`: the one a page loads. */
  public readonly startPath: string;

  constructor(scope: Construct, id: string, props: BrowserFailoverHelperProps) {
    super(scope, id);
    requireDefined(this, 'listener', props.listener, 'the application listener that serves the site\'s pages (its own or imported)',
      l => typeof (l as elbv2.IApplicationListener).addTargetGroups === 'function');
    requireDefined(this, 'options', props.options, 'the settings for startFailover(), e.g. tier.browserFailoverOptions',
      o => typeof o === 'object' && o !== null && !Array.isArray(o));
    const prefix = props.pathPrefix ?? DEFAULT_HELPER_PATH_PREFIX;
    requireHelperPathPrefix(this, 'pathPrefix', prefix);
    requireInteger(this, 'priority', props.priority, 1, 50000);
    const cacheDuration = props.cacheDuration ?? Duration.minutes(5);
    requireDurationBetween(this, 'cacheDuration', cacheDuration, Duration.seconds(0), Duration.days(1));
    validateOptions(this, props.options, prefix);
    const ruleId = listenerRuleId(this, props.listener, prefix, props.priority ?? 1);
    this.helperPath = `${prefix}/failover.js`;
    this.startPath = `${prefix}/start.js`;

    const handler = new HandlerFunction(this, 'Function', {
      entry: path.join(__dirname, 'browser', 'serve'),
      description: `Serves the browser failover helper under ${prefix}/ for ${props.listener.node.path}`,
      timeout: Duration.seconds(5),
      memorySize: 128,
      environment: {
        PATH_PREFIX: prefix,
        FAILOVER_OPTIONS: Stack.of(this).toJsonString(props.options),
        // Whole seconds (Cache-Control's unit), rounded down; a token stays one.
        MAX_AGE_SECONDS: Tokenization.stringifyNumber(cacheDuration.isUnresolved() ? cacheDuration.toSeconds() : Math.floor(cacheDuration.toSeconds({ integral: false }))),
      },
    });
    this.function = handler.function;
    // The load balancer of this account only (the default Lambda target grants every account's).
    const permission = new lambda.CfnPermission(this, 'InvokeByLoadBalancer', {
      action: 'lambda:InvokeFunction',
      functionName: handler.function.functionArn,
      principal: new iam.ServicePrincipal('elasticloadbalancing.amazonaws.com').service,
      sourceAccount: Stack.of(this).account,
    });
    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'TargetGroup', {
      targetType: elbv2.TargetType.LAMBDA,
      targets: [{
        attachToApplicationTargetGroup: (tg: elbv2.IApplicationTargetGroup): elbv2.LoadBalancerTargetProps => {
          tg.node.addDependency(permission);
          return { targetType: elbv2.TargetType.LAMBDA, targetJson: { id: handler.function.functionArn } };
        },
      }],
    });
    props.listener.addTargetGroups(ruleId, {
      priority: props.priority ?? 1,
      conditions: [elbv2.ListenerCondition.pathPatterns([`${prefix}/*`])],
      targetGroups: [this.targetGroup],
    });
  }
}

/** Longest heartbeat interval (and notice) the helper is given: an hour. */
const MAX_MS = 3_600_000;

/**
 * Checks the options the start module passes to `startFailover()`: the
 * browser would otherwise run with them as they are (a 5 ms heartbeat, a
 * relative heartbeat path) or fall back to its defaults without a word.
 */
function validateOptions(scope: BrowserFailoverHelper, options: BrowserFailoverOptions, prefix: string): void {
  requireDefined(scope, 'options.heartbeatPath', options.heartbeatPath, 'the path of the site\'s heartbeat, e.g. "/health" (tier.browserFailoverOptions has it)');
  requireHealthCheckPath(scope, 'options.heartbeatPath', options.heartbeatPath);
  const path = options.heartbeatPath;
  if (!Token.isUnresolved(path) && !Token.isUnresolved(prefix) && (path === prefix || path.startsWith(`${prefix}/`))) {
    throw new HaValidationError(scope, {
      prop: 'options.heartbeatPath', received: path,
      expected: `a path outside pathPrefix (${prefix}): the helper's own function would answer the heartbeat, so a failed site would look healthy`,
    });
  }
  const required: Array<[keyof BrowserFailoverOptions, number, number, string]> = [
    ['heartbeatIntervalMs', 100, MAX_MS, 'milliseconds between two heartbeats, at least 100 (5000 by default)'],
    ['heartbeatTimeoutMs', 1, MAX_MS, 'milliseconds a heartbeat may take, below heartbeatIntervalMs (3000 by default)'],
    ['missedHeartbeats', 1, 100, 'consecutive missed heartbeats that start the failover (3 by default)'],
    ['noticeMs', 0, MAX_MS, 'milliseconds the notice shows before the page moves (2000 by default)'],
  ];
  for (const [key, min, max, what] of required) {
    const value = requireDefined(scope, `options.${key}`, options[key], what, v => typeof v === 'number') as number;
    requireInteger(scope, `options.${key}`, value, min, max);
  }
  const { heartbeatIntervalMs: interval, heartbeatTimeoutMs: timeout } = options;
  if (!Token.isUnresolved(interval) && !Token.isUnresolved(timeout) && timeout >= interval) {
    throw new HaValidationError(scope, {
      prop: 'options.heartbeatTimeoutMs', received: timeout,
      expected: `a timeout below options.heartbeatIntervalMs (${interval}), so heartbeats never overlap`,
    });
  }
}

/** The helpers on each listener, in creation order. */
const HELPERS = new WeakMap<elbv2.IApplicationListener, BrowserFailoverHelper[]>();

/**
 * The id of the helper's rule on the listener (`BrowserFailoverHelper`, then
 * `BrowserFailoverHelper2`...), after checking that no other helper serves
 * the same prefix there and no other rule of the listener has the priority.
 */
function listenerRuleId(helper: BrowserFailoverHelper, listener: elbv2.IApplicationListener, prefix: string, priority: number): string {
  const others = HELPERS.get(listener) ?? [];
  const same = others.find(h => h.startPath === `${prefix}/start.js`);
  if (same) {
    throw new HaValidationError(helper, {
      prop: 'pathPrefix', received: prefix,
      expected: `a prefix no other helper serves on ${listener.node.path}: ${same.node.path} serves ${prefix}/* there ` +
        '(ActiveSpareWebTier adds one to each site: use tier.browserFailoverHelpers, or give this one another pathPrefix and priority)',
    });
  }
  if (!Token.isUnresolved(priority)) {
    for (const rule of listener.node.children) {
      const cfn = rule.node.defaultChild;
      if (!(cfn instanceof elbv2.CfnListenerRule)) continue;
      if (Stack.of(cfn).resolve(cfn.priority) === priority) {
        throw new HaValidationError(helper, {
          prop: 'priority', received: priority,
          expected: `a priority no other rule of ${listener.node.path} has (a listener's rule priorities are unique): ${rule.node.path} has ${priority}`,
        });
      }
    }
  }
  HELPERS.set(listener, [...others, helper]);
  return others.length === 0 ? 'BrowserFailoverHelper' : `BrowserFailoverHelper${others.length + 1}`;
}
