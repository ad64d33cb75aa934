import { ExampleContext } from '../context';

/** Component of the reference architecture (owned by the warm-standby / worker-pool work; filled in there). */
export function addWorkforceAppServer(_ctx: ExampleContext): void {
  // added by the warm standby pair and worker pool patterns (issue 5)
}
