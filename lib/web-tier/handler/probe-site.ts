import { SITE_PROBE_METRIC } from '../site-probe-metric';

/** A `fetch`-like function (injected so tests need no network). */
export type FetchLike = (url: string, init: { method: string; signal: AbortSignal; redirect: 'manual' }) => Promise<{ status: number }>;

/** What the probe requests and where it reports. */
export interface ProbeSiteInput {
  /** The health URL of the site being watched, e.g. `https://agents.eu-west-1.example.com/health`. */
  readonly url: string;
  /** A request without an answer in this time counts as a failure. */
  readonly timeoutMs: number;
}

/** What one probe saw. */
export interface ProbeSiteResult {
  /** 1 when the site answered 2xx in time, else 0. */
  readonly healthy: 0 | 1;
  /** The HTTP status, or the error. */
  readonly detail: string;
}

/**
 * Requests the watched site's health path once: healthy only on a 2xx
 * answer within the timeout (a redirect, an error status, a timeout or a
 * network error is unhealthy).
 */
export async function probeSite(fetchFn: FetchLike, input: ProbeSiteInput): Promise<ProbeSiteResult> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), input.timeoutMs);
  try {
    const response = await fetchFn(input.url, { method: 'GET', signal: controller.signal, redirect: 'manual' });
    const healthy = response.status >= 200 && response.status < 300 ? 1 : 0;
    return { healthy, detail: `HTTP ${response.status}` };
  } catch (error) {
    return { healthy: 0, detail: controller.signal.aborted ? `no answer in ${input.timeoutMs} ms` : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** The probe's result as a CloudWatch embedded-metric-format line for the function's log group. */
export function probeMetricLine(site: string, result: ProbeSiteResult, now: number): string {
  return JSON.stringify({
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [{ Namespace: SITE_PROBE_METRIC.namespace, Dimensions: [[SITE_PROBE_METRIC.dimension]], Metrics: [{ Name: SITE_PROBE_METRIC.name, Unit: 'None' }] }],
    },
    [SITE_PROBE_METRIC.dimension]: site,
    [SITE_PROBE_METRIC.name]: result.healthy,
    detail: result.detail,
  });
}
