import { ExampleContext } from '../context';

/** Component of the reference architecture (owned by the HA database (issue 4) pattern work; filled in there). */
export function addWorkforceDatabase(_ctx: ExampleContext): void {
  // added by the HA database (issue 4) pattern
}
