import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import { WebTierSite } from '../../lib';
import { ExampleContext } from '../context';

/**
 * The workforce web application: one region behind a load balancer, N+1 = 3
 * tasks across two zones, HTTPS at `wfm.<zone>`. The per-region building
 * block of the active-spare tier, used on its own.
 */
export function addWorkforceWebApplication(ctx: ExampleContext): WebTierSite {
  const stack = ctx.stack('Web', ctx.settings.primaryRegion, { description: `${ctx.name}: load-balanced web application` });
  const domainName = `wfm.${ctx.zone.zoneName}`;
  const certificate = new acm.Certificate(stack, 'Certificate', {
    domainName,
    validation: acm.CertificateValidation.fromDns(ctx.zone),
  });
  const site = new WebTierSite(stack, 'WebApplication', {
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable-alpine'),
    healthCheckPath: '/',
    activeCapacity: 2,
    certificate,
    notifications: ctx.notifications,
    dashboard: ctx.dashboard,
  });
  new route53.ARecord(stack, 'Record', {
    zone: ctx.zone,
    recordName: 'wfm',
    target: route53.RecordTarget.fromAlias(new route53Targets.LoadBalancerTarget(site.loadBalancer)),
  });
  return site;
}
