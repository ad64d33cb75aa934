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
  return new ActiveSpareWebTier(ctx.app, `${ctx.name}-Web`, {
    account: ctx.settings.account,
    primaryRegion: ctx.settings.primaryRegion,
    spareRegions: [ctx.settings.secondaryRegion],
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
        { path: ActiveSpareWebTierPath.DNS, rto: Duration.seconds(90) },
        { path: ActiveSpareWebTierPath.BROWSER, rto: Duration.seconds(30) },
      ],
    },
  });
}
