import { ExampleContext } from '../context';

/** Component of the reference architecture (owned by the process patterns (issue 5) pattern work; filled in there). */
export function addGateway(_ctx: ExampleContext): void {
  // added by the process patterns (issue 5) pattern
}
