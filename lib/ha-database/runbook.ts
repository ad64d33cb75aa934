/**
 * The steps of the database's switchover and failover runbooks (SSM Automation).
 *
 * `FailoverGlobalCluster` and `SwitchoverGlobalCluster` only start the
 * operation: right after the call the global cluster still reports the old
 * writer and `available` (its `FailoverState` is `pending` at most). A runbook
 * that read the status then would report success before the promotion had
 * started. So after the call the runbook waits until the global cluster names
 * the target cluster as its writer (`GlobalClusterMembers[].IsWriter`) with no
 * operation in progress (`FailoverState` empty), then until it is `available`.
 */

/** Name of the step that waits for the new writer. */
export const WAIT_FOR_WRITER_STEP = 'WaitForNewWriter';
/** Name of the step that waits for the global cluster to be available again. */
export const WAIT_FOR_AVAILABLE_STEP = 'WaitForGlobalClusterAvailable';

/**
 * How long one attempt of the wait polls: `aws:executeScript` runs at most
 * 600 s (Systems Manager's limit), so the script stops just before and the
 * step is attempted `WAIT_ATTEMPTS` times.
 */
export const WAIT_ATTEMPT_SECONDS = 570;
/** Attempts of the wait step: 3 x 570 s, about 28 minutes in all. */
export const WAIT_ATTEMPTS = 3;
/** Seconds between two DescribeGlobalClusters calls. */
export const WAIT_POLL_SECONDS = 10;

/**
 * The Python handler of the wait step (`aws:executeScript`, python3.11). It is
 * given the global cluster's identifier and the target cluster's ARN; it
 * returns the new writer once `DescribeGlobalClusters` reports the target as a
 * writer and no switchover or failover in progress (after a failover with the
 * primary region gone, the old primary may stay listed until it returns), and raises (the step
 * fails, the runbook reports failure) when that does not happen in time.
 */
export const WAIT_FOR_WRITER_SCRIPT = `import time

import boto3


def wait_for_writer(events, context):
    rds = boto3.client("rds")
    target = events["TargetDbClusterArn"]
    deadline = time.time() + int(events["TimeoutSeconds"])
    while True:
        cluster = rds.describe_global_clusters(GlobalClusterIdentifier=events["GlobalClusterIdentifier"])["GlobalClusters"][0]
        writers = [m.get("DBClusterArn") for m in cluster.get("GlobalClusterMembers", []) if m.get("IsWriter")]
        operation = (cluster.get("FailoverState") or {}).get("Status")
        if target in writers and not operation:
            return {"Writer": target, "Status": cluster.get("Status")}
        seen = "writer %s, operation %s, status %s" % (writers or "none", operation or "none", cluster.get("Status"))
        if time.time() >= deadline:
            raise Exception("%s is not the writer of %s yet (%s); the step is retried, then the runbook fails" % (target, events["GlobalClusterIdentifier"], seen))
        print(seen)
        time.sleep(int(events["PollSeconds"]))
`;

/** The steps after the switchover or failover call: wait for the target to be the writer, then for `available`. */
export function waitForPromotionSteps(globalClusterIdentifier: string, targetClusterArn: string): Record<string, unknown>[] {
  return [
    {
      name: WAIT_FOR_WRITER_STEP,
      action: 'aws:executeScript',
      timeoutSeconds: 600,
      maxAttempts: WAIT_ATTEMPTS,
      inputs: {
        Runtime: 'python3.11',
        Handler: 'wait_for_writer',
        Script: WAIT_FOR_WRITER_SCRIPT,
        InputPayload: {
          GlobalClusterIdentifier: globalClusterIdentifier,
          TargetDbClusterArn: targetClusterArn,
          TimeoutSeconds: WAIT_ATTEMPT_SECONDS,
          PollSeconds: WAIT_POLL_SECONDS,
        },
      },
      outputs: [{ Name: 'Writer', Selector: '$.Payload.Writer', Type: 'String' }],
    },
    {
      name: WAIT_FOR_AVAILABLE_STEP,
      action: 'aws:waitForAwsResourceProperty',
      timeoutSeconds: 1800,
      inputs: {
        Service: 'rds', Api: 'DescribeGlobalClusters', GlobalClusterIdentifier: globalClusterIdentifier,
        PropertySelector: '$.GlobalClusters[0].Status', DesiredValues: ['available'],
      },
    },
  ];
}
