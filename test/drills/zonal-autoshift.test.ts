import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { DisasterRecoveryApproach, DrillKind, DrillPurpose, ResiliencePolicy, ResiliencePolicyProps, ZonalAutoshift, ZonalAutoshiftProps } from '../../lib';
import { testApp, testEnv } from '../harness';

const purpose: DrillPurpose = { paths: [], scenario: 'zone-loss of eu-west-1', proves: 'the site serves from one zone', passes: 'SUCCEEDED' };

function setup() {
  const app = testApp();
  const stack = new Stack(app, 'S', { env: testEnv() });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }] });
  const lb = new elbv2.ApplicationLoadBalancer(stack, 'Lb', { vpc, internetFacing: true });
  const alarm = new cloudwatch.Alarm(stack, 'Hurt', { metric: new cloudwatch.Metric({ namespace: 'N', metricName: 'M' }), threshold: 1, evaluationPeriods: 1 });
  return { app, stack, lb, alarm };
}

describe('ZonalAutoshift', () => {
  const { stack, lb, alarm } = setup();
  const autoshift = new ZonalAutoshift(stack, 'Autoshift', { loadBalancer: lb, outcomeAlarms: [alarm], blockedWindows: ['Mon:09:00-Mon:17:00'], blockedDates: ['2026-12-24'], purpose });
  const template = Template.fromStack(stack);

  test('turns autoshift on for the load balancer, practice runs judged by the outcome alarm, outside the blocked windows and dates', () => {
    template.hasResourceProperties('AWS::ARCZonalShift::ZonalAutoshiftConfiguration', {
      ResourceIdentifier: { Ref: Match.stringLikeRegexp('^Lb') },
      ZonalAutoshiftStatus: 'ENABLED',
      PracticeRunConfiguration: {
        OutcomeAlarms: [{ AlarmIdentifier: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Hurt'), 'Arn'] }, Type: 'CLOUDWATCH' }],
        BlockingAlarms: Match.absent(),
        BlockedWindows: ['Mon:09:00-Mon:17:00'],
        BlockedDates: ['2026-12-24'],
      },
    });
  });

  test('turns the load balancer\'s ARC zonal shift integration on', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'zonal_shift.config.enabled', Value: 'true' }]),
    });
  });

  test('outputs the command that starts a practice run now', () => {
    template.hasOutput('*', { Value: { 'Fn::Join': ['', [
      'aws arc-zonal-shift start-practice-run --region eu-west-1 --resource-identifier ', { Ref: Match.stringLikeRegexp('^Lb') },
      ' --away-from "$(aws ec2 describe-availability-zones --region eu-west-1 --zone-names eu-west-1a --query "AvailabilityZones[0].ZoneId" --output text)" --comment "cdk-ha-patterns drill S/Autoshift"',
    ]] } });
    expect(autoshift.startCommand).toContain('aws arc-zonal-shift start-practice-run --region eu-west-1');
  });

  test('describes an on-demand practice run away from the first zone of the load balancer\'s VPC', () => {
    expect(autoshift.description).toMatchObject({ kind: DrillKind.ZONAL_AUTOSHIFT, region: 'eu-west-1', scenario: 'zone-loss of eu-west-1' });
    expect(autoshift.description.startCommand).toMatch(/^aws arc-zonal-shift start-practice-run --region eu-west-1 --resource-identifier "\$\(aws cloudformation describe-stacks .*\)" --away-from "\$\(aws ec2 describe-availability-zones --region eu-west-1 --zone-names eu-west-1a --query "AvailabilityZones\[0\]\.ZoneId" --output text\)" --comment "cdk-ha-patterns drill S\/Autoshift"$/);
  });
});

describe('ZonalAutoshift validation', () => {
  const build = (change: (s: ReturnType<typeof setup>) => Partial<ZonalAutoshiftProps>) => () => {
    const s = setup();
    new ZonalAutoshift(s.stack, 'Autoshift', { loadBalancer: s.lb, outcomeAlarms: [s.alarm], purpose, ...change(s) });
  };
  test.each([
    ['no outcome alarm', () => ({ outcomeAlarms: [] }), /invalid prop 'outcomeAlarms': received \[\]; expected at least one alarm/],
    ['a window over two days', () => ({ blockedWindows: ['Mon:22:00-Tue:02:00'] }), /invalid prop 'blockedWindows\[0\]': received "Mon:22:00-Tue:02:00"; expected a window on one day, in UTC, start before end/],
    ['a window in capitals', () => ({ blockedWindows: ['MON:01:00-MON:03:00'] }), /invalid prop 'blockedWindows\[0\]': received "MON:01:00-MON:03:00"/],
    ['a window that ends before it starts', () => ({ blockedWindows: ['Fri:17:00-Fri:09:00'] }), /invalid prop 'blockedWindows\[0\]'/],
    ['a date in another format', () => ({ blockedDates: ['24/12/2026'] }), /invalid prop 'blockedDates\[0\]': received "24\/12\/2026"; expected a date in UTC as YYYY-MM-DD/],
    ['an outcome alarm in another region', (s: ReturnType<typeof setup>) => ({
      outcomeAlarms: [new cloudwatch.Alarm(new Stack(s.app, 'O', { env: testEnv('us-east-1') }), 'Far', { metric: new cloudwatch.Metric({ namespace: 'N', metricName: 'M' }), threshold: 1, evaluationPeriods: 1 })],
    }), /invalid prop 'outcomeAlarms\[0\]': received "O\/Far in us-east-1"; expected an alarm in the load balancer's region, eu-west-1/],
  ])('fails on %s', (_name, change, message) => {
    expect(build(change as (s: ReturnType<typeof setup>) => Partial<ZonalAutoshiftProps>)).toThrow(message);
  });
});

describe('ResiliencePolicy', () => {
  test('states multi-AZ and multi-region RTO and RPO in whole minutes (rounded up) with the DR approaches', () => {
    const { stack } = setup();
    new ResiliencePolicy(stack, 'Policy', {
      multiAz: { approach: DisasterRecoveryApproach.HOT_STANDBY, rto: Duration.seconds(35), rpo: Duration.seconds(0) },
      multiRegion: { approach: DisasterRecoveryApproach.WARM_STANDBY, rto: Duration.seconds(170), rpo: Duration.seconds(61) },
      availabilityTarget: 99.95,
    });
    Template.fromStack(stack).hasResourceProperties('AWS::ResilienceHubV2::Policy', {
      Name: Match.stringLikeRegexp('^[A-Za-z0-9][A-Za-z0-9_-]{1,59}$'),
      MultiAz: { DisasterRecoveryApproach: 'HOT_STANDBY', RtoInMinutes: 1, RpoInMinutes: 0 },
      MultiRegion: { DisasterRecoveryApproach: 'WARM_STANDBY', RtoInMinutes: 3, RpoInMinutes: 2 },
      AvailabilitySlo: { Target: 99.95 },
    });
  });

  test.each([
    ['no target at all', {}, /invalid prop 'props'.*expected at least one of multiAz, multiRegion or availabilityTarget/],
    ['an availability of 100 %', { availabilityTarget: 100 }, /invalid prop 'availabilityTarget': received 100; expected a percentage above 0 and below 100/],
    ['an unknown approach', { multiAz: { approach: 'SOMETIMES' as DisasterRecoveryApproach, rto: Duration.minutes(1), rpo: Duration.minutes(0) } },
      /invalid prop 'multiAz\.approach': received "SOMETIMES"; expected one of DisasterRecoveryApproach\.ACTIVE_ACTIVE/],
    ['a missing RTO', { multiRegion: { approach: DisasterRecoveryApproach.PILOT_LIGHT, rpo: Duration.minutes(1) } },
      /invalid prop 'multiRegion\.rto': received undefined; expected a Duration/],
    ['a name Resilience Hub rejects', { policyName: '-bad name', availabilityTarget: 99 }, /invalid prop 'policyName': received "-bad name"/],
  ])('fails on %s', (_name, props, message) => {
    const { stack } = setup();
    expect(() => new ResiliencePolicy(stack, 'Policy', props as ResiliencePolicyProps)).toThrow(message);
  });
});
