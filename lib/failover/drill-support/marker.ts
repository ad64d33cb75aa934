import { IConstruct } from 'constructs';
import { IDrill } from '../drill-description';

const DRILL_SYMBOL = Symbol.for('cdk-ha-patterns.Drill');

/** Marks `drill` so `isDrill` finds it (across copies of the library in one app). */
export function markDrill(drill: IDrill): void {
  Object.defineProperty(drill, DRILL_SYMBOL, { value: true });
}

/** Whether `x` is a drill (a FaultExperiment, RegionSwitchPlan or ZonalAutoshift). */
export function isDrill(x: IConstruct): x is IDrill {
  return DRILL_SYMBOL in x;
}
