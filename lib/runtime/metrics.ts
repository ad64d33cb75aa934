/** Namespace of the metrics the runtime clients publish. */
export const RUNTIME_METRICS_NAMESPACE = 'CdkHaPatterns/Lease';

/** Names of the metrics the runtime clients publish (dimensions `TableName`, `LeaseName`). */
export const RuntimeMetricNames = {
  /** 1 on every successful acquisition or renewal (Sum per minute; 0 / missing = lease not renewed). */
  HEARTBEAT: 'LeaseHeartbeat',
  /** 1 when the publishing process holds a valid lease after an attempt, else 0 (Maximum over processes: no leader when < 1). */
  HELD: 'LeaseHeld',
  /** 1 on every new acquisition (a new fencing token): a takeover or a restart. */
  ACQUIRED: 'LeaseAcquired',
  /** Milliseconds between a checkpointed record's arrival and its checkpoint. */
  CHECKPOINT_LAG: 'CheckpointLag',
} as const;

/** Where the runtime clients publish their metrics. */
export interface MetricsSink {
  /** Records one value of a metric. */
  put(name: string, value: number, unit: string): void;
}

/**
 * Publishes metrics as CloudWatch embedded metric format (EMF) lines on
 * stdout (or `write`). CloudWatch Logs extracts them from the log group the
 * lines land in (the awslogs driver of a Fargate task, a Lambda function's
 * log group): no permission and no API call needed.
 */
export class EmfMetricsSink implements MetricsSink {
  constructor(
    private readonly dimensions: Record<string, string>,
    private readonly write: (line: string) => void = line => process.stdout.write(line + '\n'),
    private readonly clock: () => number = Date.now,
    private readonly namespace: string = RUNTIME_METRICS_NAMESPACE,
  ) {}

  public put(name: string, value: number, unit: string): void {
    this.write(JSON.stringify({
      _aws: {
        Timestamp: this.clock(),
        CloudWatchMetrics: [{
          Namespace: this.namespace,
          Dimensions: [Object.keys(this.dimensions)],
          Metrics: [{ Name: name, Unit: unit }],
        }],
      },
      ...this.dimensions,
      [name]: value,
    }));
  }
}

/** Discards metrics (the default when no sink is given). */
export class NoMetricsSink implements MetricsSink {
  public put(): void {
    // nothing
  }
}
