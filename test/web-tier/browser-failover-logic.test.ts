/**
 * The browser failover helper's decisions, in Node with a fake window and
 * fake timers: which backup it picks and in which order, when it moves,
 * when it holds, and what URL it moves to. browser-failover.test.ts runs
 * the same module in headless Chromium against real sites.
 */
import { backupSites, DEFAULTS, failoverUrl, FailoverOptions, siteOrigin, startFailover } from '../../lib/web-tier/browser/failover.js';

interface FakeElement {
  id: string;
  attributes: Record<string, string>;
  setAttribute(name: string, value: string): void;
  style: { cssText: string };
  dataset: Record<string, string>;
  hidden: boolean;
  textContent: string;
}

type Answer = 'ok' | 'error' | 'down' | 'hang';

/** A window on `href` whose fetch answers each URL's origin as `answers` says (default: ok). */
function fakeWindow(href: string, answers: Record<string, Answer> = {}, options: { withBody?: boolean } = {}) {
  const url = new URL(href);
  const elements = new Map<string, FakeElement>();
  const appended: FakeElement[] = [];
  const container = { appendChild: (el: FakeElement) => { appended.push(el); elements.set(el.id, el); } };
  const documentElement = { dataset: {} as Record<string, string>, ...container };
  const document = {
    documentElement,
    body: options.withBody === false ? null : { ...container },
    getElementById: (id: string) => elements.get(id) ?? null,
    createElement: (): FakeElement => ({
      id: '', attributes: {}, setAttribute(name, value) { this.attributes[name] = value; }, style: { cssText: '' }, dataset: {}, hidden: true, textContent: '',
    }),
  };
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fetch = jest.fn((target: string, init: RequestInit) => {
    calls.push({ url: target, init });
    const answer = answers[new URL(target).origin] ?? 'ok';
    if (answer === 'hang') {
      return new Promise((_, reject) => init.signal!.addEventListener('abort', () => reject(new Error('aborted'))));
    }
    if (answer === 'down') return Promise.reject(new TypeError('Failed to fetch'));
    return Promise.resolve({ ok: answer === 'ok' });
  });
  const assign = jest.fn();
  const location = { href, origin: url.origin, pathname: url.pathname, search: url.search, hash: url.hash, assign };
  const win = { location, document, fetch };
  return { win: win as unknown as Window, calls, assign, appended, document, setAnswer: (origin: string, a: Answer) => { answers[origin] = a; } };
}

const A = 'https://a.example.com';
const B = 'https://b.example.com';
const C = 'https://c.example.com';
const D = 'https://d.example.com';

/** Settings with round figures for the tests. */
const FAST: FailoverOptions = { heartbeatIntervalMs: 1_000, heartbeatTimeoutMs: 500, missedHeartbeats: 3, noticeMs: 700, holdDownMs: 10_000 };

describe('siteOrigin', () => {
  test.each([
    ['agents.example.com', 'https://agents.example.com'],
    ['  agents.example.com  ', 'https://agents.example.com'],
    ['agents.example.com:8443', 'https://agents.example.com:8443'],
    ['http://127.0.0.1:8081', 'http://127.0.0.1:8081'],
    ['HTTPS://Agents.Example.com', 'https://agents.example.com'],
    ['https://agents.example.com/', 'https://agents.example.com'],
  ])('%j is the origin %s', (value, origin) => {
    expect(siteOrigin(value)).toBe(origin);
  });

  test.each([
    ['not a string', 42],
    ['empty', ''],
    ['blank', '   '],
    ['another scheme', 'ftp://files.example.com'],
    ['javascript', 'javascript:alert(1)'],
    ['credentials', 'https://user:pw@agents.example.com'],
    ['a user only', 'https://user@agents.example.com'],
    ['a path', 'agents.example.com/login'],
    ['a query', 'agents.example.com?x=1'],
    ['a hash', 'agents.example.com#x'],
    ['no host', 'https://'],
  ])('rejects %s', (_, value) => {
    expect(siteOrigin(value as string)).toBeUndefined();
  });
});

describe('backupSites', () => {
  test('orders three or more sites by their number, not by their place in the URL or as text', () => {
    const search = `?site-10=${D}&site-3=c.example.com&site-1=a.example.com&site-2=b.example.com`;
    expect(backupSites(search, 'https://here.example.com')).toEqual([A, B, C, D]);
  });

  test('skips the current site and repeats, keeping the first place of each origin', () => {
    const search = '?site-1=here.example.com&site-2=b.example.com&site-3=a.example.com&site-4=b.example.com&site-5=c.example.com';
    expect(backupSites(search, 'https://here.example.com')).toEqual([B, A, C]);
  });

  test.each([
    ['a number below 1', '?site-0=a.example.com'],
    ['a negative number', '?site--1=a.example.com'],
    ['a fraction', '?site-1.5=a.example.com'],
    ['no number', '?site-=a.example.com&site-x=a.example.com'],
    ['another prefix', '?backup-1=a.example.com&xsite-1=a.example.com'],
    ['a key as long as the prefix, ending in a number', '?other2=a.example.com'],
    ['an invalid site', '?site-1=javascript:alert(1)'],
  ])('ignores %s', (_, search) => {
    // toStrictEqual: [undefined] would pass toEqual([])
    expect(backupSites(search, 'https://here.example.com')).toStrictEqual([]);
  });

  test('reads another prefix when given one', () => {
    expect(backupSites('?dc-2=b.example.com&dc-1=a.example.com&site-1=c.example.com', 'https://here.example.com', 'dc-')).toEqual([A, B]);
  });
});

describe('failoverUrl', () => {
  test('moving to the second of three backups lists the first, the third, then the site left', () => {
    const current = new URL('https://here.example.com/desk?site-1=a.example.com&site-2=b.example.com&site-3=c.example.com&q=1#top');
    const url = new URL(failoverUrl(current, B, [A, B, C], 'site-', 1234));
    expect(url.origin).toBe(B);
    expect(url.pathname).toBe('/desk');
    expect(url.hash).toBe('#top');
    expect([...url.searchParams.entries()]).toEqual([
      ['q', '1'], ['site-1', 'a.example.com'], ['site-2', 'c.example.com'], ['site-3', 'here.example.com'],
      ['ha-failover-from', 'here.example.com'], ['ha-failover-at', '1234'],
    ]);
  });

  test('drops the previous failover marks and stale site parameters; http origins keep their scheme', () => {
    const current = new URL('http://127.0.0.1:8080/?ha-failover-from=x&ha-failover-at=1&site-7=old.example.com&keep=yes');
    const url = failoverUrl(current, 'http://127.0.0.1:8081', ['http://127.0.0.1:8081'], 'site-', 5);
    expect(url).toBe('http://127.0.0.1:8081/?keep=yes&site-1=http%3A%2F%2F127.0.0.1%3A8080&ha-failover-from=127.0.0.1%3A8080&ha-failover-at=5');
  });

  test('uses the prefix and the current time by default', () => {
    jest.useFakeTimers({ now: 99_000 });
    try {
      const url = new URL(failoverUrl(new URL('https://here.example.com/'), A, [A]));
      expect(url.searchParams.get('site-1')).toBe('here.example.com');
      expect(url.searchParams.get('ha-failover-at')).toBe('99000');
    } finally {
      jest.useRealTimers();
    }
  });
});

test('the defaults the construct computes the recovery time from', () => {
  expect(DEFAULTS).toEqual({
    heartbeatPath: '/health',
    heartbeatIntervalMs: 5000,
    heartbeatTimeoutMs: 3000,
    missedHeartbeats: 3,
    noticeMs: 2000,
    holdDownMs: 60000,
    siteParamPrefix: 'site-',
    noticeText: 'The connection to this site was lost. A failover is in progress: moving you to the backup site\u2026',
  });
  expect(Object.isFrozen(DEFAULTS)).toBe(true);
});

describe('startFailover', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  const HERE = 'https://here.example.com';

  test('sends a heartbeat every interval to the heartbeat path of the current site, uncached, with credentials', async () => {
    const f = fakeWindow(`${HERE}/app/page?site-1=a.example.com`);
    const controller = startFailover({ ...FAST, heartbeatPath: 'status', window: f.win });
    await jest.advanceTimersByTimeAsync(999);
    expect(f.calls).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(f.calls).toHaveLength(1);
    expect(f.calls[0].url).toBe(`${HERE}/app/status`);
    expect(f.calls[0].init).toMatchObject({ cache: 'no-store', credentials: 'same-origin', mode: 'cors' });
    await jest.advanceTimersByTimeAsync(1_000);
    expect(f.calls).toHaveLength(2);
    expect(controller.state).toBe('watching');
    controller.stop();
  });

  test('uses the defaults: heartbeats every 5 s to /health, moves after 3 misses and a 2 s notice', async () => {
    const f = fakeWindow(`${HERE}/?site-1=a.example.com`, { [HERE]: 'error' });
    const controller = startFailover({ window: f.win });
    await jest.advanceTimersByTimeAsync(4_999);
    expect(f.calls).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(f.calls.map(c => c.url)).toEqual([`${HERE}/health`]);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(controller.state).toBe('failing-over');
    await jest.advanceTimersByTimeAsync(1_999);
    expect(f.assign).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(f.assign).toHaveBeenCalledTimes(1);
    expect(new URL(f.assign.mock.calls[0][0]).origin).toBe(A);
  });

  test('a heartbeat that does not answer within the timeout is missed; a later good one resets the count', async () => {
    const f = fakeWindow(`${HERE}/?site-1=a.example.com`, { [HERE]: 'hang' });
    const missed: Array<[number, string]> = [];
    const controller = startFailover({ ...FAST, window: f.win, onMissed: (n, reason) => missed.push([n, reason]) });
    await jest.advanceTimersByTimeAsync(1_499);
    expect(missed).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(missed).toEqual([[1, 'heartbeat failed']]);
    f.setAnswer(HERE, 'error');
    await jest.advanceTimersByTimeAsync(1_000);
    expect(missed).toEqual([[1, 'heartbeat failed'], [2, 'heartbeat failed']]);
    f.setAnswer(HERE, 'ok');
    await jest.advanceTimersByTimeAsync(1_000);
    f.setAnswer(HERE, 'down');
    await jest.advanceTimersByTimeAsync(2_000);
    expect(missed.map(m => m[0])).toEqual([1, 2, 1, 2]); // counting again from 0 after the good heartbeat
    expect(controller.state).toBe('watching');
    expect(f.assign).not.toHaveBeenCalled();
    controller.stop();
  });

  test('no second heartbeat while one is in flight', async () => {
    const f = fakeWindow(`${HERE}/`, { [HERE]: 'hang' });
    const controller = startFailover({ ...FAST, heartbeatTimeoutMs: 2_500, window: f.win });
    await jest.advanceTimersByTimeAsync(3_000);
    expect(f.calls).toHaveLength(1); // the interval fired three times, the first heartbeat was still running
    await jest.advanceTimersByTimeAsync(1_000);
    expect(f.calls).toHaveLength(2);
    controller.stop();
  });

  test('with three backups it moves to the first that answers, in order, and probes no further', async () => {
    const f = fakeWindow(`${HERE}/desk?site-3=c.example.com&site-1=a.example.com&site-2=b.example.com&q=1`, { [HERE]: 'down', [A]: 'down' });
    const states: string[] = [];
    const controller = startFailover({ ...FAST, window: f.win, onStateChange: s => states.push(s) });
    expect(controller.backupSites).toEqual([A, B, C]);
    await jest.advanceTimersByTimeAsync(3_000);
    expect(controller.state).toBe('failing-over');
    const probes = f.calls.filter(c => new URL(c.url).origin !== HERE);
    expect(probes.map(c => c.url)).toEqual([`${A}/health`, `${B}/health`]);
    expect(probes[0].init).toMatchObject({ cache: 'no-store', credentials: 'omit', mode: 'no-cors' });
    await jest.advanceTimersByTimeAsync(700);
    expect(controller.state).toBe('moving');
    expect(states).toEqual(['failing-over', 'moving']);
    const target = new URL(f.assign.mock.calls[0][0]);
    expect(target.origin).toBe(B);
    expect(target.pathname).toBe('/desk');
    expect([...target.searchParams.entries()].filter(([k]) => k.startsWith('site-'))).toEqual([
      ['site-1', 'a.example.com'], ['site-2', 'c.example.com'], ['site-3', 'here.example.com'],
    ]);
  });

  test('a backup that answers with an error status still counts: a no-cors probe of another origin is opaque, reaching it is enough', async () => {
    const f = fakeWindow(`${HERE}/?site-1=a.example.com`, { [HERE]: 'down', [A]: 'error' });
    const controller = startFailover({ ...FAST, window: f.win });
    await jest.advanceTimersByTimeAsync(3_700);
    expect(controller.state).toBe('moving');
    expect(new URL(f.assign.mock.calls[0][0]).origin).toBe(A);
  });

  test('the notice: shown at once with role alert, the reason and the text; the move waits noticeMs', async () => {
    const f = fakeWindow(`${HERE}/?site-1=a.example.com`);
    const controller = startFailover({ ...FAST, noticeText: 'Moving you', window: f.win });
    const done = controller.failover('operator request');
    await jest.advanceTimersByTimeAsync(0);
    expect(f.appended).toHaveLength(1);
    const notice = f.appended[0];
    expect(notice).toMatchObject({
      id: 'ha-failover-notice', hidden: false, textContent: 'Moving you', dataset: { reason: 'operator request' },
      attributes: { 'role': 'alert', 'aria-live': 'assertive' },
    });
    expect(notice.style.cssText).toContain('position:fixed');
    expect(f.document.documentElement.dataset.haFailover).toBe('failing-over');
    await jest.advanceTimersByTimeAsync(699);
    expect(f.assign).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    await done;
    expect(f.assign).toHaveBeenCalledTimes(1);
    expect(f.document.documentElement.dataset.haFailover).toBe('moving');
  });

  test('without a body the notice goes on the document element; a notice already there is reused', async () => {
    const f = fakeWindow(`${HERE}/`, { [A]: 'down' }, { withBody: false });
    const controller = startFailover({ ...FAST, backupSites: [A], window: f.win });
    const first = controller.failover();
    await jest.advanceTimersByTimeAsync(700);
    await first;
    expect(f.appended).toHaveLength(1);
    expect(f.appended[0].dataset.reason).toBe('requested by the application');
    const second = controller.failover('again');
    await jest.advanceTimersByTimeAsync(700);
    await second;
    expect(f.appended).toHaveLength(1);
    expect(f.appended[0].dataset.reason).toBe('again');
    controller.stop();
  });

  test('when no backup answers it stays, keeps watching, and the next miss starts another failover', async () => {
    const f = fakeWindow(`${HERE}/?site-1=a.example.com&site-2=b.example.com`, { [HERE]: 'down', [A]: 'down', [B]: 'down' });
    const details: Array<[string, unknown]> = [];
    const missed: number[] = [];
    const controller = startFailover({ ...FAST, window: f.win, onStateChange: (s, d) => details.push([s, d]), onMissed: n => missed.push(n) });
    await jest.advanceTimersByTimeAsync(3_000);
    await jest.advanceTimersByTimeAsync(700);
    expect(controller.state).toBe('watching');
    expect(details).toEqual([['failing-over', { reason: 'heartbeat failed' }], ['watching', { reason: 'no backup site reachable' }]]);
    expect(f.assign).not.toHaveBeenCalled();
    f.setAnswer(B, 'ok');
    await jest.advanceTimersByTimeAsync(999);
    expect(controller.state).toBe('watching'); // the interval restarted when the failover ended
    await jest.advanceTimersByTimeAsync(1);
    expect(controller.state).toBe('failing-over'); // one more miss is enough
    await jest.advanceTimersByTimeAsync(700);
    expect(new URL(f.assign.mock.calls[0][0]).origin).toBe(B);
    // the count resumes just below the limit: the one more miss is the limit's (3), not beyond it
    expect(missed).toEqual([1, 2, 3, 3]);
    expect(details.at(-1)).toEqual(['moving', { reason: 'heartbeat failed', target: B }]);
  });

  test('reported failures count like missed heartbeats, with their reason', async () => {
    const f = fakeWindow(`${HERE}/?site-1=a.example.com`);
    const missed: Array<[number, string]> = [];
    const controller = startFailover({ ...FAST, window: f.win, onMissed: (n, r) => missed.push([n, r]) });
    controller.reportFailure('channel lost');
    controller.reportFailure();
    expect(controller.state).toBe('watching');
    controller.reportFailure('login failed');
    expect(controller.state).toBe('failing-over');
    expect(missed).toEqual([[1, 'channel lost'], [2, 'reported by the application'], [3, 'login failed']]);
    controller.reportFailure('ignored while failing over');
    expect(missed).toHaveLength(3);
    await jest.advanceTimersByTimeAsync(700);
    expect(f.assign).toHaveBeenCalledTimes(1);
  });

  test('during the hold-down after a failover, misses do not move the page; after it they do; an explicit failover always does', async () => {
    const arrived = 1_000_000 - 1_000;
    const f = fakeWindow(`${HERE}/?site-1=a.example.com&ha-failover-at=${arrived}`, { [HERE]: 'down' });
    const details: Array<[string, unknown]> = [];
    const controller = startFailover({ ...FAST, window: f.win, onStateChange: (s, d) => details.push([s, d]) });
    await jest.advanceTimersByTimeAsync(3_000);
    expect(details).toEqual([['held', { reason: 'heartbeat failed (hold-down after a failover)' }]]);
    expect(controller.state).toBe('watching');
    await jest.advanceTimersByTimeAsync(3_000);
    expect(details).toHaveLength(2); // counted from 0 again after holding
    // The hold-down ends holdDownMs after the arrival.
    jest.setSystemTime(arrived + 10_000 - 1);
    controller.reportFailure();
    controller.reportFailure();
    controller.reportFailure();
    expect(controller.state).toBe('watching');
    jest.setSystemTime(arrived + 10_000);
    controller.reportFailure();
    controller.reportFailure();
    controller.reportFailure();
    expect(controller.state).toBe('failing-over');
    controller.stop();
  });

  test('an explicit failover ignores the hold-down', async () => {
    const f = fakeWindow(`${HERE}/?site-1=a.example.com&ha-failover-at=${1_000_000}`);
    const controller = startFailover({ ...FAST, window: f.win });
    const done = controller.failover('operator');
    await jest.advanceTimersByTimeAsync(700);
    await done;
    expect(f.assign).toHaveBeenCalledTimes(1);
  });

  test.each([
    ['zero', '0'],
    ['not a number', 'soon'],
  ])('an arrival mark that is %s sets no hold-down', async (_, mark) => {
    const f = fakeWindow(`${HERE}/?site-1=a.example.com&ha-failover-at=${mark}`);
    const controller = startFailover({ ...FAST, window: f.win });
    controller.reportFailure();
    controller.reportFailure();
    controller.reportFailure();
    expect(controller.state).toBe('failing-over');
    controller.stop();
  });

  test('stop() ends the heartbeats; a stopped helper neither counts failures nor fails over', async () => {
    const f = fakeWindow(`${HERE}/?site-1=a.example.com`);
    const controller = startFailover({ ...FAST, window: f.win });
    controller.stop();
    expect(controller.state).toBe('stopped');
    expect(f.document.documentElement.dataset.haFailover).toBe('stopped');
    await jest.advanceTimersByTimeAsync(5_000);
    expect(f.calls).toHaveLength(0);
    controller.reportFailure();
    controller.reportFailure();
    controller.reportFailure();
    await controller.failover();
    expect(controller.state).toBe('stopped');
    expect(f.assign).not.toHaveBeenCalled();
  });

  test('a second failover() while one runs does nothing; the heartbeats stop during a failover', async () => {
    const f = fakeWindow(`${HERE}/?site-1=a.example.com`);
    const controller = startFailover({ ...FAST, window: f.win });
    const first = controller.failover('one');
    await controller.failover('two');
    expect(f.appended[0].dataset.reason).toBe('one');
    await jest.advanceTimersByTimeAsync(700);
    await first;
    expect(f.calls.filter(c => new URL(c.url).origin === HERE)).toHaveLength(0);
    expect(f.assign).toHaveBeenCalledTimes(1);
  });

  test('backup sites given as an option replace the URL\'s; the controller hands out a copy', () => {
    const f = fakeWindow(`${HERE}/?site-1=a.example.com`);
    const controller = startFailover({ ...FAST, backupSites: [C, B], window: f.win });
    const sites = controller.backupSites;
    sites.push(D);
    expect(controller.backupSites).toEqual([C, B]);
    controller.stop();
  });

  test('the window defaults to the global window', () => {
    const f = fakeWindow(`${HERE}/?site-2=b.example.com&site-1=a.example.com`);
    (globalThis as { window?: Window }).window = f.win;
    try {
      const controller = startFailover(FAST);
      expect(controller.backupSites).toEqual([A, B]);
      controller.stop();
      expect(f.document.documentElement.dataset.haFailover).toBe('stopped');
    } finally {
      delete (globalThis as { window?: Window }).window;
    }
  });
});
