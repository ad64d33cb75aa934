import { Match } from 'aws-cdk-lib/assertions';
import { ActiveActiveCells } from '../../lib';
import { describeExampleGates, synthExample } from './example-suite';

describeExampleGates('spatial-etl');

describe('spatial-etl cells: every path survives its failure within the 2-minute target', () => {
  const { app, templates } = synthExample('spatial-etl');
  const cells = app.node.findAll().find((c): c is ActiveActiveCells => c instanceof ActiveActiveCells)!;

  test('each cell runs 2 tasks (one may be lost to a task or zone failure) and its own database with a reader', () => {
    const t = templates['spatial-etl-Cells'];
    t.resourcePropertiesCountIs('AWS::ECS::Service', { DesiredCount: 2 }, 3);
    t.resourcePropertiesCountIs('AWS::RDS::DBInstance', { PromotionTier: Match.anyValue() }, 6);
  });

  test('cell-task 100 s, zone 100 s, cell-database-writer 35 s against the 2-minute target, backup-restore 125 min against 3 h, each surviving its scenario', () => {
    expect(cells.recoveryObjectives.paths.map(p => [p.name, p.total.toSeconds(), p.target?.toSeconds()])).toEqual([
      ['cell-task', 100, 120], ['zone', 100, 120], ['cell-database-writer', 35, 120], ['backup-restore', 7500, 10800],
    ]);
    expect(cells.recoveryObjectives.pathIds.flatMap(id => cells.recoveryObjectives.scenarioOutcomes(id)).map(o => [o.scenario, o.survives])).toEqual([
      ['task-loss of eu-west-1', true], ['zone-loss of eu-west-1', true], ['database-writer-loss of eu-west-1', true], ['region-loss of eu-west-1', true],
    ]);
  });
});
