import { App } from 'aws-cdk-lib';
import { ExampleContext, ExampleDefinition, exampleSettings } from '../context';
import { addGatewayDatabase } from './database';
import { addGateway } from './gateway';

/** Messaging gateway: primary/secondary servers over an HA SQL Server database, NLB with TCP and UDP listeners, notifications on offline and restore, promotion runbook, status dashboard. */
export const messagingGateway: ExampleDefinition = {
  name: 'messaging-gateway',
  description: 'Messaging gateway: primary/secondary servers over an HA SQL Server database, NLB with TCP and UDP listeners, notifications on offline and restore, promotion runbook, status dashboard.',
  build(app: App): ExampleContext {
    const ctx = new ExampleContext(app, 'messaging-gateway', exampleSettings(app));
    addGatewayDatabase(ctx);
    addGateway(ctx);
    return ctx;
  },
};
