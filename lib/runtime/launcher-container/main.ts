/**
 * The launcher container's entry point (bundled with `sdk-shim.ts` in place of
 * the AWS SDK; see lib/lease/launcher-container.ts): holds the lease with
 * `LeaseClient`, writes the `held` marker the application's gate waits for,
 * publishes the lease metrics as EMF lines on stdout, exits before the lease
 * can lapse, and releases it on SIGTERM.
 */
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LAUNCHER_HELD_MARKER, LauncherEnvironment, LauncherFailback, LeaseLauncher } from '../launcher';
import { LeaseClient, uniqueHolderId } from '../lease';
import { LeaseClaim } from '../lease-claim';
import { LeaseEnvironment } from '../protocol';

/** Runs the launcher in this process. */
export function main(env: Record<string, string | undefined> = process.env): LeaseLauncher {
  const need = (key: string) => {
    const v = env[key];
    if (!v) throw new Error(`environment variable ${key} is not set`);
    return v;
  };
  const gateDir = need(LauncherEnvironment.GATE_DIR);
  const stopMarginMs = Number(need(LauncherEnvironment.STOP_MARGIN_MS));
  const renewIntervalMs = Number(need(LeaseEnvironment.RENEW_INTERVAL_MS));
  const client = new DynamoDBClient({});
  const lease = LeaseClient.fromEnvironment(client, uniqueHolderId(), env);
  const failback = env[LauncherEnvironment.FAILBACK];
  if (failback !== undefined && failback !== LauncherFailback.CLAIM && failback !== LauncherFailback.YIELD) {
    throw new Error(`${LauncherEnvironment.FAILBACK} is '${failback}': expected '${LauncherFailback.CLAIM}', '${LauncherFailback.YIELD}' or unset`);
  }
  const claim = failback === undefined ? undefined : new LeaseClaim({
    client, tableName: need(LeaseEnvironment.TABLE_NAME), leaseName: lease.leaseName, holderId: lease.holderId,
    claimTtlMs: LeaseClaim.ttlMs(renewIntervalMs, Number(need(LeaseEnvironment.MAX_CLOCK_SKEW_MS))),
  });
  const log = (message: string) => process.stderr.write(`launcher: ${message}\n`);
  const launcher = new LeaseLauncher({
    lease,
    renewIntervalMs,
    stopMarginMs,
    onHeld: () => {
      mkdirSync(gateDir, { recursive: true });
      writeFileSync(join(gateDir, LAUNCHER_HELD_MARKER), `${lease.holderId} token ${lease.token}\n`);
      log(`holds lease '${lease.leaseName}' (token ${lease.token}): the application starts`);
      if (failback === LauncherFailback.CLAIM) claim!.clear().catch(e => log(`clearing the claim failed: ${(e as Error).message ?? String(e)}`));
    },
    shouldYield: failback === LauncherFailback.YIELD ? () => claim!.isClaimedByAnother() : undefined,
    onWaiting: failback === LauncherFailback.CLAIM ? async () => void await claim!.claim() : undefined,
    onExit: (code, reason) => {
      log(reason);
      process.exit(code);
    },
    onError: e => log(`renewal attempt failed: ${(e as Error).message ?? String(e)}`),
  });
  process.on('SIGTERM', () => void launcher.shutdown());
  process.on('SIGINT', () => void launcher.shutdown());
  log(`contending for lease '${lease.leaseName}' as ${lease.holderId}`);
  launcher.start();
  return launcher;
}

main();
