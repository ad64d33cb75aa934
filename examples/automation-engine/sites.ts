import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { MultiSiteActiveActive } from '../../lib';
import { ExampleContext } from '../context';

/**
 * The automation engine's sites: all nodes active in the primary and
 * secondary regions (plus `-c thirdRegion=...`), `engine.<zone>` resolving
 * to the client's nearest healthy site. `-c standbySites=us-east-1` (a
 * comma-separated list of regions) puts sites in hot standby: running, not
 * served, used automatically when every active site fails. Site stacks
 * deploy one at a time (rolling, circuit breaker, rollback on the 5xx alarm).
 */
export function addAutomationSites(ctx: ExampleContext): MultiSiteActiveActive {
  const { settings } = ctx;
  const regions = [settings.primaryRegion, settings.secondaryRegion];
  if (settings.thirdRegion) regions.push(settings.thirdRegion);
  const standby = String(ctx.app.node.tryGetContext('standbySites') ?? '').split(',').map(s => s.trim()).filter(Boolean);

  // Route 53 health-check metrics (and the alarms on them) exist only in us-east-1.
  const dns = ctx.stack('Dns', 'us-east-1', { description: `${ctx.name}: engine.<zone> latency/failover records, health checks and their alarms` });
  return new MultiSiteActiveActive(dns, 'Engine', {
    zone: ctx.zone,
    recordName: 'engine',
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable-alpine'),
    // nginx answers / with 200; a real engine node exposes a cheap /health.
    healthCheckPath: '/',
    sites: regions.map(region => ({
      stack: ctx.stack(`Site-${region}`, region, { description: `${ctx.name}: engine nodes in ${region}` }),
      standby: standby.includes(region),
    })),
    notifications: ctx.notifications,
    dashboard: ctx.dashboard,
    recoveryTargets: { rto: Duration.minutes(2) },
  });
}
