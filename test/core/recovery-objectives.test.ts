import { Duration, Stack } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { RecoveryObjectives, RecoveryStep, RecoveryTargets } from '../../lib';
import { testApp, testEnv } from '../harness';

const HC_TUNING = { prop: 'failureThreshold (1 to 10)', floor: Duration.seconds(10) };
const TTL_TUNING = { prop: 'recordTtl (0 to 60 s)', floor: Duration.seconds(0) };

function setup(targets?: RecoveryTargets) {
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
    RecoveryStep.route53HealthCheck('Route 53 health check', healthCheck, HC_TUNING),
    RecoveryStep.dnsTtl('DNS cache', record, TTL_TUNING),
  ]);
  objectives.addRecoveryPath('browser', [RecoveryStep.constant('heartbeat', Duration.seconds(15), '3 missed 5 s heartbeats')]);
  objectives.addDataLossBound(RecoveryStep.constant('replication', Duration.seconds(1), 'typical lag'));
  objectives.addDataLossBound(RecoveryStep.constant('checkpoint', Duration.seconds(5), 'checkpoint every 5 s'));
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

  test('a path declared again gets the new steps appended: its total is the sum', () => {
    const { objectives } = setup();
    objectives.addRecoveryPath('browser', [RecoveryStep.constant('spare', Duration.seconds(20), 'spare start')]);
    const browser = objectives.path('browser');
    expect(browser.steps.map(st => st.component)).toEqual(['heartbeat', 'spare']);
    expect(browser.total.toSeconds()).toBe(35);
    expect(objectives.pathIds).toEqual(['dns', 'browser']);
  });

  test('the fastest a path can be configured to is the sum of its steps\' floors', () => {
    const dns = setup().objectives.path('dns');
    expect(dns.fastest.toSeconds()).toBe(10 + 0);
    expect(dns.steps.map(s => s.tuning)).toEqual([HC_TUNING.prop, TTL_TUNING.prop]);
    expect(setup().objectives.path('browser').fastest.toSeconds()).toBe(15);
  });

  test('path() looks a path up by id and fails naming the known ids', () => {
    const { objectives } = setup();
    expect(objectives.path('browser').total.toSeconds()).toBe(15);
    expect(() => objectives.path('dsn')).toThrow(/Rto: invalid prop 'path': received "dsn"; expected one of the pattern's path ids: 'dns', 'browser'/);
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

  test('reports JSON-friendly figures, with per-path targets replacing the overall one', () => {
    const report = setup({ rto: Duration.seconds(120), rpo: Duration.seconds(10), paths: [{ path: 'browser', rto: Duration.seconds(30) }] }).objectives.toReport();
    expect(report).toMatchObject({
      pattern: 'Test', rtoSeconds: 90, rpoSeconds: 5, rtoTargetSeconds: 120, rpoTargetSeconds: 10,
      paths: [{ name: 'dns', totalSeconds: 90, fastestSeconds: 10, targetSeconds: 120 }, { name: 'browser', totalSeconds: 15, targetSeconds: 30 }],
    });
  });

  test('a target met exactly synthesizes', () => {
    const { app } = setup({ rto: Duration.seconds(90), rpo: Duration.seconds(5) });
    expect(() => app.synth()).not.toThrow();
  });

  test('fails synth when a reachable RTO target is missed, naming the prop that shortens the slowest tunable step', () => {
    const { app } = setup({ rto: Duration.seconds(60) });
    expect(() => app.synth()).toThrow(new RegExp(
      "recovery time target not met: the 'dns' path takes 90 s worst case, target 60 s \\(recoveryTargets.rto\\) = Route 53 health check 30 s \\+ DNS cache 60 s\\. " +
      'To meet it, set recordTtl \\(0 to 60 s\\) at its limit \\(\u221260 s\\) \u2192 30 s\\. ' +
      'The fastest this path can be configured to is 10 s'));
  });

  test('a per-path target is checked on its path only, and the error names its prop', () => {
    const { app } = setup({ paths: [{ path: 'browser', rto: Duration.seconds(10) }] });
    expect(() => app.synth()).toThrow(/the 'browser' path takes 15 s worst case, target 10 s \(recoveryTargets.paths\[0\].rto\) = heartbeat 15 s\. No setting meets it: the fastest this path can be configured to is 15 s \(heartbeat 15 s fixed\)\. Raise recoveryTargets.paths\[0\].rto to at least 15 s/);
  });

  test('a per-path target overrides the overall one for its path', () => {
    const { app } = setup({ rto: Duration.seconds(20), paths: [{ path: 'dns', rto: Duration.seconds(90) }] });
    expect(() => app.synth()).not.toThrow();
  });

  test('fails synth for a per-path target on an unknown path, naming the ids', () => {
    const { app } = setup({ paths: [{ path: 'browsr', rto: Duration.seconds(30) }] });
    expect(() => app.synth()).toThrow(/invalid prop 'recoveryTargets.paths\[0\].path': received "browsr"; expected one of the pattern's path ids: 'dns', 'browser'/);
  });

  test('an unknown path id on objectives without paths says none is declared', () => {
    const stack = new Stack(testApp(), 'Empty', { env: testEnv() });
    const objectives = new RecoveryObjectives(stack, 'Objectives', { pattern: 'Test', detection: 'none' });
    expect(() => objectives.path('dns')).toThrow(/invalid prop 'path': received "dns"; expected one of the pattern's path ids: \(none declared\)/);
    const { objectives: two } = setup();
    expect(() => two.path('dsn')).toThrow(/invalid prop 'path': received "dsn"; expected one of the pattern's path ids: 'dns', 'browser'$/);
  });

  test.each([
    [{ rto: Duration.seconds(0) }, 'recoveryTargets.rto'],
    [{ paths: [{ path: 'dns', rto: Duration.seconds(0) }] }, 'recoveryTargets.paths\\[0\\].rto'],
  ])('fails when a target is out of range: %o', (targets, prop) => {
    expect(() => setup(targets)).toThrow(new RegExp(`Rto: invalid prop '${prop}': received .*; expected a duration longer than 0: no recovery is instantaneous$`));
  });

  test('an RPO target of 0 is legal', () => {
    expect(() => setup({ rpo: Duration.seconds(0) })).not.toThrow();
  });

  test('a target the path can reach at its fastest exactly names the step to shorten, not "no setting"', () => {
    const { app } = setup({ rto: Duration.seconds(10) });
    expect(() => app.synth()).toThrow(/target 10 s \(recoveryTargets.rto\) = Route 53 health check 30 s \+ DNS cache 60 s\. To meet it, set failureThreshold \(1 to 10\) at its limit \(\u221220 s\) and recordTtl \(0 to 60 s\) at its limit \(\u221260 s\) \u2192 10 s\./);
  });

  test('the step to shorten is the slowest that can still be shortened: not one at its floor, not a fixed one', () => {
    const app = testApp();
    const stack = new Stack(app, 'Pick', { env: testEnv() });
    const objectives = new RecoveryObjectives(stack, 'Objectives', { pattern: 'Test', detection: 'none', targets: { rto: Duration.seconds(170) } });
    objectives.addRecoveryPath('failover', [
      RecoveryStep.tunable('at floor', Duration.seconds(60), 'a', { prop: 'propA', floor: Duration.seconds(60) }),
      RecoveryStep.tunable('shortenable', Duration.seconds(30), 'b', { prop: 'propB', floor: Duration.seconds(0) }),
      RecoveryStep.constant('fixed', Duration.seconds(100), 'c'),
    ]);
    expect(() => app.synth()).toThrow(/= at floor 60 s \+ shortenable 30 s \+ fixed 100 s\. To meet it, set propB at its limit \(\u221230 s\) \u2192 2 min 40 s\. The fastest this path can be configured to is .* \(at floor 60 s \+ shortenable 0 s \+ fixed 100 s fixed\); or raise recoveryTargets.rto\./);
  });

  test('messages give whole minutes and seconds, and fractions of a second in seconds', () => {
    const app = testApp();
    const stack = new Stack(app, 'Human', { env: testEnv() });
    const objectives = new RecoveryObjectives(stack, 'Objectives', { pattern: 'Test', detection: 'none', targets: { rto: Duration.seconds(60) } });
    objectives.addRecoveryPath('failover', [RecoveryStep.constant('slow', Duration.millis(150_500), 'x'), RecoveryStep.constant('slower', Duration.seconds(150), 'y')]);
    expect(() => app.synth()).toThrow(/the 'failover' path takes 300.5 s worst case, target 60 s \(recoveryTargets.rto\) = slow 150.5 s \+ slower 2 min 30 s\./);
  });

  test('the second of two per-path targets is named by its own index', () => {
    const { app } = setup({ paths: [{ path: 'dns', rto: Duration.minutes(2) }, { path: 'browser', rto: Duration.seconds(10) }] });
    expect(() => app.synth()).toThrow(/the 'browser' path takes 15 s worst case, target 10 s \(recoveryTargets.paths\[1\].rto\)/);
  });

  test('a missed RPO target whose largest contributor has a setting names it', () => {
    const app = testApp();
    const stack = new Stack(app, 'Rpo', { env: testEnv() });
    const objectives = new RecoveryObjectives(stack, 'Objectives', { pattern: 'Test', detection: 'none', targets: { rpo: Duration.seconds(1) } });
    objectives.addDataLossBound(RecoveryStep.tunable('checkpoint', Duration.seconds(5), 'checkpoint every 5 s', { prop: 'checkpointInterval', floor: Duration.seconds(1) }));
    expect(() => app.synth()).toThrow(
      'recovery point target not met: up to 5 s of data can be lost, target 1 s (recoveryTargets.rpo); largest contributor: checkpoint (checkpoint every 5 s). ' +
      'Lower it with checkpointInterval, or raise recoveryTargets.rpo.');
  });

  test('fails synth when an RPO target cannot be met, naming the largest contributor', () => {
    const { app } = setup({ rpo: Duration.seconds(1) });
    expect(() => app.synth()).toThrow(/recovery point target not met: up to 5 s of data can be lost, target 1 s \(recoveryTargets.rpo\); largest contributor: checkpoint \(checkpoint every 5 s\)\. No setting lowers it/);
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
