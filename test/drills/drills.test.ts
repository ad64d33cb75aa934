import { CfnResource, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import {
  ActiveActiveCells, ActiveSpareWebTier, ColdStandbyConfigServer, Drills, DrillsProps, DrillKind, HaDatabase, HaPattern, HotStandbyConsumer,
  MultiSiteActiveActive, RecoveryTargets, RegionFailoverRunner, SingletonDaemon, StandbyServerRole, WarmStandbyPair, WarmStandbyPairPath, WorkerPool,
} from '../../lib';
import { peeredVpcs } from '../config-server/site-vpc';
import { testApp, testEnv } from '../harness';
import { FIXTURES } from '../pattern-fixtures';

function build<T extends HaPattern>(name: string, props: DrillsProps = {}, targets?: RecoveryTargets) {
  const app = testApp();
  const pattern = FIXTURES[name](app, targets) as T;
  const drills = new Drills(Stack.of(pattern), 'Drills', props);
  const template = (stackName: string) => Template.fromStack(app.node.findChild(stackName) as Stack);
  return { app, pattern, drills, template };
}

const partition = { Ref: 'AWS::Partition' };
const arn = (...parts: unknown[]) => ({ 'Fn::Join': ['', ['arn:', partition, ...parts]] });

describe('Drills of a SingletonDaemon', () => {
  const { app, pattern, drills, template } = build<SingletonDaemon>('SingletonDaemon');
  const stack = Stack.of(pattern);

  test('stops the lease holder\'s task, found when it runs (task-loss), in its stack, stopping when its failover alarm fires', () => {
    expect(drills.experiments.map(e => e.node.path)).toEqual([expect.stringMatching(/^S\/Drills\/Etl[0-9A-F]{8}\/TaskLoss$/)]);
    const [experiment] = drills.experiments;
    const runbook = experiment.node.findChild('Step1StopLeaseHolder').node.defaultChild as CfnResource;
    template('S').hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      // Not a stop-task of a service chosen at synthesis: after a takeover that would stop the idle standby.
      Actions: {
        Step1StopLeaseHolder: Match.objectLike({
          ActionId: 'aws:ssm:start-automation-execution',
          Parameters: { documentArn: arn(':ssm:eu-west-1:123456789012:document/', stack.resolve(runbook.ref)), maxDuration: 'PT5M' },
        }),
        Step2Wait: Match.objectLike({ ActionId: 'aws:fis:wait', StartAfter: ['Step1StopLeaseHolder'] }),
      },
      Targets: {},
      StopConditions: [{ Source: 'aws:cloudwatch:alarm', Value: stack.resolve(pattern.failoverAlarm.alarmArn) }],
      Tags: { 'cdk-ha-patterns:paths': 'task-failure', 'cdk-ha-patterns:scenario': 'task-loss of eu-west-1', 'Name': Match.anyValue() },
    });
  });

  test('describes the drill: what it proves, the figure to compare, the command that starts it', () => {
    const [d] = Drills.describe(app);
    expect(d).toMatchObject({
      kind: DrillKind.FAULT_INJECTION, patternPath: 'S/Etl', patternName: 'SingletonDaemon', paths: ['task-failure'],
      scenario: 'task-loss of eu-west-1', expectedRecoverySeconds: pattern.takeoverTime.toSeconds(),
    });
    expect(d.proves).toContain(`within ${pattern.takeoverTime.toSeconds()} s`);
    expect(d.startCommand).toMatch(/^aws fis start-experiment --region eu-west-1 --experiment-template-id "\$\(aws cloudformation describe-stacks/);
    expect(drills.descriptions).toEqual(Drills.describe(app));
  });

  test('a Resilience Hub policy: pilot light in the region (nothing runs in standby), RTO from the computed worst case', () => {
    template('S').hasResourceProperties('AWS::ResilienceHubV2::Policy', {
      MultiAz: { DisasterRecoveryApproach: 'PILOT_LIGHT', RtoInMinutes: Math.ceil(pattern.takeoverTime.toSeconds() / 60), RpoInMinutes: 0 },
      MultiRegion: Match.absent(),
    });
  });
});

describe('Drills of a HotStandbyConsumer', () => {
  const { pattern, template } = build<HotStandbyConsumer>('HotStandbyConsumer');
  const stack = Stack.of(pattern);

  test('stops the leader\'s task only, found in the lease item when it runs: not consumer A then B', () => {
    template('S').hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      Actions: {
        Step1StopLeaseHolder: Match.objectLike({ ActionId: 'aws:ssm:start-automation-execution' }),
        Step2Wait: Match.objectLike({ ActionId: 'aws:fis:wait', StartAfter: ['Step1StopLeaseHolder'] }),
      },
      Targets: {},
      StopConditions: [{ Source: 'aws:cloudwatch:alarm', Value: stack.resolve(pattern.failoverAlarm.alarmArn) }],
      Tags: Match.objectLike({ 'cdk-ha-patterns:scenario': 'task-loss of eu-west-1' }),
    });
    template('S').hasResourceProperties('AWS::SSM::Document', {
      Content: Match.objectLike({ mainSteps: [
        Match.objectLike({ name: 'ReadLease', inputs: Match.objectLike({ TableName: stack.resolve(pattern.leaseTable.table.tableName), Key: { pk: { S: pattern.leaseName } } }) }),
        Match.objectLike({ name: 'StopHolder', inputs: Match.objectLike({ cluster: stack.resolve(pattern.cluster.clusterName), task: '{{ ReadLease.HolderTask }}' }) }),
      ] }),
    });
  });

  test('cuts consumer A\'s zone off, then consumer B\'s, each for twice the takeover time (at least 2 minutes)', () => {
    const [za, zb] = pattern.availabilityZones;
    const subnets = (zone: string) => [...pattern.cluster.vpc.publicSubnets, ...pattern.cluster.vpc.privateSubnets, ...pattern.cluster.vpc.isolatedSubnets]
      .filter(s => s.availabilityZone === zone).map(s => arn(':ec2:eu-west-1:123456789012:subnet/', stack.resolve(s.subnetId)));
    template('S').hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      Actions: {
        Step1DisruptZone: Match.objectLike({ ActionId: 'aws:network:disrupt-connectivity', Parameters: { duration: 'PT2M', scope: 'all' } }),
        Step2Wait: Match.objectLike({ Parameters: { duration: 'PT1M' } }),
        Step3DisruptZone: Match.objectLike({ ActionId: 'aws:network:disrupt-connectivity', StartAfter: ['Step2Wait'] }),
      },
      Targets: { Step1Subnets: Match.objectLike({ ResourceArns: subnets(za) }), Step3Subnets: Match.objectLike({ ResourceArns: subnets(zb) }) },
      Tags: Match.objectLike({ 'cdk-ha-patterns:scenario': 'zone-loss of eu-west-1' }),
    });
  });
});

describe('Drills of an ActiveSpareWebTier', () => {
  const { app, pattern, drills, template } = build<ActiveSpareWebTier>('ActiveSpareWebTier');
  const primary = Stack.of(pattern.primary);
  const spare = Stack.of(pattern.spares[0]);
  const dns = pattern.dnsFailoverTime.toSeconds();

  test('region loss: stops every task of the primary site, stopping when its load balancer still fails clients after the paths\' worst case', () => {
    template('Primary').hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      Actions: { Step1StopTasks: Match.objectLike({ ActionId: 'aws:ecs:stop-task' }) },
      Targets: { Step1Tasks: { ResourceType: 'aws:ecs:task', SelectionMode: 'ALL', Parameters: {
        cluster: primary.resolve(pattern.primary.cluster.clusterName), service: primary.resolve(pattern.primary.service.serviceName),
      } } },
      StopConditions: [{ Source: 'aws:cloudwatch:alarm', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DrillsWeb[0-9A-F]{8}RegionLossGuardAlarm'), 'Arn'] } }],
      Tags: Match.objectLike({ 'cdk-ha-patterns:paths': 'dns browser', 'cdk-ha-patterns:scenario': 'region-loss of eu-west-1' }),
    });
    const minutes = Math.ceil(Math.max(dns, pattern.browserFailoverTime.toSeconds()) / 60) + 1;
    template('Primary').hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApplicationELB', MetricName: 'HTTPCode_ELB_5XX_Count', Statistic: 'Sum', Period: 60,
      Dimensions: [{ Name: 'LoadBalancer', Value: primary.resolve(pattern.primary.loadBalancer.loadBalancerFullName) }],
      Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: minutes, DatapointsToAlarm: minutes, TreatMissingData: 'notBreaching',
    });
  });

  test('task and zone loss of the N+1 primary site, stopping on the site\'s failover alarm; the spare (1 task) is a gap, with the reason', () => {
    template('Primary').hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      Targets: { Step1Tasks: Match.objectLike({ SelectionMode: 'COUNT(1)' }) },
      StopConditions: [{ Source: 'aws:cloudwatch:alarm', Value: primary.resolve(pattern.primary.failoverAlarm.alarmArn) }],
      Tags: Match.objectLike({ 'cdk-ha-patterns:paths': 'task' }),
    });
    const [az] = pattern.primary.vpc.availabilityZones;
    template('Primary').hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      Actions: { Step1DisruptZone: Match.objectLike({ ActionId: 'aws:network:disrupt-connectivity' }) },
      StopConditions: [{ Source: 'aws:cloudwatch:alarm', Value: primary.resolve(pattern.primary.failoverAlarm.alarmArn) }],
      Description: Match.stringLikeRegexp(`in ${az} off the network`),
      Tags: Match.objectLike({ 'cdk-ha-patterns:paths': 'zone', 'cdk-ha-patterns:scenario': 'zone-loss of eu-west-1' }),
    });
    expect(drills.gaps).toEqual([
      expect.objectContaining({ path: 'task', scenario: 'task-loss of us-east-1', reason: expect.stringContaining('a spare') }),
      expect.objectContaining({ path: 'zone', scenario: 'zone-loss of us-east-1', reason: expect.stringContaining('a spare') }),
    ]);
  });

  test('Region switch plan in the spare\'s region: scale the spare (the tier\'s own function), then move the name; RTO from the DNS path', () => {
    const scaleUp = pattern.scaleUpFunctions[0];
    template('Spare').hasResourceProperties('AWS::ARCRegionSwitch::Plan', {
      Regions: ['eu-west-1', 'us-east-1'], PrimaryRegion: 'eu-west-1',
      RecoveryTimeObjectiveMinutes: Math.ceil(Math.max(dns, pattern.browserFailoverTime.toSeconds()) / 60),
      Workflows: [{ WorkflowTargetAction: 'activate', WorkflowTargetRegion: 'us-east-1', WorkflowDescription: Match.anyValue(), Steps: [
        Match.objectLike({ Name: 'run-automation', ExecutionBlockType: 'CustomActionLambda', ExecutionBlockConfiguration: { CustomActionLambdaConfig: Match.objectLike({
          Lambdas: [{ Arn: spare.resolve(scaleUp.functionArn), Payload: JSON.stringify({ 'source': 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change', 'detail': { alarmName: 'Primary-Web-failover', state: { value: 'ALARM' } } }) }],
          RegionToRun: 'activatingRegion',
        }) } }),
        Match.objectLike({ Name: 'move-dns', ExecutionBlockType: 'Route53HealthCheck', ExecutionBlockConfiguration: { Route53HealthCheckConfig: {
          HostedZoneId: 'Z1', RecordName: 'agents.example.com',
          RecordSets: [{ RecordSetIdentifier: 'eu-west-1', Region: 'eu-west-1' }, { RecordSetIdentifier: 'us-east-1', Region: 'us-east-1' }],
        } } }),
      ] }, {
        // The failback moves the name back, then the spare's own function, in the region the failback leaves, scales it back.
        WorkflowTargetAction: 'activate', WorkflowTargetRegion: 'eu-west-1', WorkflowDescription: Match.anyValue(), Steps: [
          Match.objectLike({ Name: 'move-dns' }),
          Match.objectLike({ Name: 'scale-back-spare', ExecutionBlockType: 'CustomActionLambda', ExecutionBlockConfiguration: { CustomActionLambdaConfig: Match.objectLike({
            Lambdas: [{ Arn: spare.resolve(scaleUp.functionArn), Payload: JSON.stringify({ action: 'scale-back' }) }], RegionToRun: 'deactivatingRegion',
          }) } }),
        ],
      }],
      AssociatedAlarms: {
        'trigger-1': { AlarmType: 'trigger', ResourceIdentifier: arn(':cloudwatch:eu-west-1:123456789012:alarm:Primary-Web-failover') },
        'health-1': { AlarmType: 'applicationHealth', ResourceIdentifier: spare.resolve(pattern.spares[0].failoverAlarm.alarmArn) },
      },
      Triggers: Match.absent(),
    });
  });

  test('attaches the plan\'s Route 53 health checks to the records (no warning that they move nothing)', () => {
    const plan = drills.plans[0];
    const warnings = plan.node.metadata.filter(m => m.type === 'aws:cdk:warning').map(m => String(m.data));
    expect(warnings).toEqual([]);
    template('Spare').resourcePropertiesCountIs('AWS::Route53::HealthCheck', { HealthCheckConfig: Match.objectLike({ Type: 'CALCULATED' }) }, 2);
  });

  test('policies: warm standby across regions for the tier, none of its own for its sites and DNS (parts of the tier)', () => {
    expect(drills.policies.map(p => p.node.path)).toEqual([expect.stringMatching(/^Primary\/Drills\/Web[0-9A-F]{8}\/ResiliencePolicy$/)]);
    template('Primary').hasResourceProperties('AWS::ResilienceHubV2::Policy', {
      MultiRegion: { DisasterRecoveryApproach: 'WARM_STANDBY', RtoInMinutes: Math.ceil(Math.max(dns, pattern.browserFailoverTime.toSeconds()) / 60), RpoInMinutes: 0 },
    });
    expect(Drills.describe(app).map(d => d.kind).sort()).toEqual([DrillKind.FAULT_INJECTION, DrillKind.FAULT_INJECTION, DrillKind.FAULT_INJECTION, DrillKind.REGION_SWITCH]);
  });
});

describe('Drills of an HaDatabase with a secondary region', () => {
  const { pattern, template } = build<HaDatabase>('HaDatabase', {}, { rto: Duration.minutes(6), rpo: Duration.seconds(30) });
  const stack = Stack.of(pattern);

  test('writer loss: fails the Aurora cluster over, stopping on the database\'s failover alarm', () => {
    template('Primary').hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      Actions: { Step1FailoverCluster: Match.objectLike({ ActionId: 'aws:rds:failover-db-cluster' }) },
      Targets: { Step1Clusters: { ResourceType: 'aws:rds:cluster', SelectionMode: 'ALL', ResourceArns: [stack.resolve(pattern.cluster!.clusterArn)] } },
      StopConditions: [{ Source: 'aws:cloudwatch:alarm', Value: stack.resolve(pattern.failoverAlarm.alarmArn) }],
    });
  });

  test('Region switch plan in the secondary region: promote the global database, RTO from the cross-region path', () => {
    template('Secondary').hasResourceProperties('AWS::ARCRegionSwitch::Plan', {
      RecoveryTimeObjectiveMinutes: Math.ceil(pattern.crossRegionRto!.toSeconds() / 60),
      Workflows: [
        Match.objectLike({ WorkflowTargetRegion: 'us-east-1', Steps: [Match.objectLike({ Name: 'promote-database', ExecutionBlockType: 'AuroraGlobalDatabase' })] }),
        Match.objectLike({ WorkflowTargetRegion: 'eu-west-1', Steps: [Match.objectLike({ Name: 'promote-database', ExecutionBlockType: 'AuroraGlobalDatabase' })] }),
      ],
      // The secondary region's probe alarm, named but not acted on: the library's own rule promotes the secondary.
      AssociatedAlarms: { 'trigger-1': { AlarmType: 'trigger', ResourceIdentifier: Stack.of(pattern.secondary!).resolve(pattern.writerProbeAlarm!.alarmArn) } },
      Triggers: Match.absent(),
    });
  });

  test('the policy states the recovery targets where the user gave them: hot standby in the region, warm standby across', () => {
    template('Primary').hasResourceProperties('AWS::ResilienceHubV2::Policy', {
      MultiAz: { DisasterRecoveryApproach: 'HOT_STANDBY', RtoInMinutes: 6, RpoInMinutes: 1 },
      MultiRegion: { DisasterRecoveryApproach: 'WARM_STANDBY', RtoInMinutes: 6, RpoInMinutes: 1 },
      Description: Match.stringLikeRegexp('RTO from the stated recovery targets, RPO stated'),
    });
  });
});

describe('Drills of a ColdStandbyConfigServer', () => {
  const { pattern, drills, template } = build<ColdStandbyConfigServer>('ColdStandbyConfigServer');
  const standby = Stack.of(pattern.standbySite);

  test('reads: pauses replication of the standby\'s replica for 5 minutes, stopping when the standby\'s proxies are down', () => {
    const proxyDown = pattern.alarms.find(a => a.node.scope === pattern.standbySite && a.node.id === 'ProxyDownAlarm')!;
    template('Secondary').hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      Actions: { Step1PauseReplication: Match.objectLike({ ActionId: 'aws:dynamodb:global-table-pause-replication', Parameters: { duration: 'PT5M' } }) },
      Targets: { Step1Tables: { ResourceType: 'aws:dynamodb:global-table', SelectionMode: 'ALL', ResourceArns: [arn(':dynamodb:us-east-1:123456789012:table/config')] } },
      StopConditions: [{ Source: 'aws:cloudwatch:alarm', Value: standby.resolve(proxyDown.alarmArn) }],
      Tags: Match.objectLike({ 'cdk-ha-patterns:paths': 'reads' }),
    });
  });

  test('writes: a Region switch plan that runs the turn-on in the standby region and fails back with the failback function in the primary; no FIS drill for the loss of the live server, and the gap says why', () => {
    const step = Match.objectLike({ Name: 'run-automation', ExecutionBlockConfiguration: { CustomActionLambdaConfig: Match.objectLike({
      Lambdas: [
        Match.objectLike({ Arn: standby.resolve(pattern.turnOnFunction.functionArn) }),
        Match.objectLike({ Arn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, Match.stringLikeRegexp(':lambda:eu-west-1:123456789012:function:.*-failback$')]] } }),
      ],
    }) } });
    template('Secondary').hasResourceProperties('AWS::ARCRegionSwitch::Plan', {
      RecoveryTimeObjectiveMinutes: Math.ceil(pattern.writeRto.toSeconds() / 60),
      Workflows: [
        Match.objectLike({ WorkflowTargetRegion: 'us-east-1', Steps: [step] }),
        Match.objectLike({ WorkflowTargetAction: 'activate', WorkflowTargetRegion: 'eu-west-1', Steps: [step] }),
      ],
      // The standby region's probe alarm, named but not acted on: the library's own rule turns the standby on.
      AssociatedAlarms: { 'trigger-1': { AlarmType: 'trigger', ResourceIdentifier: standby.resolve(pattern.serverProbeAlarm.alarmArn) } },
      Triggers: Match.absent(),
    });
    expect(drills.gaps).toContainEqual(expect.objectContaining({ path: 'writes', scenario: 'primary-server-loss of eu-west-1' }));
  });
});

describe('Drills of patterns whose failover runs as their own Region switch plan', () => {
  const twoRegions = () => {
    const app = testApp();
    const stack = (id: string, region: string) => new Stack(app, id, { env: testEnv(region), crossRegionReferences: true });
    return { app, primary: stack('Primary', 'eu-west-1'), secondary: stack('Secondary', 'us-east-1') };
  };

  test('the pattern\'s plan is the drill: Drills adds no second plan and lists the pattern\'s', () => {
    const { app, primary, secondary } = twoRegions();
    const { primaryVpc, secondaryVpc } = peeredVpcs(primary, secondary);
    const config = new ColdStandbyConfigServer(primary, 'Config', {
      vpc: primaryVpc, image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
      zone: new route53.PublicHostedZone(primary, 'Zone', { zoneName: 'example.com' }),
      standby: { stack: secondary, vpc: secondaryVpc }, tableName: 'config',
      failoverRunner: RegionFailoverRunner.REGION_SWITCH_PLAN,
    });
    const drills = new Drills(Stack.of(config), 'Drills');
    Template.fromStack(Stack.of(config.standbySite)).resourceCountIs('AWS::ARCRegionSwitch::Plan', 1);
    expect(drills.plans).toEqual([config.regionSwitchPlan]);
    expect(drills.gaps.filter(g => g.path === 'writes' && g.scenario === 'region-loss of eu-west-1')).toEqual([]);
    expect(Drills.describe(app).filter(d => d.kind === DrillKind.REGION_SWITCH).map(d => d.constructPath)).toEqual([config.regionSwitchPlan!.node.path]);
  });

  test('the web tier\'s plans are the drills: one plan per spare stack, listed by Drills', () => {
    const { primary, secondary: spare } = twoRegions();
    const tier = new ActiveSpareWebTier(primary, 'Web', {
      spares: [{ stack: spare }], image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'), activeCapacity: 2,
      zone: new route53.PublicHostedZone(primary, 'Zone', { zoneName: 'example.com' }), recordName: 'agents',
      failoverRunner: RegionFailoverRunner.REGION_SWITCH_PLAN,
    });
    const drills = new Drills(primary, 'Drills');
    Template.fromStack(spare).resourceCountIs('AWS::ARCRegionSwitch::Plan', 1);
    expect(tier.regionSwitchPlans).toHaveLength(1);
    expect(drills.plans).toEqual(tier.regionSwitchPlans);
  });
});

describe('Drills of a WarmStandbyPair', () => {
  const { pattern, drills, template } = build<WarmStandbyPair>('WarmStandbyPair', { zonalAutoshift: true });
  const stack = Stack.of(pattern);
  const stop = [{ Source: 'aws:cloudwatch:alarm', Value: stack.resolve(pattern.secondaryOfflineAlarm.alarmArn) }];

  test('primary server loss and loss of the primary\'s zone, both stopping when the secondary is offline', () => {
    template('S').hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      Targets: { Step1Tasks: Match.objectLike({ SelectionMode: 'ALL', Parameters: Match.objectLike({ service: stack.resolve(pattern.service(StandbyServerRole.PRIMARY).serviceName) }) }) },
      StopConditions: stop,
    });
    // The zone cut-off proves the 'unresponsive' path (the primary's task keeps running, unreachable): the
    // primary's zone, for the path's worst case twice over (at least 2 minutes), tagged with that path.
    const zoneTotal = pattern.recoveryObjectives.path(WarmStandbyPairPath.UNRESPONSIVE).total.toSeconds();
    template('S').hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      Actions: { Step1DisruptZone: Match.objectLike({
        ActionId: 'aws:network:disrupt-connectivity',
        Parameters: { duration: `PT${Math.ceil(Math.max(120, 2 * zoneTotal) / 60)}M`, scope: 'all' },
      }) },
      StopConditions: stop,
      Tags: Match.objectLike({ 'cdk-ha-patterns:paths': 'unresponsive' }),
    });
  });

  test('no zonal autoshift for its load balancer (single-zone target groups): a gap with the reason, and no other gap', () => {
    expect(drills.autoshifts).toEqual([]);
    expect(drills.gaps).toEqual([
      expect.objectContaining({ scenario: 'zone-loss of eu-west-1', reason: expect.stringContaining('target group is in one zone') }),
    ]);
  });
});

describe('Drills of other patterns', () => {
  test('WorkerPool: stops one worker, stopping on its failover alarm', () => {
    const { pattern, template } = build<WorkerPool>('WorkerPool');
    template('S').hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      Targets: { Step1Tasks: Match.objectLike({ SelectionMode: 'COUNT(1)' }) },
      StopConditions: [{ Source: 'aws:cloudwatch:alarm', Value: Stack.of(pattern).resolve(pattern.failoverAlarm.alarmArn) }],
      Tags: Match.objectLike({ 'cdk-ha-patterns:paths': 'dead-worker' }),
    });
  });

  test('ActiveActiveCells: one task of the first cell, and its Aurora writer; zonal autoshift judged by the cells\' failover alarm', () => {
    const { pattern, drills, template } = build<ActiveActiveCells>('ActiveActiveCells', { zonalAutoshift: true, practiceRunBlockedWindows: ['Sat:00:00-Sat:06:00'] });
    const stack = Stack.of(pattern);
    expect(drills.experiments.map(e => e.node.id)).toEqual(['TaskLoss', 'WriterLoss']);
    template('S').hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      Targets: { Step1Clusters: Match.objectLike({ ResourceType: 'aws:rds:cluster' }) },
      Tags: Match.objectLike({ 'cdk-ha-patterns:paths': 'cell-database-writer' }),
    });
    template('S').hasResourceProperties('AWS::ARCZonalShift::ZonalAutoshiftConfiguration', {
      ResourceIdentifier: stack.resolve(pattern.loadBalancer.loadBalancerArn),
      PracticeRunConfiguration: { OutcomeAlarms: [{ AlarmIdentifier: stack.resolve(pattern.failoverAlarm.alarmArn), Type: 'CLOUDWATCH' }], BlockedWindows: ['Sat:00:00-Sat:06:00'] },
    });
  });

  test('MultiSiteActiveActive with a standby site: a site-outage drill per active region, a node drill; the plan and standby takeover are gaps', () => {
    const { pattern, drills, template } = build<MultiSiteActiveActive>('MultiSiteActiveActive');
    expect(drills.experiments.map(e => e.node.path)).toEqual([
      expect.stringMatching(/^Site0\/DnsDrills[0-9A-F]{8}\/Engine[0-9A-F]{8}\/RegionLossEuWest1$/),
      expect.stringMatching(/\/TaskLossEuWest1$/),
    ]);
    template('Site0').hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      Targets: { Step1Tasks: Match.objectLike({ SelectionMode: 'COUNT(1)' }) },
      StopConditions: [{ Source: 'aws:cloudwatch:alarm', Value: Stack.of(pattern.site('eu-west-1')).resolve(pattern.site('eu-west-1').deploymentAlarm.alarmArn) }],
    });
    expect(drills.plans).toEqual([]);
    expect(drills.gaps.map(g => g.path).sort()).toEqual(['site-outage', 'standby-takeover']);
  });

  test('MultiSiteActiveActive with two active sites: an active/active plan that moves the name away from the first region', () => {
    const app = testApp();
    const dnsStack = new Stack(app, 'Dns', { env: testEnv('us-east-1'), crossRegionReferences: true });
    const zone = route53.PublicHostedZone.fromHostedZoneAttributes(dnsStack, 'Zone', { hostedZoneId: 'Z2', zoneName: 'example.com' });
    const sites = ['eu-west-1', 'us-west-2'].map((r, i) => ({ stack: new Stack(app, `Site${i}`, { env: testEnv(r), crossRegionReferences: true }) }));
    const engine = new MultiSiteActiveActive(dnsStack, 'Engine', { zone, recordName: 'engine', image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'), sites });
    const drills = new Drills(dnsStack, 'Drills', { patterns: [engine] });
    Template.fromStack(dnsStack).hasResourceProperties('AWS::ARCRegionSwitch::Plan', {
      RecoveryApproach: 'activeActive', Regions: ['eu-west-1', 'us-west-2'], PrimaryRegion: Match.absent(),
      RecoveryTimeObjectiveMinutes: Math.ceil(engine.siteFailoverTime.toSeconds() / 60),
      Workflows: [Match.objectLike({ WorkflowTargetAction: 'deactivate', Steps: [Match.objectLike({ Name: 'move-dns', ExecutionBlockConfiguration: {
        Route53HealthCheckConfig: { HostedZoneId: 'Z2', RecordName: 'engine.example.com', RecordSets: [{ RecordSetIdentifier: 'eu-west-1', Region: 'eu-west-1' }, { RecordSetIdentifier: 'us-west-2', Region: 'us-west-2' }] },
      } })] }), Match.objectLike({ WorkflowTargetAction: 'activate', Steps: [Match.objectLike({ Name: 'move-dns' })] })],
      AssociatedAlarms: Match.objectLike({ 'trigger-1': Match.objectLike({ AlarmType: 'trigger' }), 'health-1': Match.objectLike({ AlarmType: 'applicationHealth' }), 'health-2': Match.anyValue() }),
    });
    expect(drills.plans[0].description.startCommand).toMatch(/--target-region eu-west-1 --action deactivate --mode graceful --comment '[^']+'$/);
    expect(drills.experiments.map(e => e.node.id)).toEqual(['RegionLossEuWest1', 'RegionLossUsWest2', 'TaskLossEuWest1']);
  });
});

describe('Drills options and placement', () => {
  test.each([
    ['faultInjection', { faultInjection: false }, 0, 1, 1],
    ['regionSwitchPlans', { regionSwitchPlans: false }, 1, 0, 1],
    ['resiliencePolicies', { resiliencePolicies: false }, 1, 1, 0],
  ])('%s: false leaves that kind out', (_name, props, experiments, plans, policies) => {
    const { drills } = build('HaDatabase', props);
    expect([drills.experiments.length, drills.plans.length, drills.policies.length]).toEqual([experiments, plans, policies]);
  });

  test('a scenario no drill exercises is a gap: with the plans off, the database\'s region loss', () => {
    const { drills } = build('HaDatabase', { regionSwitchPlans: false });
    expect(drills.gaps).toContainEqual(expect.objectContaining({ path: 'cross-region-failover', scenario: 'region-loss of eu-west-1', reason: expect.stringContaining('no drill is generated') }));
    expect(drills.gaps.every(g => g.reason.length > 0)).toBe(true);
  });

  test('drills live in the stacks of what they target, under one scope per Drills construct: two never collide', () => {
    const app = testApp();
    const daemon = FIXTURES.SingletonDaemon(app);
    const elsewhere = new Stack(app, 'Ops', { env: testEnv() });
    const first = new Drills(elsewhere, 'Drills', { patterns: [daemon] });
    const second = new Drills(elsewhere, 'MoreDrills', { patterns: [daemon], resiliencePolicies: false });
    expect(first.experiments[0].node.path).toMatch(/^S\/OpsDrills[0-9A-F]{8}\/Etl[0-9A-F]{8}\/TaskLoss$/);
    expect(second.experiments[0].node.path).toMatch(/^S\/OpsMoreDrills[0-9A-F]{8}\/Etl[0-9A-F]{8}\/TaskLoss$/);
    expect(Template.fromStack(elsewhere).findResources('AWS::FIS::ExperimentTemplate')).toEqual({});
  });

  test('by default drills every pattern of the app, with the patterns they are built of', () => {
    const app = testApp();
    const tier = FIXTURES.ActiveSpareWebTier(app) as ActiveSpareWebTier;
    const daemon = FIXTURES.SingletonDaemon(app);
    const drills = new Drills(new Stack(app, 'Ops', { env: testEnv() }), 'Drills');
    const drilled = new Set(drills.experiments.map(e => e.purpose.patternPath));
    expect([...drilled].sort()).toEqual([tier.node.path, tier.primary.node.path, daemon.node.path].sort());
  });
});

describe('Drills validation', () => {
  test.each([
    ['no pattern', { patterns: [] }, /invalid prop 'patterns': received \[\]; expected at least one pattern/],
    ['something else than a pattern', { patterns: [{}] as unknown as HaPattern[] }, /invalid prop 'patterns\[0\]': received \{\}; expected an HaPattern/],
    ['a fault of 10 seconds', { faultDuration: Duration.seconds(10) }, /invalid prop 'faultDuration': received 10 seconds; expected a duration from 30 seconds to 12 hours/],
    ['a blocked window across midnight', { practiceRunBlockedWindows: ['Sun:23:00-Mon:01:00'] }, /invalid prop 'practiceRunBlockedWindows\[0\]': received "Sun:23:00-Mon:01:00"/],
    ['an availability of 0 %', { availabilityTarget: 0 }, /invalid prop 'availabilityTarget': received 0; expected a percentage above 0 and below 100/],
  ])('fails on %s', (_name, props, message) => {
    const app = testApp();
    FIXTURES.SingletonDaemon(app);
    expect(() => new Drills(new Stack(app, 'Ops', { env: testEnv() }), 'Drills', props as DrillsProps)).toThrow(message);
  });
});
