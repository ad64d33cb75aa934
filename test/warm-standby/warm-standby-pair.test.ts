import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { FailoverNotifications, HaDashboard, StandbyServerRole, WarmStandbyPair, WarmStandbyPairPath, WarmStandbyPairProps } from '../../lib';
import { createHaVpc } from '../../lib/private/network';
import { formatFindings, gateFindings, testApp, testEnv } from '../harness';

const IMAGE = 'public.ecr.aws/docker/library/busybox:stable';

function build(app: App, props: Partial<WarmStandbyPairProps> = {}, vpcFactory?: (stack: Stack) => ec2.IVpc) {
  const stack = new Stack(app, 'Gw', { env: testEnv() });
  const vpc = vpcFactory ? vpcFactory(stack) : createHaVpc(stack, 'Vpc');
  const notifications = new FailoverNotifications(stack, 'Notifications', {
    emails: ['ops@example.com'], smsNumbers: ['+12025550123'], webhookUrls: ['https://hooks.example.com/ha'],
  });
  const zone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' });
  const dashboard = new HaDashboard(stack, 'Dashboard');
  const pair = new WarmStandbyPair(stack, 'Pair', {
    vpc,
    image: ecs.ContainerImage.fromRegistry(IMAGE),
    tcpPort: 5060,
    udpPort: 5061,
    zone,
    recordName: 'gateway',
    notifications,
    dashboard,
    ...props,
  });
  return { stack, pair, vpc, zone };
}

/** Resolves a logical id by construct path. */
function logicalId(stack: Stack, path: string): string {
  const child = stack.node.findAll().find(c => c.node.path === path);
  if (!child) throw new Error(`no construct ${path}`);
  return stack.getLogicalId(child as unknown as import('aws-cdk-lib').CfnElement);
}

describe('WarmStandbyPair', () => {
  const { stack, pair } = build(testApp());
  const template = Template.fromStack(stack);
  const id = (p: string) => logicalId(stack, `Gw/Pair/${p}`);
  const primaryTcp = id('Primary/TcpTargetGroup/Resource');
  const secondaryTcp = id('Secondary/TcpTargetGroup/Resource');
  const primaryUdp = id('Primary/UdpTargetGroup/Resource');
  const secondaryUdp = id('Secondary/UdpTargetGroup/Resource');

  test('two Fargate services of one task each, pinned to two different availability zones', () => {
    template.resourceCountIs('AWS::ECS::Service', 2);
    const services = Object.values(template.findResources('AWS::ECS::Service'));
    for (const s of services) {
      expect(s.Properties.DesiredCount).toBe(1);
      expect(s.Properties.DeploymentConfiguration).toMatchObject({ DeploymentCircuitBreaker: { Enable: true, Rollback: true }, MinimumHealthyPercent: 100 });
    }
    const subnetsOf = (i: number) => JSON.stringify(services[i].Properties.NetworkConfiguration.AwsvpcConfiguration.Subnets);
    // Each service in exactly one private subnet, not the same one.
    expect(JSON.parse(subnetsOf(0))).toHaveLength(1);
    expect(JSON.parse(subnetsOf(1))).toHaveLength(1);
    expect(subnetsOf(0)).not.toEqual(subnetsOf(1));
    expect(subnetsOf(0)).toContain('PrivateSubnet1');
    expect(subnetsOf(1)).toContain('PrivateSubnet2');
    expect(pair.availabilityZone(StandbyServerRole.PRIMARY)).toBe('eu-west-1a');
    expect(pair.availabilityZone(StandbyServerRole.SECONDARY)).toBe('eu-west-1b');
  });

  test('each server knows its role and the configuration path', () => {
    for (const role of ['PRIMARY', 'SECONDARY']) {
      template.hasResourceProperties('AWS::ECS::TaskDefinition', {
        ContainerDefinitions: [Match.objectLike({
          Environment: Match.arrayWith([{ Name: 'HA_SERVER_ROLE', Value: role }, { Name: 'HA_CONFIG_PATH', Value: '/Gw/Pair' }]),
          PortMappings: [{ ContainerPort: 5060, Protocol: 'tcp' }, { ContainerPort: 5061, Protocol: 'udp' }],
        })],
      });
    }
  });

  test('one cross-zone Network Load Balancer with stable TCP and UDP listeners forwarding to the primary', () => {
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Type: 'network',
      Scheme: 'internal',
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'load_balancing.cross_zone.enabled', Value: 'true' },
        { Key: 'access_logs.s3.enabled', Value: 'true' },
      ]),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 5060, Protocol: 'TCP', DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: primaryTcp } }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 5061, Protocol: 'UDP', DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: primaryUdp } }],
    });
  });

  test('direct listeners keep both servers health-checked: primary at +10000, secondary at +20000', () => {
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 6);
    for (const [port, protocol, tg] of [
      [15060, 'TCP', primaryTcp], [15061, 'UDP', primaryUdp], [25060, 'TCP', secondaryTcp], [25061, 'UDP', secondaryUdp],
    ] as const) {
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: port, Protocol: protocol, DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: tg } }],
      });
    }
  });

  test('target groups health-check the TCP port every 10 s, 2 failures (UDP ones too)', () => {
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 4);
    for (const protocol of ['TCP', 'UDP']) {
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
        Protocol: protocol,
        TargetType: 'ip',
        HealthCheckProtocol: 'TCP',
        HealthCheckPort: '5060',
        HealthCheckIntervalSeconds: 10,
        UnhealthyThresholdCount: 2,
      });
    }
  });

  test('the stable name is an alias to the load balancer', () => {
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'gateway.example.com.',
      Type: 'A',
      AliasTarget: Match.objectLike({ DNSName: Match.anyValue() }),
    });
  });

  test('only the primary may write the configuration; both may read it', () => {
    const primaryRole = id('Primary/TaskRole/Resource');
    const secondaryRole = id('Secondary/TaskRole/Resource');
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: primaryRole }],
      PolicyDocument: { Statement: [Match.objectLike({
        Action: Match.arrayWith(['ssm:DeleteParameter', 'ssm:PutParameter']),
        Resource: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':parameter/Gw/Pair/\\*$')])] },
      })] },
    });
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    for (const role of [primaryRole, secondaryRole]) {
      const own = policies.filter(p => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: role }]));
      const text = JSON.stringify(own);
      expect(text).toContain('ssm:GetParametersByPath');
      expect(text).not.toContain('ssm:PutParameter');
    }
    // No other managed policy, and the write policy is on the primary alone.
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
  });

  test('the primary-offline alarm watches the primary target group\'s healthy hosts', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/NetworkELB',
      MetricName: 'HealthyHostCount',
      Dimensions: Match.arrayWith([{ Name: 'TargetGroup', Value: { 'Fn::GetAtt': [primaryTcp, 'TargetGroupFullName'] } }]),
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 1,
      Period: 60,
      TreatMissingData: 'breaching',
    });
  });

  test('the failover alarm notifies on ALARM (primary offline) and OK (restored), by email, SMS and webhook', () => {
    template.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', {
      AlarmRule: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('ALARM\\(')])] }),
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^Notifications') }],
      OKActions: [{ Ref: Match.stringLikeRegexp('^Notifications') }],
    });
    // Identity, not deep equality: two triggers, the load balancer's alarm and the probe's.
    expect(pair.failoverTriggers.length).toBe(2);
    expect(pair.failoverTriggers[0]).toBe(pair.primaryOfflineAlarm);
    expect(pair.failoverTriggers[1]).toBe(pair.primaryProbeAlarm);
    for (const protocol of ['email', 'sms', 'https']) {
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: protocol });
    }
    // The secondary going offline notifies too (no standby left), without being a failover trigger.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Dimensions: Match.arrayWith([{ Name: 'TargetGroup', Value: { 'Fn::GetAtt': [secondaryTcp, 'TargetGroupFullName'] } }]),
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^Notifications') }],
      OKActions: [{ Ref: Match.stringLikeRegexp('^Notifications') }],
    });
  });

  test('takeover: either primary alarm (the probe\'s, the load balancer\'s) entering ALARM starts the runbook that points both listeners at the secondary', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        'resources': [{ 'Fn::GetAtt': [id('PrimaryProbeAlarm/Resource'), 'Arn'] }, { 'Fn::GetAtt': [id('PrimaryOfflineAlarm/Resource'), 'Arn'] }],
        'detail': { state: { value: ['ALARM'] } },
      },
      Targets: [Match.objectLike({
        Arn: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':automation-definition/$'), { Ref: id('SwitchToSecondaryRunbook') }, ':$DEFAULT'])] },
        RoleArn: { 'Fn::GetAtt': [id('EventsRole/Resource'), 'Arn'] },
      })],
    });
    const doc = template.toJSON().Resources[id('SwitchToSecondaryRunbook')].Properties;
    expect(doc.DocumentType).toBe('Automation');
    expect(doc.Content.schemaVersion).toBe('0.3');
    expect(doc.Content.mainSteps).toEqual([
      expect.objectContaining({ action: 'aws:executeAwsApi', inputs: { Service: 'elbv2', Api: 'ModifyListener', ListenerArn: { Ref: id('LoadBalancer/TcpListener/Resource') }, DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: secondaryTcp } }] } }),
      expect.objectContaining({ action: 'aws:executeAwsApi', inputs: { Service: 'elbv2', Api: 'ModifyListener', ListenerArn: { Ref: id('LoadBalancer/UdpListener/Resource') }, DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: secondaryUdp } }] } }),
    ]);
  });

  test('failback: the failover alarm (every primary alarm) returning to OK starts the runbook that points the listeners back at the primary', () => {
    // The primary's alarms, not the secondary's: a secondary recovering must not move the listeners; both of the
    // primary's: a takeover by the probe alone is undone once the probe's alarm is OK, one by both once both are.
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        'resources': [{ 'Fn::GetAtt': [id('FailoverAlarm/Resource'), 'Arn'] }],
        'detail': { state: { value: ['OK'] } },
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::Join': ['', Match.arrayWith([{ Ref: id('SwitchToPrimaryRunbook') }])] } })],
    });
    const steps = template.toJSON().Resources[id('SwitchToPrimaryRunbook')].Properties.Content.mainSteps;
    expect(steps.map((s: { inputs: { DefaultActions: Array<{ TargetGroupArn: unknown }> } }) => s.inputs.DefaultActions[0].TargetGroupArn))
      .toEqual([{ Ref: primaryTcp }, { Ref: primaryUdp }]);
  });

  test('the promotion runbook stops failback, points the listeners at the secondary and moves configuration write access', () => {
    const steps = template.toJSON().Resources[id('PromoteRunbook')].Properties.Content.mainSteps as Array<{ name: string; inputs: Record<string, unknown> }>;
    expect(steps.map(s => `${s.inputs.Service}:${s.inputs.Api}`)).toEqual([
      'events:DisableRule', 'events:DisableRule', 'events:DisableRule', 'elbv2:ModifyListener', 'elbv2:ModifyListener', 'iam:AttachRolePolicy', 'iam:DetachRolePolicy',
    ]);
    // failback, the alarm's takeover and the fast takeover stop: none switches the listeners back behind the operator
    expect(steps.slice(0, 3).map(s => s.inputs.Name)).toEqual([
      { Ref: id('FailbackRule/Resource') }, { Ref: id('TakeoverRule/Resource') }, { Ref: id('PrimaryStoppedRule/Resource') },
    ]);
    expect(steps[5].inputs).toMatchObject({ RoleName: { Ref: id('Secondary/TaskRole/Resource') }, PolicyArn: { Ref: id('ConfigWritePolicy/Resource') } });
    expect(steps[6].inputs).toMatchObject({ RoleName: { Ref: id('Primary/TaskRole/Resource') }, PolicyArn: { Ref: id('ConfigWritePolicy/Resource') } });
    const policy = template.toJSON().Resources[id('AutomationRole/DefaultPolicy/Resource')].Properties.PolicyDocument.Statement as Array<{ Action: unknown; Resource: unknown }>;
    const disable = policy.find(st => st.Action === 'events:DisableRule')!.Resource as unknown[];
    expect(disable).toHaveLength(3);
    expect(disable).toEqual(expect.arrayContaining([
      { 'Fn::GetAtt': [id('TakeoverRule/Resource'), 'Arn'] }, { 'Fn::GetAtt': [id('FailbackRule/Resource'), 'Arn'] }, { 'Fn::GetAtt': [id('PrimaryStoppedRule/Resource'), 'Arn'] },
    ]));
  });

  test('the runbooks\' role may only switch these listeners and attach the write policy to the secondary alone', () => {
    const policy = template.toJSON().Resources[id('AutomationRole/DefaultPolicy/Resource')].Properties.PolicyDocument.Statement as Array<Record<string, unknown>>;
    const byAction = Object.fromEntries(policy.map(s => [JSON.stringify(s.Action), s]));
    expect(byAction['"elasticloadbalancing:ModifyListener"'].Resource).toEqual([
      { Ref: id('LoadBalancer/TcpListener/Resource') }, { Ref: id('LoadBalancer/UdpListener/Resource') },
    ]);
    expect(byAction['"iam:AttachRolePolicy"']).toMatchObject({
      Resource: { 'Fn::GetAtt': [id('Secondary/TaskRole/Resource'), 'Arn'] },
      Condition: { ArnEquals: { 'iam:PolicyARN': { Ref: id('ConfigWritePolicy/Resource') } } },
    });
    expect(byAction['"iam:DetachRolePolicy"']).toMatchObject({ Resource: { 'Fn::GetAtt': [id('Primary/TaskRole/Resource'), 'Arn'] } });
    expect(JSON.stringify(policy)).not.toContain('"*"');
  });

  test('the status dashboard shows both servers: healthy targets, running tasks and the alarms', () => {
    const body = JSON.stringify(template.toJSON().Resources[id('StatusDashboard/Resource')].Properties.DashboardBody);
    expect(body).toContain('HealthyHostCount');
    expect(body).toContain('RunningTaskCount');
    expect(body).toContain('primary healthy');
    expect(body).toContain('secondary running');
    expect(body).toContain('\\"type\\":\\"alarm\\"');
    expect(body).toContain('Takeover worst case: **25 s** when the primary\'s task stops, **57 s** when it stops answering its health checks.');
  });

  test('adds its recovery figures and alarm states to the HaDashboard it is given', () => {
    const [dash] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))
      .filter(d => JSON.stringify(d.Properties.DashboardBody).includes('Worst-case RTO'));
    const body = JSON.stringify(dash.Properties.DashboardBody);
    expect(body).toContain('### WarmStandbyPair `Gw/Pair`');
    expect(body).toContain('Worst-case RTO: **57 s**');
    expect(body).toContain('PairPrimaryOfflineAlarm');
  });

  test('takeover: ECS reporting the primary\'s task stopping invokes the takeover function, which may start the takeover runbook', () => {
    const fn = id('TakeoverFunction/Resource/Resource');
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.ecs'],
        'detail-type': ['ECS Task State Change'],
        'detail': {
          clusterArn: [{ 'Fn::GetAtt': [id('Cluster/Resource'), 'Arn'] }],
          group: [{ 'Fn::Join': ['', ['service:', { 'Fn::GetAtt': [id('Primary/Service/Service'), 'Name'] }]] }],
          desiredStatus: ['STOPPED'],
        },
      },
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [fn, 'Arn'] }, RetryPolicy: { MaximumEventAgeInSeconds: 120, MaximumRetryAttempts: 2 } })],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 30,
      Environment: { Variables: {
        CLUSTER: { Ref: id('Cluster/Resource') },
        PRIMARY_SERVICE: { 'Fn::GetAtt': [id('Primary/Service/Service'), 'Name'] },
        RUNBOOK: { Ref: id('SwitchToSecondaryRunbook') },
        NODE_OPTIONS: '--enable-source-maps',
      } },
    });
  });

  test('the takeover function may list and describe the cluster\'s tasks and start the takeover runbook as the automation role, nothing else', () => {
    const statements = template.toJSON().Resources[id('TakeoverFunction/ServiceRole/DefaultPolicy/Resource')].Properties.PolicyDocument.Statement as Array<Record<string, unknown>>;
    const onCluster = { ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': [id('Cluster/Resource'), 'Arn'] } } };
    const arn = (prefix: string, rest: unknown[]) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:${prefix}`, ...rest]] });
    expect(statements.filter(st => !JSON.stringify(st.Action).includes('logs:'))).toEqual([
      { Action: 'ecs:ListTasks', Effect: 'Allow', Resource: '*', Condition: onCluster },
      { Action: 'ecs:DescribeTasks', Effect: 'Allow', Resource: arn('ecs:eu-west-1:123456789012:task/', [{ Ref: id('Cluster/Resource') }, '/*']), Condition: onCluster },
      { Action: 'ssm:StartAutomationExecution', Effect: 'Allow', Resource: arn('ssm:eu-west-1:123456789012:automation-definition/', [{ Ref: id('SwitchToSecondaryRunbook') }, ':$DEFAULT']) },
      { Action: 'iam:PassRole', Effect: 'Allow', Resource: { 'Fn::GetAtt': [id('AutomationRole/Resource'), 'Arn'] }, Condition: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } } },
    ]);
  });

  test('computes both paths from the synthesized settings: takeover 10 + 15 = 25 s, unresponsive (the probe) 12 + 30 + 15 = 57 s', () => {
    const report = pair.recoveryObjectives.toReport();
    expect(report.paths.map(p => [p.name, p.totalSeconds, p.fastestSeconds])).toEqual([['takeover', 25, 25], ['unresponsive', 57, 57]]);
    expect(report.paths[0].steps).toEqual([
      expect.objectContaining({ component: 'ECS task event + takeover function', seconds: 10, fastestSeconds: 10, derivation: expect.stringContaining('estimate (AWS publishes no bound)') }),
      expect.objectContaining({ component: 'SSM Automation ModifyListener', seconds: 15, fastestSeconds: 15 }),
    ]);
    expect(report.paths[1].steps).toEqual([
      expect.objectContaining({ component: 'primary probe sampling', seconds: 12, derivation: expect.stringContaining('one every 5000 ms') }),
      expect.objectContaining({ component: 'PrimaryProbe alarm', derivation: '3 x 10 s evaluation periods', seconds: 30 }),
      expect.objectContaining({ component: 'EventBridge + SSM Automation ModifyListener', seconds: 15 }),
    ]);
    expect(pair.takeoverTime.toSeconds()).toBe(25);
    expect(report.rtoSeconds).toBe(57);
    expect(report.rpoSeconds).toBe(0);
  });

  test('without the probe (primaryProbe: false) the load balancer\'s alarm bounds the unresponsive path: 20 + 60 + 15 = 95 s', () => {
    const { pair: p, stack: s } = build(testApp(), { primaryProbe: false });
    const report = p.recoveryObjectives.toReport();
    expect(report.paths.map(x => [x.name, x.totalSeconds, x.fastestSeconds])).toEqual([['takeover', 25, 25], ['unresponsive', 95, 85]]);
    expect(report.paths[1].steps).toEqual([
      expect.objectContaining({ component: 'load balancer health check of the primary', derivation: '10 s interval x 2 unhealthy checks', seconds: 20, fastestSeconds: 10 }),
      expect.objectContaining({ component: 'PrimaryOffline alarm', derivation: '1 x 60 s evaluation period', seconds: 60, fastestSeconds: 60 }),
      expect.objectContaining({ component: 'EventBridge + SSM Automation ModifyListener', seconds: 15 }),
    ]);
    const t = Template.fromStack(s);
    const probes = (tt: Template) => Object.values(tt.findResources('AWS::Lambda::Function'))
      .filter(f => String(f.Properties.Description).includes('samples the primary server through its direct listener'));
    expect(probes(t)).toHaveLength(0);
    expect(probes(template)).toHaveLength(1);
    expect(p.primaryProbeAlarm).toBeUndefined();
    expect(p.failoverTriggers.length).toBe(1);
  });

  test('the takeover path exists for the loss of the primary server, the unresponsive path for the loss of its zone; both survive', () => {
    expect([WarmStandbyPairPath.TAKEOVER, WarmStandbyPairPath.UNRESPONSIVE].flatMap(p => pair.recoveryObjectives.scenarioOutcomes(p))).toEqual([
      { scenario: 'primary-server-loss of eu-west-1', path: 'takeover', survives: true, brokenLinks: [], acknowledged: undefined },
      { scenario: 'zone-loss of eu-west-1', path: 'unresponsive', survives: true, brokenLinks: [], acknowledged: undefined },
    ]);
  });

  test('grantConfigRead lets another component read the configuration', () => {
    const { pair: p, stack: s } = build(testApp());
    const reader = new iam.Role(s, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    p.grantConfigRead(reader);
    Template.fromStack(s).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Reader') }],
      PolicyDocument: { Statement: [Match.objectLike({ Action: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath'] })] },
    });
  });
});

/** The inbound rules of the servers' security group, as [protocol, port, CIDR] (the VPC CIDR token as 'VPC'). */
function serverIngress(t: Template): string[][] {
  const [sg] = Object.values(t.findResources('AWS::EC2::SecurityGroup', {
    Properties: { GroupDescription: Match.stringLikeRegexp('server ports') },
  }));
  const rules = sg.Properties.SecurityGroupIngress as Array<{ IpProtocol: string; FromPort: number; ToPort: number; CidrIp?: unknown; CidrIpv6?: string }>;
  return rules.map(r => {
    expect(r.ToPort).toBe(r.FromPort);
    const cidr = r.CidrIpv6 ?? (typeof r.CidrIp === 'string' ? r.CidrIp : JSON.stringify(r.CidrIp).includes('CidrBlock') ? 'VPC' : JSON.stringify(r.CidrIp));
    return [r.IpProtocol, String(r.FromPort), cidr];
  }).sort((a, b) => a.join().localeCompare(b.join()));
}

describe('WarmStandbyPair client networks', () => {
  test('by default the server ports admit the VPC CIDR only, on TCP and UDP', () => {
    const { stack } = build(testApp());
    expect(serverIngress(Template.fromStack(stack))).toEqual([['tcp', '5060', 'VPC'], ['udp', '5061', 'VPC']]);
  });

  test('clientCidrs admits UDP clients outside the VPC (whose addresses the load balancer keeps); TCP keeps the VPC CIDR for the load balancer', () => {
    const { stack } = build(testApp(), { clientCidrs: ['192.0.2.0/24', '2001:db8::/32'] });
    const t = Template.fromStack(stack);
    expect(serverIngress(t)).toEqual([
      ['tcp', '5060', '192.0.2.0/24'], ['tcp', '5060', '2001:db8::/32'], ['tcp', '5060', 'VPC'],
      ['udp', '5061', '192.0.2.0/24'], ['udp', '5061', '2001:db8::/32'],
    ]);
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: Match.arrayWith([
        Match.objectLike({ IpProtocol: 'udp', FromPort: 5061, ToPort: 5061, CidrIp: '192.0.2.0/24' }),
        Match.objectLike({ IpProtocol: 'udp', FromPort: 5061, ToPort: 5061, CidrIpv6: '2001:db8::/32' }),
      ]),
    });
  });

  test('an internet-facing pair with clientCidrs admits those clients only, without the any-client warning', () => {
    const { stack } = build(testApp(), { internetFacing: true, clientCidrs: ['198.51.100.0/24'] });
    expect(serverIngress(Template.fromStack(stack))).toEqual([['tcp', '5060', '198.51.100.0/24'], ['tcp', '5060', 'VPC'], ['udp', '5061', '198.51.100.0/24']]);
    Annotations.fromStack(stack).hasNoWarning('/Gw/Pair', Match.stringLikeRegexp('internet-facing'));
  });

  test('an internet-facing pair without clientCidrs admits any IPv4 client, with a warning naming clientCidrs', () => {
    const { stack } = build(testApp(), { internetFacing: true });
    expect(serverIngress(Template.fromStack(stack))).toEqual([['tcp', '5060', '0.0.0.0/0'], ['tcp', '5060', 'VPC'], ['udp', '5061', '0.0.0.0/0']]);
    Annotations.fromStack(stack).hasWarning('/Gw/Pair', Match.stringLikeRegexp('restrict them with clientCidrs'));
  });

  test.each([
    ['the list is empty', [], "Gw/Pair: invalid prop 'clientCidrs': received []; expected at least one CIDR block of the clients"],
    ['a block has no prefix length', ['192.0.2.0'], "Gw/Pair: invalid prop 'clientCidrs[0]': received \"192.0.2.0\"; expected an IPv4 or IPv6 CIDR block with its prefix length"],
    ['an octet is out of range', ['10.0.0.0/16', '192.0.2.300/24'], "Gw/Pair: invalid prop 'clientCidrs[1]': received \"192.0.2.300/24\"; expected an IPv4 or IPv6 CIDR block"],
    ['an IPv4 prefix is longer than 32', ['192.0.2.0/33'], "Gw/Pair: invalid prop 'clientCidrs[0]': received \"192.0.2.0/33\""],
    ['an IPv6 prefix is longer than 128', ['2001:db8::/129'], "Gw/Pair: invalid prop 'clientCidrs[0]': received \"2001:db8::/129\""],
    ['a block appears twice', ['192.0.2.0/24', '192.0.2.0/24'], "Gw/Pair: invalid prop 'clientCidrs': received \"192.0.2.0/24\"; expected each CIDR block at most once"],
    ['the blocks need more rules than a security group holds', Array.from({ length: 30 }, (_, i) => `10.${i}.0.0/16`),
      "Gw/Pair: invalid prop 'clientCidrs': received \"30 CIDR blocks\"; expected at most 29 blocks"],
  ])('fails when %s', (_what, clientCidrs, message) => {
    expect(() => build(testApp(), { clientCidrs })).toThrow(message);
  });
});

describe('WarmStandbyPair options', () => {
  test('without udpPort there is only TCP; without a zone, no record', () => {
    const { stack } = build(testApp(), { udpPort: undefined, zone: undefined, recordName: undefined });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 3);
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 2);
    t.resourceCountIs('AWS::Route53::RecordSet', 0);
  });

  test('without the probe, slower health checks lengthen the unresponsive path, read from the synthesized target group; the takeover path has no health-check wait', () => {
    const { pair, stack } = build(testApp(), { healthCheckInterval: Duration.seconds(30), unhealthyThresholdCount: 3, primaryProbe: false });
    Template.fromStack(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Protocol: 'TCP', HealthCheckIntervalSeconds: 30, HealthyThresholdCount: 3, UnhealthyThresholdCount: 3,
    });
    expect(pair.recoveryObjectives.path(WarmStandbyPairPath.UNRESPONSIVE).total.toSeconds()).toBe(90 + 60 + 15);
    expect(pair.takeoverTime.toSeconds()).toBe(25);
    // With the probe (the default) the health checks no longer bound the path.
    expect(build(testApp(), { healthCheckInterval: Duration.seconds(30), unhealthyThresholdCount: 3 }).pair
      .recoveryObjectives.path(WarmStandbyPairPath.UNRESPONSIVE).total.toSeconds()).toBe(57);
  });

  test('a recovery-time target no setting can meet fails synthesis naming the fastest the path can be configured to', () => {
    const app = testApp();
    build(app, { recoveryTargets: { rto: Duration.seconds(60) }, primaryProbe: false });
    expect(() => app.synth()).toThrow(/Gw\/Pair\] recovery time target not met: the 'unresponsive' path takes 95 s worst case, target 60 s \(recoveryTargets.rto\).*No setting meets it: the fastest this path can be configured to is 85 s .*Raise recoveryTargets.rto to at least 85 s/);
  });

  test('a 60 s target on the takeover path is met, with the unresponsive path held to its own target', () => {
    const app = testApp();
    build(app, { recoveryTargets: { rto: Duration.minutes(2), paths: [{ path: WarmStandbyPairPath.TAKEOVER, rto: Duration.seconds(60) }] } });
    expect(() => app.synth()).not.toThrow();
  });

  test('explicit zones, configuration path and internet-facing load balancer (with a warning)', () => {
    const { stack } = build(testApp(), {
      primaryAvailabilityZone: 'eu-west-1b', secondaryAvailabilityZone: 'eu-west-1a', configParameterPath: '/suite/gateway', internetFacing: true,
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing' });
    t.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ Environment: Match.arrayWith([{ Name: 'HA_CONFIG_PATH', Value: '/suite/gateway' }]) })],
    });
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: Match.arrayWith([Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 5060, IpProtocol: 'tcp' })]),
    });
    Annotations.fromStack(stack).hasWarning('/Gw/Pair', Match.stringLikeRegexp('internet-facing'));
    const services = Object.values(t.findResources('AWS::ECS::Service'));
    expect(JSON.stringify(services[0].Properties.NetworkConfiguration)).toContain('PrivateSubnet2');
  });
});

describe('WarmStandbyPair failure analysis', () => {
  const policyOf = (stack: Stack, path: string) => stack.node.findAll().find(c => c.node.path === `Gw/Pair/${path}/DefaultPolicy/Resource`) as iam.CfnPolicy;

  test('the defaults synthesize: every path survives its scenarios', () => {
    const app = testApp();
    build(app);
    expect(() => app.synth()).not.toThrow();
  });

  test('fails synthesis when the takeover function may not start the runbook (escape hatch), naming the path, the link and the scenario', () => {
    const app = testApp();
    const { stack } = build(app);
    const policy = policyOf(stack, 'TakeoverFunction/ServiceRole');
    const statements = stack.resolve(policy.policyDocument).Statement as Array<{ Action: string }>;
    const start = statements.findIndex(st => st.Action === 'ssm:StartAutomationExecution');
    policy.addPropertyOverride(`PolicyDocument.Statement.${start}.Action`, ['ssm:DescribeAutomationExecutions']);
    expect(() => app.synth()).toThrow(new RegExp(
      "\\[Gw/Pair\\] recovery path 'takeover' does not survive primary-server-loss of eu-west-1: its automation takeover function " +
      '\\(Gw/Pair/TakeoverFunction\\) calls ssm:StartAutomationExecution on .*automation-definition/.*SwitchToSecondaryRunbook.*, which its role does not allow'));
  });

  test('fails synthesis when the runbooks\' role may not modify the listeners (escape hatch): both paths name the runbook and their scenario', () => {
    const app = testApp();
    const { stack } = build(app);
    const policy = policyOf(stack, 'AutomationRole');
    const modify = (stack.resolve(policy.policyDocument).Statement as Array<{ Action: string }>).findIndex(st => st.Action === 'elasticloadbalancing:ModifyListener');
    policy.addPropertyOverride(`PolicyDocument.Statement.${modify}.Action`, ['elasticloadbalancing:DescribeListeners']);
    expect(() => app.synth()).toThrow(/recovery path 'takeover' does not survive primary-server-loss of eu-west-1: its automation takeover runbook \(points the stable listeners at the secondary\) \(Gw\/Pair\/SwitchToSecondaryRunbook\) calls elasticloadbalancing:ModifyListener on .*TcpListener.*, which its role does not allow/);
    expect(() => app.synth()).toThrow(/recovery path 'unresponsive' does not survive zone-loss of eu-west-1: its automation takeover runbook/);
  });

  test('fails synthesis when the takeover rule\'s role may not start the runbook (escape hatch), naming the unresponsive path', () => {
    const app = testApp();
    const { stack } = build(app);
    const policy = policyOf(stack, 'EventsRole');
    const start = (stack.resolve(policy.policyDocument).Statement as Array<{ Action: string }>).findIndex(st => st.Action === 'ssm:StartAutomationExecution');
    policy.addPropertyOverride(`PolicyDocument.Statement.${start}.Action`, ['ssm:GetAutomationExecution']);
    expect(() => app.synth()).toThrow(/recovery path 'unresponsive' does not survive zone-loss of eu-west-1: its automation takeover rule's target \(starts the runbook as the events role\) \(Gw\/Pair\/TakeoverRule\) calls ssm:StartAutomationExecution/);
  });

  test('fails synthesis when the secondary runs no task (escape hatch): nothing serves after the switch', () => {
    const app = testApp();
    const { pair } = build(app);
    (pair.service(StandbyServerRole.SECONDARY).node.defaultChild as ecs.CfnService).addPropertyOverride('DesiredCount', 0);
    expect(() => app.synth()).toThrow(
      "recovery path 'takeover' does not survive primary-server-loss of eu-west-1: its capacity warm secondary server (serves once the listeners point at it) " +
      '(Gw/Pair/Secondary/Service) serves 0 after failover; the load needs 1.');
  });
});

describe('WarmStandbyPair bad inputs', () => {
  test('fails when both servers are in the same availability zone', () => {
    expect(() => build(testApp(), { primaryAvailabilityZone: 'eu-west-1a', secondaryAvailabilityZone: 'eu-west-1a' }))
      .toThrow("Gw/Pair: invalid prop 'secondaryAvailabilityZone': received \"eu-west-1a\"; expected an availability zone other than the primary's (eu-west-1a): a pair in one zone fails with the zone");
  });

  test('fails when the VPC has a single availability zone', () => {
    expect(() => build(testApp(), {}, s => new ec2.Vpc(s, 'OneZone', { maxAzs: 1 })))
      .toThrow("Gw/Pair: invalid prop 'vpc': received \"a VPC with 1 availability zone(s)\"; expected a VPC with at least two availability zones");
  });

  test.each([
    [{ primaryAvailabilityZone: 'eu-west-1z' }, "Gw/Pair: invalid prop 'primaryAvailabilityZone': received \"eu-west-1z\"; expected one of the VPC's availability zones (eu-west-1a, eu-west-1b)"],
    [{ udpPort: 5060 }, "Gw/Pair: invalid prop 'udpPort': received 5060; expected a port other than tcpPort (5060)"],
    [{ tcpPort: 70000 }, "Gw/Pair: invalid prop 'tcpPort': received 70000; expected an integer from 1 to 65535"],
    [{ tcpPort: 50000 }, "Gw/Pair: invalid prop 'directPortOffset': received 10000; expected an offset that keeps the secondary's direct port (tcpPort 50000 + 2 x 10000 = 70000) at or below 65535"],
    [{ recordName: '<unset>' }, "Gw/Pair: invalid prop 'recordName': received undefined; expected zone and recordName together"],
    [{ configParameterPath: 'gateway/' }, "Gw/Pair: invalid prop 'configParameterPath': received \"gateway/\"; expected a Parameter Store path"],
    [{ healthCheckInterval: Duration.seconds(1) }, "Gw/Pair: invalid prop 'healthCheckInterval': received 1 second; expected a duration from 5 seconds to 5 minutes"],
    [{ unhealthyThresholdCount: 1 }, "Gw/Pair: invalid prop 'unhealthyThresholdCount': received 1; expected an integer from 2 to 10"],
  ])('fails when %j', (props, message) => {
    // '<unset>' stands for an explicitly missing recordName (the zone is given by build()).
    const given: Partial<WarmStandbyPairProps> = { ...props };
    const unset = given.recordName === '<unset>' ? { recordName: undefined } : {};
    expect(() => build(testApp(), { ...given, ...unset })).toThrow(message);
  });
});

describe('WarmStandbyPair gates', () => {
  test('passes cdk-nag AwsSolutions and the CloudFormation validation with default rules', () => {
    const app = testApp({ validation: true });
    build(app);
    expect(formatFindings(gateFindings(app))).toEqual([]);
  });
});
