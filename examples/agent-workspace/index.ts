import { App } from 'aws-cdk-lib';
import { ExampleContext, ExampleDefinition, exampleSettings } from '../context';
import { addConfigServer } from './config-server';
import { addAgentWebTier } from './web';

/** Browser-based agent desktop: two-region active-spare web tier with latency DNS, per-site names and browser failover, and a cold-standby configuration server with proxies in both regions. */
export const agentWorkspace: ExampleDefinition = {
  name: 'agent-workspace',
  description: 'Browser-based agent desktop: two-region active-spare web tier with latency DNS, per-site names and browser failover, and a cold-standby configuration server with proxies in both regions.',
  build(app: App): ExampleContext {
    const ctx = new ExampleContext(app, 'agent-workspace', exampleSettings(app));
    addAgentWebTier(ctx);
    addConfigServer(ctx);
    return ctx;
  },
};
