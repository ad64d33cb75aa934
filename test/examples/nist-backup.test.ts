/**
 * The NIST 800-53 R5 gate for the backup tier: cdk-nag's NIST80053R5Checks
 * over every example (one synthesis each), asserting that no stateful
 * resource is left outside a backup plan (the rules named `*InBackupPlan`)
 * and that every load balancer has deletion protection
 * (`ELBDeletionProtectionEnabled`). Other NIST findings are out of its scope.
 */
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { NIST80053R5Checks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { EXAMPLES } from '../../examples';
import { testApp, testEnv } from '../harness';

/** The unacknowledged NIST findings under `scope`, as `rule at construct path`. */
function nistFindingsOf(scope: IConstruct): string[] {
  const report = new NIST80053R5Checks().validateScope(scope);
  return report.violations.flatMap(v => v.violatingResources.map(r => `${v.ruleName} at ${(r as { constructPath?: string }).constructPath ?? r.resourceLogicalId}`));
}

/** The NIST findings of one example, built once (synthesized first, so aspects and acknowledgements have run). */
function nistFindings(name: string): string[] {
  const app = testApp();
  EXAMPLES.find(e => e.name === name)!.build(app);
  try {
    app.synth();
  } catch {
    // another gate's failure (its own tests report it); the pack reads the tree either way
  }
  return nistFindingsOf(app);
}

test('the backup rules find a database outside any backup plan (the gate below can fail)', () => {
  const app = testApp();
  const stack = new Stack(app, 'Control', { env: testEnv() });
  new rds.DatabaseInstance(stack, 'Db', { engine: rds.DatabaseInstanceEngine.POSTGRES, vpc: new ec2.Vpc(stack, 'Vpc') });
  expect(nistFindingsOf(app).filter(f => /RDSInBackupPlan/.test(f)).length).toBeGreaterThan(0);
});

/** Every example (the test below checks the list is EXAMPLES'). */
const NAMES = ['workforce-management', 'agent-workspace', 'automation-engine', 'messaging-gateway', 'spatial-etl'];

test('covers every example', () => {
  expect(EXAMPLES.map(e => e.name).sort()).toEqual([...NAMES].sort());
});

describe.each(NAMES)('NIST 800-53 R5 over the %s example', name => {
  const findings = nistFindings(name);

  test('every stateful resource is in a backup plan (no *InBackupPlan finding)', () => {
    expect(findings.filter(f => /InBackupPlan/.test(f))).toEqual([]);
  });

  test('every load balancer has deletion protection (no ELBDeletionProtectionEnabled finding)', () => {
    expect(findings.filter(f => /ELBDeletionProtectionEnabled/.test(f))).toEqual([]);
  });

  test('the pack ran (it reports findings of other rules, so an empty backup list is not an empty report)', () => {
    expect(findings.length).toBeGreaterThan(0);
  });
});
