import { App } from 'aws-cdk-lib';
import { ExampleContext, ExampleDefinition, exampleSettings } from '../context';
import { addWorkforceAppServer } from './app-server';
import { addWorkforceDatabase } from './database';
import { addWorkforceProcesses } from './processes';
import { addWorkforceWebApplication } from './web';

/** Workforce management suite: warm standby application server, hot standby data aggregator, singleton ETL and notification daemons, schedule-builder worker pool, load-balanced web application, one HA database. */
export const workforceManagement: ExampleDefinition = {
  name: 'workforce-management',
  description: 'Workforce management suite: warm standby application server, hot standby data aggregator, singleton ETL and notification daemons, schedule-builder worker pool, load-balanced web application, one HA database.',
  build(app: App): ExampleContext {
    const ctx = new ExampleContext(app, 'workforce-management', exampleSettings(app));
    addWorkforceDatabase(ctx);
    addWorkforceAppServer(ctx);
    addWorkforceProcesses(ctx);
    addWorkforceWebApplication(ctx);
    return ctx;
  },
};
