import * as net from 'net';
import { ProbeSample, withTimeout } from './sampling';

/** What a data-plane check saw: whether the writer answered, and what was seen. */
export interface DataPlaneResult {
  /** The writer accepted the connection (TCP) or answered its health check with a 2xx (HTTP). */
  readonly ok: boolean;
  readonly detail: string;
}

/** What the primary region's control plane (its API) said about the writer. */
export interface ControlPlaneResult {
  /**
   * `serving`: the API answered that the writer runs; `down`: the API answered that it does not
   * (no writer, no running task, a status that does not serve); `error`: no answer in time, or an error.
   */
  readonly state: 'serving' | 'down' | 'error';
  readonly detail: string;
}

/**
 * One sample of a cross-region probe, from the surviving region: the writer is
 * lost only when the data plane fails (the writer does not accept a connection,
 * or does not answer its health check) AND the control plane does not contradict
 * it (its API fails, or says the writer is down).
 *
 * - A control-plane brownout alone (API errors, slow answers) never fails a
 *   sample: the writer still answers on the data plane.
 * - A data-plane failure that the control plane contradicts (the API answers
 *   that the writer serves) does not fail a sample either: that is a partition
 *   of the network between the regions, or a brownout of the writer that its
 *   own region repairs (an in-region failover); promoting the other region then
 *   would lose data while the primary still takes writes.
 * - Without a data-plane signal (no endpoint known yet) a sample never fails:
 *   API errors alone are never enough.
 *
 * The price: a real loss of the writer during which its region's API still
 * answers "serving" (a stale answer) is not detected until the API says
 * otherwise or fails; the library's figures count the probe's timeout once,
 * since both checks run side by side within it.
 */
export function confirmedLoss(data: DataPlaneResult | undefined, control: ControlPlaneResult): ProbeSample {
  if (!data) return { unreachable: 0, detail: `no data-plane signal (writer endpoint not known yet); control plane: ${control.detail}` };
  if (data.ok) return { unreachable: 0, detail: `data plane: ${data.detail}; control plane: ${control.detail}` };
  if (control.state === 'serving') {
    return { unreachable: 0, detail: `data plane failed (${data.detail}) but the control plane says the writer serves (${control.detail}): a partition or brownout, not an outage` };
  }
  return { unreachable: 1, detail: `data plane failed (${data.detail}); control plane: ${control.detail}` };
}

/** Opens a TCP connection to `host:port` and closes it: ok when it is accepted within `timeoutMs`. */
export function tcpConnect(host: string, port: number, timeoutMs: number): Promise<DataPlaneResult> {
  return new Promise(resolve => {
    const socket = net.connect({ host, port });
    let settled = false;
    const done = (result: DataPlaneResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done({ ok: false, detail: `${host}:${port}: no connection in ${timeoutMs} ms` }), timeoutMs);
    socket.once('connect', () => done({ ok: true, detail: `${host}:${port} accepts connections` }));
    socket.once('error', (e: Error) => done({ ok: false, detail: `${host}:${port}: ${e.message}` }));
  });
}

/** GETs `url`: ok when it answers with a 2xx within `timeoutMs` (redirects are not followed: a 3xx fails). */
export async function httpCheck(url: string, timeoutMs: number, fetcher: typeof fetch = fetch): Promise<DataPlaneResult> {
  try {
    const status = await withTimeout(timeoutMs, async signal => {
      const response = await fetcher(url, { method: 'GET', redirect: 'manual', signal });
      await response.body?.cancel();
      return response.status;
    });
    return { ok: status >= 200 && status < 300, detail: `${url} answered ${status}` };
  } catch (e) {
    return { ok: false, detail: `${url}: ${e instanceof Error ? e.message : String(e)}` };
  }
}
