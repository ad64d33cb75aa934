import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { ActiveSpareWebTierPath, ActiveSpareWebTier, SpareMode } from '../../lib';
import { ExampleContext } from '../context';

/**
 * The agent desktop: active in the primary region with N+1 = 3 tasks, a
 * warm spare (1 task) in the secondary region, `agents.<zone>` failing over
 * between `agents.<region>.<zone>` site names, HTTPS everywhere, and the
 * browser failover helper's settings. The targets make synthesis fail if
 * the settings cannot move clients within 90 s by DNS and 30 s in the browser.
 */
export function addAgentWebTier(ctx: ExampleContext): ActiveSpareWebTier {
  const { primaryRegion, secondaryRegion } = ctx.settings;
  // One stack per region; the tier lives in the primary's and places its spare in the other.
  const primary = ctx.stack('Web-Primary', primaryRegion, { description: `${ctx.name}: primary (active) site of the agent desktop` });
  const spare = ctx.stack('Web-Spare', secondaryRegion, { description: `${ctx.name}: warm spare site of the agent desktop` });
  // Route 53 health-check alarms live in us-east-1: a stack of their own unless a site is there.
  const dnsStack = [primaryRegion, secondaryRegion].includes('us-east-1')
    ? undefined
    : ctx.stack('Web-Dns', 'us-east-1', { description: `${ctx.name}: DNS names, health checks and their alarms` });
  return new ActiveSpareWebTier(primary, 'Web', {
    spares: [{ stack: spare }],
    dnsStack,
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable-alpine'),
    // nginx answers / with 200; a real desktop exposes a cheap /health.
    healthCheckPath: '/',
    activeCapacity: 2,
    spareMode: SpareMode.WARM,
    warmCapacity: 1,
    zone: ctx.zone,
    recordName: 'agents',
    notifications: ctx.notifications,
    dashboard: ctx.dashboard,
    recoveryTargets: {
      paths: [
        { path: ActiveSpareWebTierPath.DNS, rto: Duration.seconds(60) },
        { path: ActiveSpareWebTierPath.BROWSER, rto: Duration.seconds(30) },
      ],
    },
  });
}
