/**
 * cdk-ha-patterns browser failover helper: a dependency-free ES module.
 *
 *   import { startFailover } from './failover.js';
 *   const failover = startFailover({ heartbeatPath: '/health' });
 *   realtime.onclose = () => failover.reportFailure('real-time channel lost');
 *
 * The backup sites come from the page's URL: `?site-1=agents.us-east-1.example.com`
 * (then `site-2`, `site-3`... in order of preference). A value is a host with an
 * optional port (HTTPS is assumed) or an origin with an explicit scheme
 * (`http://127.0.0.1:8081`, for tests on loopback). Entries naming the current
 * host are skipped.
 *
 * The helper requests the heartbeat path of the current site every
 * `heartbeatIntervalMs`. After `missedHeartbeats` consecutive failures (no 2xx
 * within `heartbeatTimeoutMs`, or failures the app reports), it shows a notice
 * (`#ha-failover-notice`, role=alert), checks that a backup answers, and moves
 * the page there, keeping path, query and hash. Worst case from the site's
 * failure to navigation:
 *   missedHeartbeats x heartbeatIntervalMs + heartbeatTimeoutMs + max(noticeMs, heartbeatTimeoutMs).
 *
 * No flapping: the helper never watches the site it left, so it never moves
 * back because that site recovered; the moved page lists the old site last,
 * and for `holdDownMs` after arriving by failover it does not move again on
 * missed heartbeats (only an explicit `failover()` does).
 */

/** Default settings (the CDK construct computes the tier's recovery time from the same values). */
export const DEFAULTS = Object.freeze({
  heartbeatPath: '/health',
  heartbeatIntervalMs: 5000,
  heartbeatTimeoutMs: 3000,
  missedHeartbeats: 3,
  noticeMs: 2000,
  holdDownMs: 60000,
  siteParamPrefix: 'site-',
  noticeText: 'The connection to this site was lost. A failover is in progress: moving you to the backup site\u2026',
});

const FAILOVER_FROM = 'ha-failover-from';
const FAILOVER_AT = 'ha-failover-at';
const NOTICE_ID = 'ha-failover-notice';

/**
 * Turns a `site-N` value into an origin: `host[:port]` becomes `https://host[:port]`,
 * `http(s)://host[:port]` is kept. Anything else (paths, other schemes) is rejected.
 * @param {string} value
 * @returns {string | undefined}
 */
export function siteOrigin(value) {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (!text) return undefined;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  let url;
  try {
    url = new URL(withScheme);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (!url.hostname || url.username || url.password) return undefined;
  if ((url.pathname && url.pathname !== '/') || url.search || url.hash) return undefined;
  return url.origin;
}

/**
 * The backup origins listed in `search` (`?site-1=...&site-2=...`), in order, without the current origin.
 * @param {string} search the page's `location.search`
 * @param {string} currentOrigin the page's `location.origin`
 * @param {string} [prefix]
 * @returns {string[]}
 */
export function backupSites(search, currentOrigin, prefix = DEFAULTS.siteParamPrefix) {
  const params = new URLSearchParams(search);
  const numbered = [];
  for (const [key, value] of params) {
    if (!key.startsWith(prefix)) continue;
    const n = Number(key.slice(prefix.length));
    if (!Number.isInteger(n) || n < 1) continue;
    const origin = siteOrigin(value);
    if (origin) numbered.push({ n, origin });
  }
  numbered.sort((a, b) => a.n - b.n);
  const seen = new Set([currentOrigin]);
  const result = [];
  for (const { origin } of numbered) {
    if (seen.has(origin)) continue;
    seen.add(origin);
    result.push(origin);
  }
  return result;
}

/**
 * The URL to move to: same path, query and hash on `target`; the backup list
 * rewritten for the new site (the remaining backups, then the site left).
 * @param {URL | Location} current
 * @param {string} target origin to move to
 * @param {string[]} backups backup origins of the current page
 * @param {string} [prefix]
 * @param {number} [now]
 * @returns {string}
 */
export function failoverUrl(current, target, backups, prefix = DEFAULTS.siteParamPrefix, now = Date.now()) {
  const url = new URL(current.pathname + current.search + current.hash, target);
  for (const key of [...url.searchParams.keys()]) {
    if (key.startsWith(prefix) || key === FAILOVER_FROM || key === FAILOVER_AT) url.searchParams.delete(key);
  }
  const next = [...backups.filter(o => o !== target), current.origin];
  next.forEach((origin, i) => url.searchParams.set(`${prefix}${i + 1}`, displaySite(origin)));
  url.searchParams.set(FAILOVER_FROM, new URL(current.origin).host);
  url.searchParams.set(FAILOVER_AT, String(now));
  return url.toString();
}

/** `https://host` is written as `host`; other schemes keep theirs. */
function displaySite(origin) {
  return origin.startsWith('https://') ? origin.slice('https://'.length) : origin;
}

/**
 * Starts watching the current site.
 * @param {import('./failover').FailoverOptions} [options]
 * @returns {import('./failover').FailoverController}
 */
export function startFailover(options = {}) {
  const o = { ...DEFAULTS, ...options };
  const win = o.window ?? globalThis.window;
  const loc = win.location;
  const backups = o.backupSites ?? backupSites(loc.search, loc.origin, o.siteParamPrefix);
  const arrivedAt = Number(new URLSearchParams(loc.search).get(FAILOVER_AT));
  const holdDownUntil = Number.isFinite(arrivedAt) && arrivedAt > 0 ? arrivedAt + o.holdDownMs : 0;
  const heartbeatUrl = new URL(o.heartbeatPath, loc.href).toString();

  let missed = 0;
  let state = 'watching';
  let timer;
  let inFlight = false;

  const setState = (next, detail) => {
    state = next;
    win.document.documentElement.dataset.haFailover = next;
    if (o.onStateChange) o.onStateChange(next, detail);
  };

  const probe = async (url, mode) => {
    const controller = new AbortController();
    const t = setTimeout(() => controller.abort(), o.heartbeatTimeoutMs);
    try {
      const response = await win.fetch(url, { cache: 'no-store', credentials: mode === 'cors' ? 'same-origin' : 'omit', mode, signal: controller.signal });
      // A no-cors probe of another origin is opaque: reaching it is what counts.
      return mode === 'no-cors' ? true : response.ok;
    } catch {
      return false;
    } finally {
      clearTimeout(t);
    }
  };

  const miss = reason => {
    if (state !== 'watching') return;
    missed += 1;
    if (o.onMissed) o.onMissed(missed, reason);
    if (missed >= o.missedHeartbeats) {
      if (Date.now() < holdDownUntil) {
        setState('held', { reason: `${reason} (hold-down after a failover)` });
        missed = 0;
        state = 'watching';
        return;
      }
      void failover(reason);
    }
  };

  const beat = async () => {
    if (state !== 'watching' || inFlight) return;
    inFlight = true;
    const ok = await probe(heartbeatUrl, 'cors');
    inFlight = false;
    if (ok) {
      missed = 0;
    } else {
      miss('heartbeat failed');
    }
  };

  const showNotice = reason => {
    const doc = win.document;
    let notice = doc.getElementById(NOTICE_ID);
    if (!notice) {
      notice = doc.createElement('div');
      notice.id = NOTICE_ID;
      notice.setAttribute('role', 'alert');
      notice.setAttribute('aria-live', 'assertive');
      notice.style.cssText = 'position:fixed;top:0;left:0;right:0;z-index:2147483647;padding:12px 16px;' +
        'background:#b45309;color:#fff;font:600 15px/1.4 system-ui,sans-serif;text-align:center;box-shadow:0 2px 6px rgba(0,0,0,.3)';
      (doc.body ?? doc.documentElement).appendChild(notice);
    }
    notice.textContent = o.noticeText;
    notice.dataset.reason = reason;
    notice.hidden = false;
  };

  const failover = async reason => {
    if (state === 'failing-over' || state === 'stopped') return;
    clearInterval(timer);
    setState('failing-over', { reason });
    showNotice(reason);
    const noticeShown = new Promise(resolve => setTimeout(resolve, o.noticeMs));
    let target;
    for (const origin of backups) {
      if (await probe(new URL(o.heartbeatPath, origin).toString(), 'no-cors')) {
        target = origin;
        break;
      }
    }
    await noticeShown;
    if (!target) {
      // No backup answers: stay, keep the notice, and try again on the next interval.
      setState('watching', { reason: 'no backup site reachable' });
      missed = o.missedHeartbeats - 1;
      timer = setInterval(beat, o.heartbeatIntervalMs);
      return;
    }
    setState('moving', { reason, target });
    loc.assign(failoverUrl(loc, target, backups, o.siteParamPrefix));
  };

  timer = setInterval(beat, o.heartbeatIntervalMs);

  return {
    get state() { return state; },
    get backupSites() { return [...backups]; },
    reportFailure(reason = 'reported by the application') { miss(reason); },
    failover(reason = 'requested by the application') { return failover(reason); },
    stop() { clearInterval(timer); setState('stopped'); },
  };
}
