#!/usr/bin/env node
/**
 * Synthesizes the reference architectures: all of them by default,
 * one with `-c example=<name>`. Accounts and regions are context values
 * with defaults (see examples/context.ts), so no credentials are needed.
 */
import { App } from 'aws-cdk-lib';
import { EXAMPLES } from '../examples';
import { addDrills } from '../examples/drills';

const app = new App();
const selected = app.node.tryGetContext('example') as string | undefined;
const examples = selected ? EXAMPLES.filter(e => e.name === selected) : EXAMPLES;
if (examples.length === 0) {
  throw new Error(`unknown example '${selected}': choose one of ${EXAMPLES.map(e => e.name).join(', ')}`);
}
for (const example of examples) addDrills(example.build(app));
app.synth();
