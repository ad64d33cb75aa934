/**
 * A user's own daemon: the runtime clients through `cdk-ha-patterns/lib/runtime`,
 * with the optional peer @aws-sdk/client-dynamodb installed (scripts/consumer-check.sh).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { fencedUpdate, LeaseClient, uniqueHolderId } from 'cdk-ha-patterns/lib/runtime';

// The environment SingletonDaemon sets on the task.
const env = {
  HA_LEASE_TABLE_NAME: 'leases', HA_LEASE_NAME: 'etl',
  HA_LEASE_DURATION_MS: '30000', HA_LEASE_RENEW_INTERVAL_MS: '10000', HA_LEASE_MAX_CLOCK_SKEW_MS: '1000',
};
const lease: LeaseClient = LeaseClient.fromEnvironment(new DynamoDBClient({ region: 'eu-west-1' }), uniqueHolderId(), env);
console.log(`lease valid: ${lease.isValid()}, fence: ${fencedUpdate(7).conditionExpression}`);
