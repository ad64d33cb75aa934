import { ExampleContext } from '../context';

/** Component of the reference architecture (owned by the web tier (issue 3) pattern work; filled in there). */
export function addAgentWebTier(_ctx: ExampleContext): void {
  // added by the web tier (issue 3) pattern
}
