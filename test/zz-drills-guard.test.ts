import { EXAMPLES } from '../examples';
import { addDrills, DRILLS_CONTEXT } from '../examples/drills';
import { acknowledgeGuardRules } from '../examples/guard-acknowledgements';
import { formatFindings, gateReport, testApp } from './harness';
test.each(EXAMPLES.map(e => [e.name, e] as const))('%s', (_n, e) => {
  const app = testApp({ validation: true, context: { [DRILLS_CONTEXT]: 'true', drillsZonalAutoshift: 'true' } });
  addDrills(e.build(app));
  acknowledgeGuardRules(app);
  const report = gateReport(app, { guard: true });
  expect(formatFindings(report.findings)).toEqual([]);
});
