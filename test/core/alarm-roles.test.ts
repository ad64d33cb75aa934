/**
 * The alarm model over every pattern of every reference architecture: each
 * alarm's actions follow its role (no trigger pages on its own, every
 * notifying alarm pages on ALARM and OK, informational alarms page nobody and
 * are listed as such in their pattern's README), and missing data follows
 * the signal kind.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { EXAMPLES } from '../../examples';
import { AlarmRole, HaPattern } from '../../lib';
import { testApp } from '../harness';
import { README_FOLDER } from '../pattern-fixtures';


interface Row { example: string; pattern: string; alarm: string; role: AlarmRole; actions: number; okActions: number; readme: string }

function rows(): Row[] {
  return EXAMPLES.flatMap(example => {
    const app = testApp();
    example.build(app);
    app.synth();
    return app.node.findAll().filter(HaPattern.isHaPattern).flatMap(pattern => pattern.alarms.map(alarm => {
      const cfn = alarm.node.defaultChild as cloudwatch.CfnAlarm | cloudwatch.CfnCompositeAlarm;
      const r = Stack.of(cfn).resolve({ a: cfn.alarmActions, o: cfn.okActions }) as { a?: unknown[]; o?: unknown[] };
      return {
        example: example.name,
        pattern: pattern.patternName,
        alarm: alarm.node.path,
        role: pattern.roleOf(alarm),
        actions: r.a?.length ?? 0,
        okActions: r.o?.length ?? 0,
        readme: fs.readFileSync(path.join(__dirname, '..', '..', 'lib', README_FOLDER[pattern.patternName], 'README.md'), 'utf8'),
      };
    }));
  });
}

describe('alarm roles over every example', () => {
  const all = rows();

  test('every pattern of every example is covered', () => {
    expect(new Set(all.map(r => r.pattern))).toEqual(new Set(Object.keys(README_FOLDER)));
  });

  test('no failover trigger has actions of its own', () => {
    expect(all.filter(r => r.role === AlarmRole.FAILOVER_TRIGGER && r.actions + r.okActions > 0).map(r => r.alarm)).toEqual([]);
  });

  test('every notifying alarm notifies on ALARM and on OK, the same targets', () => {
    const notifying = all.filter(r => r.role === AlarmRole.NOTIFYING);
    expect(notifying.length).toBeGreaterThan(20);
    expect(notifying.filter(r => r.actions === 0 || r.okActions !== r.actions).map(r => `${r.alarm} ${r.actions}/${r.okActions}`)).toEqual([]);
  });

  test('an informational alarm pages nobody and its pattern\'s README lists it as informational', () => {
    const informational = all.filter(r => r.role === AlarmRole.INFORMATIONAL);
    expect(informational.filter(r => r.actions + r.okActions > 0).map(r => r.alarm)).toEqual([]);
    const undocumented = informational.filter(r => {
      const id = r.alarm.split('/').pop()!;
      return !r.readme.split('\n').some(line => line.includes(id) && /informational/i.test(line));
    });
    expect(undocumented.map(r => `${r.pattern}: ${r.alarm}`)).toEqual([]);
  });
});
