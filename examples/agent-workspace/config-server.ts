import { ExampleContext } from '../context';

/** Component of the reference architecture (owned by the config server (issue 4) pattern work; filled in there). */
export function addConfigServer(_ctx: ExampleContext): void {
  // added by the config server (issue 4) pattern
}
