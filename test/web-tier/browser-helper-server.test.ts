/**
 * The function that serves the browser failover helper beside a site
 * (lib/web-tier/browser/serve.js, a load balancer's Lambda target): what it
 * answers for each path and method, the start module, and its entry point.
 */
import * as fs from 'fs';
import * as path from 'path';
import { handler, HelperSite, respond, startModule } from '../../lib/web-tier/browser/serve.js';

const HELPER_FILE = path.join(__dirname, '../../lib/web-tier/browser/failover.js');
const OPTIONS = { heartbeatPath: '/health', heartbeatIntervalMs: 5000, heartbeatTimeoutMs: 3000, missedHeartbeats: 3, noticeMs: 2000 };
const SITE: HelperSite = { prefix: '/ha-failover', helper: 'export function startFailover() {}', options: JSON.stringify(OPTIONS), maxAgeSeconds: 300 };

describe('respond', () => {
  test('<prefix>/failover.js is the helper, as JavaScript, cacheable for max-age, not sniffable', () => {
    expect(respond({ httpMethod: 'GET', path: '/ha-failover/failover.js' }, SITE)).toStrictEqual({
      statusCode: 200,
      statusDescription: '200 OK',
      isBase64Encoded: false,
      headers: { 'x-content-type-options': 'nosniff', 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=300' },
      body: SITE.helper,
    });
  });

  test('<prefix>/start.js imports the helper beside it and starts it with the site\'s options', () => {
    const r = respond({ httpMethod: 'GET', path: '/ha-failover/start.js' }, { ...SITE, maxAgeSeconds: 30 });
    expect(r).toMatchObject({ statusCode: 200, statusDescription: '200 OK', headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=30' } });
    expect(r.body).toBe("import { startFailover } from './failover.js';\n" +
      'export const failover = startFailover({"heartbeatPath":"/health","heartbeatIntervalMs":5000,"heartbeatTimeoutMs":3000,"missedHeartbeats":3,"noticeMs":2000});\n');
  });

  test('HEAD answers the same headers with no body', () => {
    const head = respond({ httpMethod: 'HEAD', path: '/ha-failover/failover.js' }, SITE);
    const get = respond({ httpMethod: 'GET', path: '/ha-failover/failover.js' }, SITE);
    expect(head).toStrictEqual({ ...get, body: '' });
  });

  test.each(['POST', 'PUT', 'DELETE', 'OPTIONS'])('%s is refused with 405 and Allow', method => {
    expect(respond({ httpMethod: method, path: '/ha-failover/failover.js' }, SITE)).toStrictEqual({
      statusCode: 405,
      statusDescription: '405 Method Not Allowed',
      isBase64Encoded: false,
      headers: { 'x-content-type-options': 'nosniff', 'allow': 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' },
      body: 'method not allowed',
    });
  });

  test.each([
    '/ha-failover/other.js', '/ha-failover/', '/ha-failover', '/failover.js', '/other/ha-failover/failover.js',
    '/ha-failover/failover.js/x', '/ha-failover/start.jsx', '/ha-failoverx/start.js',
  ])('%s is 404, never cached', p => {
    expect(respond({ httpMethod: 'GET', path: p }, SITE)).toStrictEqual({
      statusCode: 404,
      statusDescription: '404 Not Found',
      isBase64Encoded: false,
      headers: { 'x-content-type-options': 'nosniff', 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
      body: 'not found',
    });
  });

  test('a request without a method is a GET', () => {
    expect(respond({ path: '/ha-failover/failover.js' }, SITE)).toMatchObject({ statusCode: 200, body: SITE.helper });
  });

  test('the prefix is the site\'s own', () => {
    const site = { ...SITE, prefix: '/static/ha' };
    expect(respond({ httpMethod: 'GET', path: '/static/ha/failover.js' }, site).statusCode).toBe(200);
    expect(respond({ httpMethod: 'GET', path: '/ha-failover/failover.js' }, site).statusCode).toBe(404);
  });
});

describe('startModule', () => {
  test.each(['null', '[]', '3', '"x"'])('options %s that are no JSON object are refused', options => {
    expect(() => startModule(options)).toThrow(`FAILOVER_OPTIONS must be a JSON object, got ${options}`);
  });

  test('options are re-serialized: nothing but JSON reaches the module', () => {
    expect(startModule('{ "noticeMs": 1,\n "x": "</script>" }')).toBe(
      "import { startFailover } from './failover.js';\nexport const failover = startFailover({\"noticeMs\":1,\"x\":\"</script>\"});\n");
  });
});

describe('handler (the Lambda entry point)', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('serves failover.js from beside it and the options from FAILOVER_OPTIONS', async () => {
    process.env.PATH_PREFIX = '/p';
    process.env.FAILOVER_OPTIONS = JSON.stringify({ noticeMs: 9 });
    process.env.MAX_AGE_SECONDS = '60';
    const helper = await handler({ httpMethod: 'GET', path: '/p/failover.js' });
    expect(helper.body).toBe(fs.readFileSync(HELPER_FILE, 'utf8'));
    expect(helper.headers['cache-control']).toBe('public, max-age=60');
    expect((await handler({ httpMethod: 'GET', path: '/p/start.js' })).body).toContain('startFailover({"noticeMs":9})');
  });

  test.each(['PATH_PREFIX', 'FAILOVER_OPTIONS', 'MAX_AGE_SECONDS'].flatMap(name => [[name, 'empty'], [name, 'unset']]))('refuses to serve without %s (%s)', async (name, how) => {
    await jest.isolateModulesAsync(async () => {
      // A fresh module: the entry point reads its settings once per execution environment.
      const fresh = require('../../lib/web-tier/browser/serve.js') as typeof import('../../lib/web-tier/browser/serve.js');
      process.env.PATH_PREFIX = '/p';
      process.env.FAILOVER_OPTIONS = '{}';
      process.env.MAX_AGE_SECONDS = '60';
      if (how === 'empty') process.env[name] = ''; else delete process.env[name];
      await expect(fresh.handler({ httpMethod: 'GET', path: '/p/failover.js' })).rejects.toThrow(`environment variable ${name} is not set`);
    });
  });
});
