// Public API of lib/runtime: the clients users' own processes import.
// protocol.ts and metrics.ts import no AWS SDK; lease, checkpoint and results need @aws-sdk/client-dynamodb.
export * from './protocol';
export * from './metrics';
export * from './lease';
export * from './checkpoint';
export * from './results';
// job-protocol imports no AWS SDK; job-heartbeat loads @aws-sdk/client-sqs on first use only.
export * from './job-protocol';
export * from './job-heartbeat';
export * from './launcher';
export * from './lease-claim';
