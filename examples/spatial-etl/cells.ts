import { ExampleContext } from '../context';

/** Component of the reference architecture (owned by the active-active (issue 6) pattern work; filled in there). */
export function addSpatialCells(_ctx: ExampleContext): void {
  // added by the active-active (issue 6) pattern
}
