import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmHistoryCommand } from '@aws-sdk/client-cloudwatch';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { mockClient } from 'aws-sdk-client-mock';
import { DrillKind, ZonalAutoshift } from '../../lib';
import { isoSeconds, prove, ProveDrill, proveDrills, ProveResult, ProveVerdict } from '../../lib/prove';
import { testApp } from '../harness';
import { clientsWith, drillsOf, epoch, first, ok, RecordedTransport } from './fixtures';

const cwMock = mockClient(CloudWatchClient);
const cfnMock = mockClient(CloudFormationClient);
beforeEach(() => {
  cwMock.reset();
  cfnMock.reset();
});

const database = drillsOf('HaDatabase');
const web = drillsOf('WebTierSite', true);
const plan = first(database.drills, DrillKind.REGION_SWITCH);
const writerLoss = first(database.drills, DrillKind.FAULT_INJECTION);
const autoshift = first(web.drills, DrillKind.ZONAL_AUTOSHIFT);

async function run(drills: ProveDrill[], transport = new RecordedTransport({}), json = false): Promise<{ result: ProveResult; text: string }> {
  const out: string[] = [];
  const result = await prove({ drills, json, out: t => out.push(t), hasCredentials: async () => true, clients: async () => clientsWith(transport) });
  return { result, text: out.join('\n') };
}

describe('what prove reads from the app', () => {
  test('each row\'s computed figure is its pattern\'s recoveryObjectives.path(id).total', () => {
    expect(plan.paths).toEqual([{ id: 'cross-region-failover', computedSeconds: database.pattern.recoveryObjectives.path('cross-region-failover').total.toSeconds() }]);
    expect(writerLoss.paths).toEqual([{ id: 'in-region-failover', computedSeconds: database.pattern.recoveryObjectives.path('in-region-failover').total.toSeconds() }]);
    expect(autoshift.paths).toEqual([{ id: 'zone', computedSeconds: web.pattern.recoveryObjectives.path('zone').total.toSeconds() }]);
  });

  test('the identifiers are what the templates deploy: the plan\'s name, the template\'s Name tag, the load balancer\'s output', () => {
    const app = database.pattern.node.root as App;
    const secondary = Template.fromStack(app.node.findChild('Secondary') as Stack);
    secondary.hasResourceProperties('AWS::ARCRegionSwitch::Plan', { Name: plan.plan!.planName });
    expect(Object.keys(secondary.findOutputs(plan.plan!.planArnOutput.outputKey))).toEqual([plan.plan!.planArnOutput.outputKey]);
    Template.fromStack(app.node.findChild('Primary') as Stack).hasResourceProperties('AWS::FIS::ExperimentTemplate', { Tags: Match.objectLike({ Name: writerLoss.experiment!.nameTag }) });
    const s = Template.fromStack(web.pattern.node.root.node.findChild('S') as Stack);
    expect(s.findOutputs(autoshift.practiceRuns!.loadBalancerArnOutput.outputKey)).toEqual({
      [autoshift.practiceRuns!.loadBalancerArnOutput.outputKey]: expect.objectContaining({ Value: { Ref: expect.stringMatching(/LoadBalancer/) } }),
    });
  });

  test('a drill in an environment-agnostic stack has nothing to query: never run, said so', async () => {
    const app = testApp();
    const stack = new Stack(app, 'Agnostic');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }] });
    const lb = new elbv2.ApplicationLoadBalancer(stack, 'Lb', { vpc, internetFacing: true });
    const alarm = new cloudwatch.Alarm(stack, 'Hurt', { metric: new cloudwatch.Metric({ namespace: 'N', metricName: 'M' }), threshold: 1, evaluationPeriods: 1 });
    new ZonalAutoshift(stack, 'Autoshift', { loadBalancer: lb, outcomeAlarms: [alarm], purpose: { paths: ['zone'], scenario: 'zone-loss', proves: 'p', passes: 'p' } });
    const [drill] = proveDrills(app);
    expect(drill.practiceRuns).toBeUndefined();
    expect((await run([drill])).result.rows[0]).toMatchObject({ verdict: ProveVerdict.NEVER_RUN, detail: expect.stringContaining('a region that is a token') });
  });
});

describe('without credentials', () => {
  test('prints the API calls it would make per drill, with the identifiers, reads nothing and exits 0', async () => {
    const out: string[] = [];
    const clients = jest.fn();
    const result = await prove({ drills: [...database.drills, autoshift], out: t => out.push(t), hasCredentials: async () => false, clients });
    expect(result).toEqual({ dryRun: true, rows: [], exitCode: 0 });
    expect(clients).not.toHaveBeenCalled();
    const text = out.join('\n');
    expect(text).toMatch(/^No AWS credentials found .*nothing was read\./);
    expect(text).toContain(`- Region switch plan \`${plan.description.constructPath}\` (us-east-1), paths cross-region-failover (computed ${plan.paths[0].computedSeconds} s):`);
    expect(text).toContain(`arc-region-switch ListPlansInRegion (us-east-1): the plan named ${plan.plan!.planName}`);
    expect(text).toContain('ListPlanExecutions (planArn), then GetPlanExecution of the latest: executionState, actualRecoveryTime');
    expect(text).toContain(`fis ListExperimentTemplates (eu-west-1): the template tagged Name=${writerLoss.experiment!.nameTag}`);
    expect(text).toContain('cloudwatch DescribeAlarmHistory (eu-west-1, StateUpdate');
    expect(text).toContain(`cloudformation DescribeStacks (eu-west-1): output ${autoshift.practiceRuns!.loadBalancerArnOutput.outputKey} of stack S`);
    expect(text).toContain('arc-zonal-shift ListZonalShifts (eu-west-1, resourceIdentifier = that ARN)');
  });

  test('--json: the same reads as JSON', async () => {
    const out: string[] = [];
    await prove({ drills: [plan], json: true, out: t => out.push(t), hasCredentials: async () => false });
    const parsed = JSON.parse(out.join(''));
    expect(parsed).toMatchObject({ dryRun: true, exitCode: 0, drills: [{ kind: 'region-switch-plan', region: 'us-east-1', reads: [expect.stringContaining(plan.plan!.planName), expect.any(String)] }] });
  });
});

describe('Region switch executions', () => {
  const planArn = `arn:aws:arc-region-switch::123456789012:plan/${plan.plan!.planName}:abc123`;
  const execution = (id: string, state: string, start: string, extra: Record<string, unknown> = {}) => ({
    planArn, executionId: id, startTime: epoch(start), mode: 'graceful', executionState: state, executionAction: 'activate', executionRegion: 'us-east-1', ...extra,
  });
  const transport = (executions: Array<ReturnType<typeof execution>>) => new RecordedTransport({
    ListPlansInRegion: ok({ plans: [{ arn: 'arn:aws:arc-region-switch::123456789012:plan/other:1', name: 'other' }, { arn: planArn, name: plan.plan!.planName }] }),
    ListPlanExecutions: ok({ items: executions }),
    GetPlanExecution: r => ok({
      ...executions.find(e => e.executionId === JSON.parse(r.body!).executionId),
      stepStates: [{ name: 'PromoteDatabase', status: 'completed', startTime: epoch('2026-12-01T10:00:05Z'), endTime: epoch('2026-12-01T10:01:10Z') }],
    }),
  });
  const bound = plan.paths[0].computedSeconds!;

  test.each([
    ['completed, actual recovery time under the figure', 'completed', { actualRecoveryTime: 'PT1M30S', endTime: epoch('2026-12-01T10:01:30Z') }, ProveVerdict.WITHIN, 90, 0],
    ['completed, actual recovery time over the figure', 'completed', { actualRecoveryTime: 'PT3M', endTime: epoch('2026-12-01T10:03:00Z') }, ProveVerdict.OVER, 180, 1],
    ['failed', 'failed', { endTime: epoch('2026-12-01T10:02:00Z') }, ProveVerdict.FAILED, undefined, 1],
    ['paused by a failed step', 'pausedByFailedStep', {}, ProveVerdict.FAILED, undefined, 1],
    ['still running', 'inProgress', {}, ProveVerdict.RUNNING, undefined, 0],
  ])('the last execution %s', async (_, state, extra, verdict, measured, exitCode) => {
    expect(bound).toBeGreaterThan(90);
    expect(bound).toBeLessThan(180);
    const { result, text } = await run([plan], transport([execution('old', 'failed', '2026-11-01T10:00:00Z'), execution('last', state, '2026-12-01T10:00:00Z', extra)]));
    expect(result.exitCode).toBe(exitCode);
    expect(result.rows).toEqual([expect.objectContaining({
      patternName: 'HaDatabase', path: 'cross-region-failover', computedSeconds: bound, measuredSeconds: measured, verdict, runId: 'last',
    })]);
    expect(result.rows[0].detail).toContain(`execution last (activate us-east-1 graceful) ${state}`);
    expect(text).toContain(`| HaDatabase \`${database.pattern.node.path}\` | cross-region-failover | Region switch plan \`${plan.description.constructPath}\` (us-east-1) | ${bound} s | ${measured === undefined ? '-' : `${measured} s`} | **${verdict}** |`);
  });

  test('reads the regional data plane with awsJson1_0: the plan by name, its executions, then the latest one with its steps', async () => {
    const t = transport([execution('last', 'completed', '2026-12-01T10:00:00Z', { actualRecoveryTime: 'PT1M30S', endTime: epoch('2026-12-01T10:01:30Z') })]);
    const { result } = await run([plan], t);
    expect(t.requests.map(r => [r.hostname, r.method, r.headers['x-amz-target'], r.headers['content-type'], JSON.parse(r.body!)])).toEqual([
      ['arc-region-switch.us-east-1.api.aws', 'POST', 'ArcRegionSwitch.ListPlansInRegion', 'application/x-amz-json-1.0', {}],
      ['arc-region-switch.us-east-1.api.aws', 'POST', 'ArcRegionSwitch.ListPlanExecutions', 'application/x-amz-json-1.0', { planArn }],
      ['arc-region-switch.us-east-1.api.aws', 'POST', 'ArcRegionSwitch.GetPlanExecution', 'application/x-amz-json-1.0', { planArn, executionId: 'last' }],
    ]);
    expect(t.requests.every(r => r.service === 'arc-region-switch' && r.region === 'us-east-1')).toBe(true);
    expect(result.rows[0].timeline).toEqual([
      { at: '2026-12-01T10:00:00.000Z', what: 'execution started (activate, graceful)' },
      { at: '2026-12-01T10:00:05.000Z', what: 'step PromoteDatabase started' },
      { at: '2026-12-01T10:01:10.000Z', what: 'step PromoteDatabase completed' },
      { at: '2026-12-01T10:01:30.000Z', what: 'execution completed' },
    ]);
  });

  test('never run: no execution, or no plan of that name deployed', async () => {
    expect((await run([plan], transport([]))).result).toMatchObject({ exitCode: 0, rows: [{ verdict: ProveVerdict.NEVER_RUN, detail: `plan ${planArn} has no execution` }] });
    const none = new RecordedTransport({ ListPlansInRegion: ok({ plans: [] }) });
    expect((await run([plan], none)).result.rows[0]).toMatchObject({ verdict: ProveVerdict.NEVER_RUN, detail: expect.stringContaining(`no plan named ${plan.plan!.planName} in us-east-1`) });
  });

  test('follows nextToken', async () => {
    const t = new RecordedTransport({
      ListPlansInRegion: r => JSON.parse(r.body!).nextToken === 'p2' ? ok({ plans: [{ arn: planArn, name: plan.plan!.planName }] }) : ok({ plans: [], nextToken: 'p2' }),
      ListPlanExecutions: ok({ items: [] }),
    });
    expect((await run([plan], t)).result.rows[0].detail).toBe(`plan ${planArn} has no execution`);
  });

  test('a drill that cannot be read is no evidence: never run with the error, exit 2', async () => {
    const denied = new RecordedTransport({ ListPlansInRegion: { statusCode: 403, body: JSON.stringify({ __type: 'AccessDeniedException', message: 'not authorized' }) } });
    const { result, text } = await run([plan], denied);
    expect(result.exitCode).toBe(2);
    expect(result.rows[0]).toMatchObject({ verdict: ProveVerdict.NEVER_RUN, readError: 'AwsJsonError: ListPlansInRegion failed (HTTP 403): AccessDeniedException: not authorized' });
    expect(text).toContain('Exit 2: a drill could not be read');
  });
});

describe('FIS experiments and alarm histories', () => {
  const templateId = 'EXT1a2b3c4d';
  const alarmName = 'Primary-DbFailover-1ABC';
  const bound = writerLoss.paths[0].computedSeconds!;
  const at = (t: string) => new Date(`2026-12-01T${t}Z`);
  const history = (t: string, oldState: string, newState: string) => ({
    AlarmName: alarmName, Timestamp: at(t), HistoryItemType: 'StateUpdate' as const,
    HistoryData: JSON.stringify({ version: '1.0', oldState: { stateValue: oldState }, newState: { stateValue: newState } }),
  });
  const templates = ok({ experimentTemplates: [
    { id: 'EXTother', tags: { Name: 'Primary/Drills/Other/TaskLoss' } },
    { id: templateId, tags: { Name: writerLoss.experiment!.nameTag } },
  ] });
  const experiments = ok({ experiments: [
    { id: 'EXPold', experimentTemplateId: templateId, creationTime: epoch('2026-12-01T08:00:00Z') },
    { id: 'EXPlast', experimentTemplateId: templateId, creationTime: epoch('2026-12-01T09:59:50Z') },
  ] });
  let transport: RecordedTransport;
  function record(status: string, alarmHistory: Array<ReturnType<typeof history>> = [], reason?: string) {
    const t = (s: string) => epoch(`2026-12-01T${s}Z`);
    transport = new RecordedTransport({
      'GET /experimentTemplates': templates,
      'GET /experiments': experiments,
      'GET /experiments/EXPlast': ok({ experiment: {
        id: 'EXPlast', experimentTemplateId: templateId, state: { status, reason },
        startTime: t('09:59:55'), endTime: status === 'running' ? undefined : t('10:03:00'),
        actions: {
          Step1FailOver: { actionId: 'aws:rds:failover-db-cluster', state: { status: 'completed' }, startTime: t('10:00:00'), endTime: t('10:00:02') },
          Step2Wait: { actionId: 'aws:fis:wait', state: { status: 'completed' }, startTime: t('10:00:02'), endTime: t('10:03:00') },
        },
        stopConditions: [{ source: 'aws:cloudwatch:alarm', value: `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${alarmName}` }],
      } }),
    });
    cwMock.on(DescribeAlarmHistoryCommand).resolves({ AlarmHistoryItems: alarmHistory });
  }

  test('completed: the recovery runs from the fault until the stop alarm is OK again, within the figure', async () => {
    record('completed', [history('10:00:20', 'OK', 'ALARM'), history('10:00:30', 'ALARM', 'OK')]);
    expect(bound).toBeGreaterThan(30);
    const { result } = await run([writerLoss], transport);
    expect(transport.requests.map(r => [r.hostname, r.method, r.path, r.query, r.service])).toEqual([
      ['fis.eu-west-1.amazonaws.com', 'GET', '/experimentTemplates', {}, 'fis'],
      ['fis.eu-west-1.amazonaws.com', 'GET', '/experiments', { experimentTemplateId: templateId }, 'fis'],
      ['fis.eu-west-1.amazonaws.com', 'GET', '/experiments/EXPlast', {}, 'fis'],
    ]);
    expect(result.exitCode).toBe(0);
    expect(result.rows[0]).toMatchObject({ path: 'in-region-failover', computedSeconds: bound, measuredSeconds: 30, verdict: ProveVerdict.WITHIN, runId: 'EXPlast' });
    expect(result.rows[0].detail).toContain(`experiment EXPlast of ${templateId} completed; from the fault (2026-12-01T10:00:00.000Z) until ${alarmName} was OK again`);
    expect(result.rows[0].timeline).toEqual([
      { at: '2026-12-01T09:59:55.000Z', what: 'experiment started' },
      { at: '2026-12-01T10:00:00.000Z', what: 'action Step1FailOver (aws:rds:failover-db-cluster) started' },
      { at: '2026-12-01T10:00:02.000Z', what: 'action Step1FailOver completed' },
      { at: '2026-12-01T10:00:02.000Z', what: 'action Step2Wait (aws:fis:wait) started' },
      { at: '2026-12-01T10:00:20.000Z', what: `alarm ${alarmName} ALARM` },
      { at: '2026-12-01T10:00:30.000Z', what: `alarm ${alarmName} OK` },
      { at: '2026-12-01T10:03:00.000Z', what: 'action Step2Wait completed' },
      { at: '2026-12-01T10:03:00.000Z', what: 'experiment completed' },
    ]);
    const [call] = cwMock.commandCalls(DescribeAlarmHistoryCommand);
    expect(call.args[0].input).toMatchObject({
      AlarmName: alarmName, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], HistoryItemType: 'StateUpdate', ScanBy: 'TimestampAscending', StartDate: at('10:00:00'),
    });
  });

  test('completed, but the alarm was OK again only after the figure: OVER, exit 1', async () => {
    record('completed', [history('10:00:20', 'OK', 'ALARM'), history('10:01:30', 'ALARM', 'OK')]);
    expect(bound).toBeLessThan(90);
    const { result, text } = await run([writerLoss], transport);
    expect(result.exitCode).toBe(1);
    expect(result.rows[0]).toMatchObject({ measuredSeconds: 90, verdict: ProveVerdict.OVER });
    expect(text).toContain('Exit 1: a measured figure is over the computed one, or a run failed.');
  });

  test('completed, the stop alarm never went into ALARM: within, no figure', async () => {
    record('completed', []);
    const { result } = await run([writerLoss], transport);
    expect(result.rows[0]).toMatchObject({ verdict: ProveVerdict.WITHIN, measuredSeconds: undefined });
    expect(result.rows[0].detail).toContain(`its stop alarms (${alarmName}) never went into ALARM`);
  });

  test('completed, the alarm went into ALARM and stayed there: failed', async () => {
    record('completed', [history('10:00:20', 'OK', 'ALARM')]);
    const { result } = await run([writerLoss], transport);
    expect(result).toMatchObject({ exitCode: 1, rows: [{ verdict: ProveVerdict.FAILED, detail: expect.stringContaining(`${alarmName} went into ALARM and did not return to OK`) }] });
  });

  test.each([
    ['stopped by its stop condition', 'stopped', 'Experiment stopped by stop condition', ProveVerdict.FAILED, 1],
    ['failed', 'failed', 'Target resolution failed', ProveVerdict.FAILED, 1],
    ['running', 'running', undefined, ProveVerdict.RUNNING, 0],
  ])('the last experiment %s', async (_, status, reason, verdict, exitCode) => {
    record(status, [], reason);
    const { result } = await run([writerLoss], transport);
    expect(result).toMatchObject({ exitCode, rows: [{ verdict, runId: 'EXPlast' }] });
    expect(result.rows[0].detail).toBe(`experiment EXPlast of ${templateId} ${status}${reason ? ` (${reason})` : ''}`);
    expect(cwMock.commandCalls(DescribeAlarmHistoryCommand)).toHaveLength(0);
  });

  test('never run: no template with the drill\'s Name tag, or no experiment of it', async () => {
    const noTemplate = new RecordedTransport({ 'GET /experimentTemplates': ok({ experimentTemplates: [{ id: 'EXTother', tags: { Name: 'elsewhere' } }] }) });
    expect((await run([writerLoss], noTemplate)).result.rows[0]).toMatchObject({ verdict: ProveVerdict.NEVER_RUN, detail: expect.stringContaining(`no experiment template tagged Name=${writerLoss.experiment!.nameTag}`) });
    const noExperiment = new RecordedTransport({ 'GET /experimentTemplates': templates, 'GET /experiments': ok({ experiments: [{ id: 'EXPforeign', experimentTemplateId: 'EXTother' }] }) });
    expect((await run([writerLoss], noExperiment)).result.rows[0]).toMatchObject({ verdict: ProveVerdict.NEVER_RUN, detail: `template ${templateId} has no experiment` });
  });
});

describe('zonal autoshift practice runs', () => {
  const lbArn = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/S-Lb-1/abc';
  const run1 = (id: string, start: string, status: string, outcome: string) => ({
    zonalShiftId: id, resourceIdentifier: lbArn, awayFrom: 'euw1-az1', startTime: epoch(start), expiryTime: epoch(start) + 1800, status, shiftType: 'PRACTICE_RUN', practiceRunOutcome: outcome, comment: 'weekly',
  });
  function record(items: unknown[]) {
    cfnMock.on(DescribeStacksCommand, { StackName: 'S' }).resolves({ Stacks: [{
      StackName: 'S', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE',
      Outputs: [{ OutputKey: autoshift.practiceRuns!.loadBalancerArnOutput.outputKey, OutputValue: lbArn }],
    }] });
    return new RecordedTransport({ 'GET /zonalshifts': ok({ items }) });
  }

  test('the last conclusive practice run succeeded: within (an interrupted one after it says nothing)', async () => {
    const t = record([
      run1('zs-1', '2026-11-24T03:00:00Z', 'EXPIRED', 'SUCCEEDED'),
      run1('zs-2', '2026-12-01T03:00:00Z', 'CANCELED', 'INTERRUPTED'),
      { ...run1('zs-0', '2026-12-02T03:00:00Z', 'EXPIRED', 'SUCCEEDED'), shiftType: 'ZONAL_SHIFT', practiceRunOutcome: undefined },
    ]);
    const { result } = await run([autoshift], t);
    expect(result).toMatchObject({ exitCode: 0, rows: [{ path: 'zone', verdict: ProveVerdict.WITHIN, runId: 'zs-1', measuredSeconds: undefined }] });
    expect(result.rows[0].detail).toBe('practice run zs-1 away from euw1-az1 EXPIRED, outcome SUCCEEDED (1 interrupted run ignored): the outcome alarms stayed OK');
    expect(t.requests).toEqual([expect.objectContaining({
      hostname: 'arc-zonal-shift.eu-west-1.amazonaws.com', method: 'GET', path: '/zonalshifts', query: { resourceIdentifier: lbArn }, service: 'arc-zonal-shift', region: 'eu-west-1',
    })]);
  });

  test.each([
    ['failed (an outcome alarm fired)', 'EXPIRED', 'FAILED', ProveVerdict.FAILED, 1],
    ['failed its capacity check', 'EXPIRED', 'CAPACITY_CHECK_FAILED', ProveVerdict.FAILED, 1],
    ['is in progress', 'ACTIVE', 'PENDING', ProveVerdict.RUNNING, 0],
  ])('the last practice run %s', async (_, status, outcome, verdict, exitCode) => {
    const { result } = await run([autoshift], record([run1('zs-9', '2026-12-01T03:00:00Z', status, outcome)]));
    expect(result).toMatchObject({ exitCode, rows: [{ verdict, runId: 'zs-9' }] });
  });

  test('never run: the stack has no output (not deployed with the drills), or no practice run', async () => {
    cfnMock.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'S', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [] }] });
    expect((await run([autoshift])).result.rows[0]).toMatchObject({ verdict: ProveVerdict.NEVER_RUN, detail: expect.stringContaining('has no output') });
    expect((await run([autoshift], record([]))).result.rows[0]).toMatchObject({ verdict: ProveVerdict.NEVER_RUN, detail: `no practice run of ${lbArn}` });
  });
});

describe('the ledger', () => {
  test('--json: the rows, verdicts and exit code', async () => {
    const t = new RecordedTransport({ ListPlansInRegion: ok({ plans: [] }) });
    const { text } = await run([plan], t, true);
    expect(JSON.parse(text)).toMatchObject({ dryRun: false, exitCode: 0, rows: [{ path: 'cross-region-failover', verdict: 'never run', kind: 'region-switch-plan' }] });
  });

  test('a drill of two paths: one row per path, judged against the larger figure', async () => {
    const two: ProveDrill = { ...plan, paths: [{ id: 'dns', computedSeconds: 150 }, { id: 'browser', computedSeconds: 40 }] };
    const planArn = 'arn:aws:arc-region-switch::123456789012:plan/p:1';
    const item = { planArn, executionId: 'e1', startTime: epoch('2026-12-01T10:00:00Z'), executionState: 'completed', actualRecoveryTime: 'PT2M' };
    const t = new RecordedTransport({ ListPlansInRegion: ok({ plans: [{ arn: planArn, name: plan.plan!.planName }] }), ListPlanExecutions: ok({ items: [item] }), GetPlanExecution: ok(item) });
    const { result } = await run([two], t);
    expect(result.rows.map(r => [r.path, r.computedSeconds, r.measuredSeconds, r.verdict])).toEqual([['dns', 150, 120, ProveVerdict.WITHIN], ['browser', 40, 120, ProveVerdict.WITHIN]]);
    expect(result.rows[1].detail).toContain('judged against the drill\'s worst case, 150 s, of paths dns, browser');
  });
});

test('ISO 8601 durations', () => {
  expect(isoSeconds('PT1M30S')).toBe(90);
  expect(isoSeconds('PT2H')).toBe(7200);
  expect(isoSeconds('PT0.5S')).toBe(0.5);
  expect(isoSeconds('P1DT1S')).toBe(86401);
  expect(() => isoSeconds('90s')).toThrow('not an ISO 8601 duration: 90s');
});
