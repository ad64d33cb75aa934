/**
 * The settings `WorkerPool` passes to its workers (no AWS SDK import: the
 * construct writes them at synthesis, `JobHeartbeat.fromEnvironment` reads
 * them in the worker, and the pool's recovery figure reads them back from the
 * synthesized task definition).
 */

/** Environment variables `WorkerPool` sets on its worker container. */
export const JobEnvironment = {
  /** URL of the job queue. */
  QUEUE_URL: 'QUEUE_URL',
  /** (ms, whole seconds) how long each heartbeat keeps the job invisible, counted from the heartbeat; the queue's visibility timeout. */
  VISIBILITY_TIMEOUT_MS: 'HA_JOB_VISIBILITY_TIMEOUT_MS',
  /** (ms) how often a live worker extends the visibility of the job it holds; shorter than the visibility timeout. */
  HEARTBEAT_INTERVAL_MS: 'HA_JOB_HEARTBEAT_INTERVAL_MS',
  /** (ms) how long after its receipt a job is kept invisible at most; the job then reappears even if its worker still runs it. */
  MAX_DURATION_MS: 'HA_JOB_MAX_DURATION_MS',
} as const;

/**
 * The longest SQS keeps a received message invisible, counted from its
 * receipt: 12 hours (`ChangeMessageVisibility` rejects an extension beyond it).
 */
export const SQS_MAX_VISIBILITY_MS = 12 * 60 * 60 * 1000;
