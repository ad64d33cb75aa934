import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { HaDatabase } from '../../lib';
import { WAIT_ATTEMPTS, WAIT_FOR_WRITER_SCRIPT } from '../../lib/ha-database/runbook';
import { peeredVpcs } from '../config-server/site-vpc';
import { testApp, testEnv } from '../harness';

const TARGET = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds:us-east-1:123456789012:cluster:orders-global-us-east-1']] };

describe('HaDatabase runbooks wait for the promotion', () => {
  const app = testApp();
  const primary = new Stack(app, 'Primary', { env: testEnv('eu-west-1') });
  const secondary = new Stack(app, 'Secondary', { env: testEnv('us-east-1') });
  const { primaryVpc, secondaryVpc } = peeredVpcs(primary, secondary);
  new HaDatabase(primary, 'Db', {
    vpc: primaryVpc, secondary: { stack: secondary, vpc: secondaryVpc }, globalClusterIdentifier: 'orders-global',
  });
  const t = Template.fromStack(secondary);
  const documents = Object.values(t.findResources('AWS::SSM::Document')).map(d => d.Properties.Content);

  test.each([['SwitchoverGlobalCluster'], ['FailoverGlobalCluster']])('%s: the call, then a wait until this cluster is the writer, then until the global cluster is available', api => {
    const content = documents.find(c => c.mainSteps[0].inputs.Api === api);
    expect(content.mainSteps.map((s: { name: string; action: string }) => [s.name, s.action])).toEqual([
      [api, 'aws:executeAwsApi'],
      ['WaitForNewWriter', 'aws:executeScript'],
      ['WaitForGlobalClusterAvailable', 'aws:waitForAwsResourceProperty'],
    ]);
    expect(content.mainSteps[0].inputs).toMatchObject({ GlobalClusterIdentifier: 'orders-global', TargetDbClusterIdentifier: TARGET });
    // the waited property: the target cluster as the global cluster's writer, no operation in progress
    const wait = content.mainSteps[1];
    expect(wait).toMatchObject({
      timeoutSeconds: 600, maxAttempts: WAIT_ATTEMPTS,
      inputs: {
        Runtime: 'python3.11', Handler: 'wait_for_writer', Script: WAIT_FOR_WRITER_SCRIPT,
        InputPayload: { GlobalClusterIdentifier: 'orders-global', TargetDbClusterArn: TARGET, TimeoutSeconds: 570, PollSeconds: 10 },
      },
    });
    expect(wait.inputs.Script).toMatch(/describe_global_clusters/);
    expect(wait.inputs.Script).toMatch(/IsWriter/);
    expect(wait.inputs.Script).toMatch(/FailoverState/);
    expect(content.mainSteps[2]).toMatchObject({
      timeoutSeconds: 1800,
      inputs: { Api: 'DescribeGlobalClusters', GlobalClusterIdentifier: 'orders-global', PropertySelector: '$.GlobalClusters[0].Status', DesiredValues: ['available'] },
    });
    expect(content.outputs).toEqual(['WaitForNewWriter.Writer']);
  });

  test('the runbook role may describe the global cluster, which the wait reads', () => {
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{
        Action: 'rds:DescribeGlobalClusters', Effect: 'Allow',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds::123456789012:global-cluster:orders-global']] },
      }]) },
    });
  });
});

/** The wait script, run by the local Python against a fake boto3 that answers DescribeGlobalClusters from a list. */
const hasPython = spawnSync('python3', ['--version']).status === 0;
function runWait(answers: unknown[], timeoutSeconds = 30): { ok: boolean; out: unknown; calls: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wait-for-writer-'));
  fs.writeFileSync(path.join(dir, 'runbook_script.py'), WAIT_FOR_WRITER_SCRIPT);
  const harness = `
import json, sys, types
answers = json.loads(sys.argv[1])
state = {"calls": 0, "now": 0.0}
class Rds:
    def describe_global_clusters(self, GlobalClusterIdentifier):
        assert GlobalClusterIdentifier == "orders-global"
        answer = answers[min(state["calls"], len(answers) - 1)]
        state["calls"] += 1
        return {"GlobalClusters": [answer]}
boto3 = types.ModuleType("boto3")
boto3.client = lambda name: Rds()
sys.modules["boto3"] = boto3
import time
time.time = lambda: state["now"]
def sleep(s): state["now"] += s
time.sleep = sleep
sys.path.insert(0, ${JSON.stringify(dir)})
import runbook_script
try:
    out = runbook_script.wait_for_writer({"GlobalClusterIdentifier": "orders-global", "TargetDbClusterArn": "arn:aws:rds:us-east-1:1:cluster:b",
        "TimeoutSeconds": ${timeoutSeconds}, "PollSeconds": 10}, None)
    print(json.dumps({"ok": True, "out": out, "calls": state["calls"]}))
except Exception as e:
    print(json.dumps({"ok": False, "out": str(e), "calls": state["calls"]}))
`;
  const stdout = execFileSync('python3', ['-c', harness, JSON.stringify(answers)], { encoding: 'utf8' });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

const A = 'arn:aws:rds:eu-west-1:1:cluster:a';
const B = 'arn:aws:rds:us-east-1:1:cluster:b';
const members = (writer?: string) => [{ DBClusterArn: A, IsWriter: writer === A }, { DBClusterArn: B, IsWriter: writer === B }];

(hasPython ? describe : describe.skip)('the wait step\'s script (skipped only where no python3 is installed)', () => {
  test('right after the call (old writer, available, operation pending) it keeps waiting; it returns once the target is the writer and the operation is over', () => {
    const result = runWait([
      { Status: 'available', GlobalClusterMembers: members(A), FailoverState: { Status: 'pending', ToDbClusterArn: B } },
      { Status: 'failing-over', GlobalClusterMembers: members(), FailoverState: { Status: 'failing-over', ToDbClusterArn: B } },
      { Status: 'failing-over', GlobalClusterMembers: members(B), FailoverState: { Status: 'failing-over', ToDbClusterArn: B } },
      { Status: 'available', GlobalClusterMembers: members(B), FailoverState: {} },
    ]);
    expect(result).toEqual({ ok: true, out: { Writer: B, Status: 'available' }, calls: 4 });
  });

  test('after a failover with the primary region gone, a stale old primary still listed as writer does not hold it up', () => {
    const stale = [{ DBClusterArn: A, IsWriter: true }, { DBClusterArn: B, IsWriter: true }];
    expect(runWait([{ Status: 'available', GlobalClusterMembers: stale, FailoverState: {} }])).toEqual({ ok: true, out: { Writer: B, Status: 'available' }, calls: 1 });
  });

  test('fails (the runbook reports failure) when the target never becomes the writer, naming what it saw', () => {
    const result = runWait([{ Status: 'available', GlobalClusterMembers: members(A) }], 30);
    expect(result.ok).toBe(false);
    expect(result.out).toBe(`${B} is not the writer of orders-global yet (writer ['${A}'], operation none, status available); the step is retried, then the runbook fails`);
    expect(result.calls).toBe(4); // t = 0, 10, 20, 30 s
  });
});
