/** What one probe sample saw. */
export interface ProbeSample {
  /** 1 when the watched primary did not answer (or answered that it cannot serve), else 0. */
  readonly unreachable: 0 | 1;
  /** What was seen, for the logs. */
  readonly detail: string;
}

/** How a probe samples within one scheduled invocation. */
export interface SamplingOptions {
  /** Milliseconds between samples, aligned to the clock (so each alarm period gets its samples). */
  readonly intervalMs: number;
  /** How long one invocation samples (the schedule starts the next one every minute). */
  readonly runMs: number;
  /** Clock, for tests. */
  readonly now: () => number;
  /** Waits, for tests. */
  readonly sleep: (ms: number) => Promise<void>;
}

/**
 * Samples `check` at once, then at every multiple of `intervalMs` of the clock
 * until `runMs` has passed, handing each sample and its start time to `emit`.
 * A sample at the start covers the alarm period the invocation starts in,
 * even when the schedule runs a few seconds late.
 */
export async function sampleFor(check: () => Promise<ProbeSample>, emit: (sample: ProbeSample, at: number) => void,
  options: SamplingOptions): Promise<ProbeSample[]> {
  const start = options.now();
  const samples: ProbeSample[] = [];
  for (;;) {
    const at = options.now();
    const sample = await check();
    emit(sample, at);
    samples.push(sample);
    const next = (Math.floor(at / options.intervalMs) + 1) * options.intervalMs;
    if (next - start >= options.runMs) return samples;
    await options.sleep(Math.max(0, next - options.now()));
  }
}

/** The metric and dimension a sample is published under. */
export interface ProbeMetricName {
  readonly namespace: string;
  readonly name: string;
  readonly dimension: string;
}

/**
 * One sample as a CloudWatch embedded-metric-format line for the function's
 * log group, at high resolution (StorageResolution 1), so alarms may
 * evaluate it in 10-second periods.
 */
export function sampleMetricLine(metric: ProbeMetricName, dimensionValue: string, sample: ProbeSample, at: number): string {
  return JSON.stringify({
    _aws: {
      Timestamp: at,
      CloudWatchMetrics: [{
        Namespace: metric.namespace, Dimensions: [[metric.dimension]],
        Metrics: [{ Name: metric.name, Unit: 'None', StorageResolution: 1 }],
      }],
    },
    [metric.dimension]: dimensionValue,
    [metric.name]: sample.unreachable,
    detail: sample.detail,
  });
}

/**
 * Runs `call` with an abort signal that fires after `timeoutMs`, and gives up on it then even if
 * the call ignores the signal: a call without an answer by then is a failed sample.
 */
export async function withTimeout<T>(timeoutMs: number, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`no answer in ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([call(controller.signal), expired]);
  } catch (e) {
    if (controller.signal.aborted) throw new Error(`no answer in ${timeoutMs} ms`);
    throw e;
  } finally {
    clearTimeout(timer);
  }
}
