import { Stack } from 'aws-cdk-lib';
import { Drills, HaPattern } from '../lib';
import { ExampleContext } from './context';

/** The context value that turns the drills on: `cdk synth -c drills=true`. */
export const DRILLS_CONTEXT = 'drills';

/**
 * Adds the drills of an example (FIS experiments, Region switch plans,
 * Resilience Hub policies) when `-c drills=true` is set; otherwise adds
 * nothing, so the examples deploy without them by default. Zonal autoshift
 * practice runs stay off: they shift production traffic weekly, a choice
 * for the deployer (`-c drillsZonalAutoshift=true`).
 */
export function addDrills(ctx: ExampleContext): Drills | undefined {
  if (!isOn(ctx.app.node.tryGetContext(DRILLS_CONTEXT))) return undefined;
  const patterns = ctx.app.node.findAll()
    .filter(HaPattern.isHaPattern)
    .filter(p => Stack.of(p).stackName.startsWith(`${ctx.name}-`));
  if (patterns.length === 0) return undefined;
  return new Drills(ctx.shared, 'Drills', {
    patterns,
    zonalAutoshift: isOn(ctx.app.node.tryGetContext('drillsZonalAutoshift')),
    // Practice runs keep out of the working day of the examples' primary region.
    practiceRunBlockedWindows: ['Mon:07:00-Mon:18:00', 'Tue:07:00-Tue:18:00', 'Wed:07:00-Wed:18:00', 'Thu:07:00-Thu:18:00', 'Fri:07:00-Fri:18:00'],
  });
}

function isOn(value: unknown): boolean {
  return value === true || value === 'true';
}
