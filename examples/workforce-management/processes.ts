import { ExampleContext } from '../context';

/** Component of the reference architecture (owned by the singleton / hot-standby work; filled in there). */
export function addWorkforceProcesses(_ctx: ExampleContext): void {
  // added by the process patterns (issue 5) pattern
}
