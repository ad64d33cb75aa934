import { App } from 'aws-cdk-lib';
import { ExampleContext, ExampleDefinition, exampleSettings } from '../context';
import { addAutomationSites } from './sites';

/** Automation engine: multi-site active-active processes in two regions (a third by one context value), same-site preference with fallback, hot-standby switch per site, zero-downtime upgrades. */
export const automationEngine: ExampleDefinition = {
  name: 'automation-engine',
  description: 'Automation engine: multi-site active-active processes in two regions (a third by one context value), same-site preference with fallback, hot-standby switch per site, zero-downtime upgrades.',
  build(app: App): ExampleContext {
    const ctx = new ExampleContext(app, 'automation-engine', exampleSettings(app));
    addAutomationSites(ctx);
    return ctx;
  },
};
