import { Stack, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { gateReport, GUARD_PLUGIN, testApp, testEnv } from './harness';

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
