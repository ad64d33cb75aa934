import { JobEnvironment, SQS_MAX_VISIBILITY_MS } from './job-protocol';

/**
 * The part of an SQS client the heartbeat uses: pass an AWS SDK v3
 * `SQSClient` (`@aws-sdk/client-sqs`).
 */
export interface JobVisibilityClient {
  /** Sends a command (here only `ChangeMessageVisibilityCommand`). */
  send(command: object): Promise<unknown>;
}

/** Options of a `JobHeartbeat`. */
export interface JobHeartbeatOptions {
  /** SQS client (AWS SDK v3 `SQSClient`). */
  readonly client: JobVisibilityClient;
  /** URL of the job queue. */
  readonly queueUrl: string;
  /**
   * How long each extension keeps the job invisible, counted from the
   * extension, in milliseconds (whole seconds, as SQS takes them): the time a
   * dead worker's job waits before it reappears.
   */
  readonly visibilityTimeoutMs: number;
  /**
   * How often the visibility is extended, in milliseconds; shorter than the
   * visibility timeout, so that a slow or retried call still lands in time.
   * @default a third of the visibility timeout
   */
  readonly heartbeatIntervalMs?: number;
  /**
   * The longest a job is kept invisible, counted from its receipt, in
   * milliseconds: the heartbeat never extends past it, so a job that hangs on
   * a live worker reappears then. At most 12 hours (the SQS limit).
   * @default 12 hours
   */
  readonly maxJobDurationMs?: number;
  /** @default Date.now */
  readonly clock?: () => number;
}

/** Why a job's visibility was lost while its worker still ran it. */
export enum JobVisibilityLoss {
  /** An extension failed (after the SDK's own retries): the job may reappear. */
  EXTENSION_FAILED = 'extension-failed',
  /** The job ran for the maximum job duration: it reappears now. */
  MAX_JOB_DURATION = 'max-job-duration',
}

/**
 * The reason of a `JobVisibility.signal` that was aborted: the job's message
 * may be (or is) visible to other workers while this one still runs it.
 */
export class JobVisibilityLostError extends Error {
  constructor(
    /** Why the visibility was lost. */
    public readonly reason: JobVisibilityLoss,
    /** The receipt handle of the job's message. */
    public readonly receiptHandle: string,
    message: string,
    /** The failed extension's error (as `cause`), for `EXTENSION_FAILED`. */
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'JobVisibilityLostError';
    Object.setPrototypeOf(this, JobVisibilityLostError.prototype);
  }
}

/** Options of `JobHeartbeat.keepVisible()`. */
export interface KeepVisibleOptions {
  /**
   * When the message was received (by the heartbeat's clock): the maximum
   * job duration counts from it. Read the clock before `ReceiveMessage` to
   * stay within the SQS limit with a 12-hour maximum.
   * @default when keepVisible() is called
   */
  readonly receivedAtMs?: number;
  /**
   * Called once when the visibility is lost (the signal is aborted at the
   * same time). It must not throw.
   * @default nothing: watch `signal`
   */
  readonly onLost?: (error: JobVisibilityLostError) => void;
}

/** A job whose message a `JobHeartbeat` keeps invisible. */
export interface JobVisibility {
  /**
   * Aborted, with a `JobVisibilityLostError` as its reason, when the job's
   * message may reappear while the job runs: stop the job, do not delete the
   * message (another worker may hold it by then).
   */
  readonly signal: AbortSignal;
  /** Successful extensions so far. */
  readonly extensions: number;
  /**
   * Stops extending and waits for an extension in flight. Call it when the
   * job is done, before deleting the message (an extension of a deleted
   * message would fail).
   */
  stop(): Promise<void>;
}

/**
 * Keeps the jobs a worker holds invisible to other workers while it runs
 * them: it extends each job message's visibility (`ChangeMessageVisibility`)
 * every heartbeat interval, by the visibility timeout. A live worker's long
 * job never reappears; a dead worker's job reappears one visibility timeout
 * after its last heartbeat at most.
 *
 * The extensions run on timers of this process: a job that blocks the event
 * loop (synchronous CPU work) for longer than the visibility timeout minus
 * the interval delays them; run such work in a worker thread or child process.
 *
 * ```ts
 * const heartbeat = JobHeartbeat.fromEnvironment(sqs);   // the settings WorkerPool passes
 * const result = await heartbeat.run(message.ReceiptHandle!, signal => buildSchedule(message.Body!, signal));
 * await sqs.send(new DeleteMessageCommand({ QueueUrl: heartbeat.queueUrl, ReceiptHandle: message.ReceiptHandle! }));
 * ```
 */
export class JobHeartbeat {
  /**
   * A heartbeat configured from the environment `WorkerPool` sets
   * (`QUEUE_URL`, `HA_JOB_VISIBILITY_TIMEOUT_MS`, `HA_JOB_HEARTBEAT_INTERVAL_MS`,
   * `HA_JOB_MAX_DURATION_MS`).
   */
  public static fromEnvironment(client: JobVisibilityClient, env: Record<string, string | undefined> = process.env): JobHeartbeat {
    const need = (key: string) => {
      const v = env[key];
      if (!v) throw new Error(`environment variable ${key} is not set`);
      return v;
    };
    const optional = (key: string) => (env[key] ? Number(env[key]) : undefined);
    return new JobHeartbeat({
      client,
      queueUrl: need(JobEnvironment.QUEUE_URL),
      visibilityTimeoutMs: Number(need(JobEnvironment.VISIBILITY_TIMEOUT_MS)),
      heartbeatIntervalMs: optional(JobEnvironment.HEARTBEAT_INTERVAL_MS),
      maxJobDurationMs: optional(JobEnvironment.MAX_DURATION_MS),
    });
  }

  /** URL of the job queue. */
  public readonly queueUrl: string;
  /** How long each extension keeps a job invisible (ms). */
  public readonly visibilityTimeoutMs: number;
  /** How often the visibility is extended (ms). */
  public readonly heartbeatIntervalMs: number;
  /** The longest a job is kept invisible, from its receipt (ms). */
  public readonly maxJobDurationMs: number;

  private readonly client: JobVisibilityClient;
  private readonly clock: () => number;

  constructor(options: JobHeartbeatOptions) {
    const vt = options.visibilityTimeoutMs;
    if (!(Number.isInteger(vt) && vt >= 1000 && vt % 1000 === 0 && vt <= SQS_MAX_VISIBILITY_MS)) {
      throw new Error(`visibilityTimeoutMs (${vt}) must be whole seconds from 1000 to ${SQS_MAX_VISIBILITY_MS} (SQS takes 1 s to 12 h)`);
    }
    const interval = options.heartbeatIntervalMs ?? Math.floor(vt / 3);
    if (!(interval > 0 && interval < vt)) {
      throw new Error(`heartbeatIntervalMs (${interval}) must be above 0 and below visibilityTimeoutMs (${vt}): ` +
        'an extension must land before the visibility of the last one ends');
    }
    const max = options.maxJobDurationMs ?? SQS_MAX_VISIBILITY_MS;
    if (!(max > 0 && max <= SQS_MAX_VISIBILITY_MS)) {
      throw new Error(`maxJobDurationMs (${max}) must be above 0 and at most ${SQS_MAX_VISIBILITY_MS} (SQS keeps a message invisible 12 h at most from its receipt)`);
    }
    this.client = options.client;
    this.queueUrl = options.queueUrl;
    this.visibilityTimeoutMs = vt;
    this.heartbeatIntervalMs = interval;
    this.maxJobDurationMs = max;
    this.clock = options.clock ?? Date.now;
  }

  /**
   * Starts extending the visibility of one received message every heartbeat
   * interval until `stop()`, a failed extension or the maximum job duration.
   * An extension never reaches past the receipt + the maximum job duration.
   */
  public keepVisible(receiptHandle: string, options: KeepVisibleOptions = {}): JobVisibility {
    const receivedAt = options.receivedAtMs ?? this.clock();
    const deadline = receivedAt + this.maxJobDurationMs;
    const controller = new AbortController();
    let stopped = false;
    let extensions = 0;
    let timer: NodeJS.Timeout | undefined;
    let inFlight: Promise<void> = Promise.resolve();

    const lose = (error: JobVisibilityLostError) => {
      if (stopped) return;
      stopped = true;
      if (timer) clearTimeout(timer);
      controller.abort(error);
      options.onLost?.(error);
    };
    const schedule = (at: number) => {
      if (!stopped) timer = setTimeout(beat, Math.max(0, at - this.clock()));
    };
    const beat = () => {
      if (stopped) return;
      const now = this.clock();
      // Whole seconds, and never past the deadline.
      const seconds = Math.min(this.visibilityTimeoutMs / 1000, Math.floor((deadline - now) / 1000));
      if (seconds < 1) {
        lose(new JobVisibilityLostError(JobVisibilityLoss.MAX_JOB_DURATION, receiptHandle,
          `job ran for the maximum job duration (${this.maxJobDurationMs} ms): its message is visible again; stop the job and do not delete the message`));
        return;
      }
      inFlight = this.extend(receiptHandle, seconds).then(
        () => {
          extensions++;
          schedule(Math.min(now + this.heartbeatIntervalMs, deadline));
        },
        (e: unknown) => lose(new JobVisibilityLostError(JobVisibilityLoss.EXTENSION_FAILED, receiptHandle,
          `extending the visibility of the job failed (${(e as { name?: string }).name ?? 'error'}: ${(e as { message?: string }).message ?? String(e)}): ` +
          'its message may reappear for another worker; stop the job and do not delete the message', e)),
      );
    };
    schedule(Math.min(receivedAt + this.heartbeatIntervalMs, deadline));

    return {
      signal: controller.signal,
      get extensions() { return extensions; },
      stop: async () => {
        stopped = true;
        if (timer) clearTimeout(timer);
        await inFlight;
      },
    };
  }

  /**
   * Runs `job` while keeping its message invisible, and stops extending when
   * the job settles (resolved or rejected). Delete the message afterwards,
   * unless the signal was aborted.
   */
  public async run<T>(receiptHandle: string, job: (signal: AbortSignal) => Promise<T>, options?: KeepVisibleOptions): Promise<T> {
    const visibility = this.keepVisible(receiptHandle, options);
    try {
      return await job(visibility.signal);
    } finally {
      await visibility.stop();
    }
  }

  private async extend(receiptHandle: string, seconds: number): Promise<void> {
    await this.client.send(changeVisibilityCommand({ QueueUrl: this.queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: seconds }));
  }
}

/**
 * A `ChangeMessageVisibilityCommand`. `@aws-sdk/client-sqs` is loaded on
 * first use, so the runtime's other clients work without it installed.
 */
function changeVisibilityCommand(input: { QueueUrl: string; ReceiptHandle: string; VisibilityTimeout: number }): object {
  const sqs = require('@aws-sdk/client-sqs') as typeof import('@aws-sdk/client-sqs');
  return new sqs.ChangeMessageVisibilityCommand(input);
}
