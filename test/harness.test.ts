import * as fs from 'fs';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { gateReport, GUARD_PLUGIN, guardRulesFor, listGuardRuleFiles, testApp, testEnv, TypeScopedGuardValidator } from './harness';

describe('gateReport', () => {
  test('lists the Guard findings an acknowledgement suppressed beside those left, from one synthesis', () => {
    const app = testApp();
    const stack = new Stack(app, 'Harness', { env: testEnv() });
    // A queue without a dead-letter queue and without a KMS key: Guard's sqs_dlq_check and sqs_queue_encrypted_check.
    const queue = new Queue(stack, 'Queue');
    Validations.of(queue).acknowledge({ id: `${GUARD_PLUGIN}::sqs_dlq_check`, reason: 'test: acknowledged' });
    const report = gateReport(app, { guard: true });
    const guard = (f: { plugin: string }) => f.plugin === GUARD_PLUGIN;
    expect(report.findings.filter(guard).map(f => `${f.rule} at ${f.constructPath}`)).toEqual(['sqs_queue_encrypted_check at Harness/Queue/Resource']);
    expect(report.acknowledged.filter(guard).map(f => ({ rule: f.rule, constructPath: f.constructPath, at: f.acknowledgedAt, id: f.acknowledgedId, reason: f.reason })))
      .toEqual([{ rule: 'sqs_dlq_check', constructPath: 'Harness/Queue/Resource', at: 'Harness/Queue', id: `${GUARD_PLUGIN}::sqs_dlq_check`, reason: 'test: acknowledged' }]);
  });
});

describe('TypeScopedGuardValidator (the Guard gate over the rule files that can match)', () => {
  test('every Control Tower rule file selects resources by type only, and names the types it selects', () => {
    const typeless: string[] = [];
    for (const { file, types } of listGuardRuleFiles()) {
      const code = fs.readFileSync(file, 'utf8').split('\n').map(l => l.replace(/#.*$/, '')).join('\n');
      const selections = code.match(/Resources\.\*\s*(\[[^\]]{0,40})?/g) ?? [];
      for (const s of selections) {
        if (!/^Resources\.\*\s*\[\s*Type\s*(==|in|IN)\s/.test(s)) typeless.push(`${path.basename(file)}: ${s}`);
      }
      if (types.size === 0) typeless.push(`${path.basename(file)}: names no resource type`);
    }
    expect(listGuardRuleFiles().length).toBeGreaterThan(200);
    expect(typeless).toEqual([]);
  });

  test('picks the files that name a type of the templates', () => {
    const rules = guardRulesFor(new Set(['AWS::SQS::Queue']));
    expect(rules.length).toBeGreaterThan(0);
    for (const r of rules) expect(fs.readFileSync(r, 'utf8')).toContain('AWS::SQS::Queue');
    expect(guardRulesFor(new Set(['Custom::Nothing']))).toEqual([]);
  });

  test('finds what the full rule set finds', () => {
    const findings = (plugin: 'full' | 'scoped') => {
      const app = testApp();
      const stack = new Stack(app, 'Harness', { env: testEnv() });
      new Queue(stack, 'Queue');
      new s3.Bucket(stack, 'Bucket');
      new dynamodb.Table(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
      new logs.LogGroup(stack, 'Logs');
      Validations.of(app).addPlugins(plugin === 'full' ? new CfnGuardValidator() : new TypeScopedGuardValidator());
      try {
        app.synth();
      } catch {
        // findings fail synthesis; the report says which
      }
      const report = JSON.parse(fs.readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf8')) as {
        pluginReports: Array<{ pluginName: string; violations: Array<{ ruleName: string; violatingConstructs: Array<{ constructPath: string }> }> }>;
      };
      return report.pluginReports.flatMap(p => p.violations.flatMap(v => v.violatingConstructs.map(c => `${p.pluginName} ${v.ruleName} ${c.constructPath}`))).sort();
    };
    const full = findings('full');
    expect(full.length).toBeGreaterThan(3);
    expect(findings('scoped')).toEqual(full);
  });
});
