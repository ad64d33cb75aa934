import { App, Duration, Stack } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { RecoveryObjectives, RecoveryStep } from '../../lib';
import { testApp, testEnv } from '../harness';

function setup(targets?: { rto?: Duration; rpo?: Duration }) {
  const app = testApp();
  const stack = new Stack(app, 'Rto', { env: testEnv() });
  const healthCheck = new route53.HealthCheck(stack, 'Check', {
    type: route53.HealthCheckType.HTTPS,
    fqdn: 'agents.example.com',
    requestInterval: Duration.seconds(10),
    failureThreshold: 3,
  });
  const zone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' });
  const record = new route53.CnameRecord(stack, 'Record', { zone, recordName: 'agents', domainName: 'site.example.com', ttl: Duration.seconds(60) });
  const objectives = new RecoveryObjectives(stack, 'Objectives', { pattern: 'Test', detection: 'health check', targets });
  objectives.addRecoveryPath('dns', [
    RecoveryStep.route53HealthCheck('Route 53 health check', healthCheck),
    RecoveryStep.dnsTtl('DNS cache', record),
  ]);
  objectives.addRecoveryPath('browser', [RecoveryStep.fixed('heartbeat', Duration.seconds(15), '3 missed 5 s heartbeats')], { target: Duration.seconds(30) });
  objectives.addDataLossBound(RecoveryStep.fixed('replication', Duration.seconds(1), 'typical lag'));
  objectives.addDataLossBound(RecoveryStep.fixed('checkpoint', Duration.seconds(5), 'checkpoint every 5 s'));
  return { app, stack, healthCheck, objectives };
}

describe('RecoveryObjectives', () => {
  test('computes each path from the synthesized settings and the RTO as the slowest path', () => {
    const { objectives } = setup();
    const paths = objectives.paths;
    expect(paths.map(p => [p.name, p.total.toSeconds()])).toEqual([['dns', 90], ['browser', 15]]);
    expect(paths[0].steps[0]).toMatchObject({ component: 'Route 53 health check', derivation: '10 s interval x 3 failures' });
    expect(paths[0].steps[1]).toMatchObject({ derivation: 'record TTL 60 s' });
    expect(objectives.rto.toSeconds()).toBe(90);
  });

  test('the RPO is the largest data-loss bound', () => {
    expect(setup().objectives.rpo.toSeconds()).toBe(5);
  });

  test('changes made to the L1 settings after construction change the figures', () => {
    const { healthCheck, objectives } = setup();
    const cfn = healthCheck.node.defaultChild as route53.CfnHealthCheck;
    cfn.healthCheckConfig = { ...(cfn.healthCheckConfig as route53.CfnHealthCheck.HealthCheckConfigProperty), requestInterval: 30 };
    expect(objectives.paths[0].steps[0]).toMatchObject({ derivation: '30 s interval x 3 failures' });
    expect(objectives.rto.toSeconds()).toBe(150);
  });

  test('reports JSON-friendly figures', () => {
    const report = setup({ rto: Duration.seconds(120), rpo: Duration.seconds(10) }).objectives.toReport();
    expect(report).toMatchObject({
      pattern: 'Test', rtoSeconds: 90, rpoSeconds: 5, rtoTargetSeconds: 120, rpoTargetSeconds: 10,
      paths: [{ name: 'dns', totalSeconds: 90, targetSeconds: 120 }, { name: 'browser', totalSeconds: 15, targetSeconds: 30 }],
    });
  });

  test('a met target synthesizes', () => {
    const { app } = setup({ rto: Duration.seconds(90), rpo: Duration.seconds(5) });
    expect(() => app.synth()).not.toThrow();
  });

  test('fails synth when an RTO target cannot be met, naming the slowest component', () => {
    const { app } = setup({ rto: Duration.seconds(60) });
    expect(() => app.synth()).toThrow(
      /Rto\/Objectives.*recovery time target not met: the 'dns' path takes 1 minute 30 seconds worst case, target 1 minute; slowest component: DNS cache \(record TTL 60 s = 1 minute\)/s);
  });

  test('fails synth when a per-path target cannot be met', () => {
    const app = new App({ builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'S');
    const o = new RecoveryObjectives(stack, 'O', { pattern: 'T', detection: 'd' });
    o.addRecoveryPath('browser', [RecoveryStep.fixed('heartbeat', Duration.seconds(45), '3 x 15 s')], { target: Duration.seconds(30) });
    expect(() => app.synth()).toThrow(/the 'browser' path takes 45 seconds worst case, target 30 seconds; slowest component: heartbeat/);
  });

  test('fails synth when an RPO target cannot be met, naming the largest contributor', () => {
    const { app } = setup({ rpo: Duration.seconds(1) });
    expect(() => app.synth()).toThrow(/recovery point target not met: up to 5 seconds of data can be lost, target 1 second; largest contributor: checkpoint/);
  });

  test('a pattern without state or paths reports zero', () => {
    const stack = new Stack(testApp(), 'S');
    const o = new RecoveryObjectives(stack, 'O', { pattern: 'T', detection: 'd' });
    expect([o.rto.toSeconds(), o.rpo.toSeconds()]).toEqual([0, 0]);
  });

  test('finds every declared objective in a tree', () => {
    const { app } = setup();
    expect(RecoveryObjectives.within(app).map(o => o.node.path)).toEqual(['Rto/Objectives']);
  });
});
