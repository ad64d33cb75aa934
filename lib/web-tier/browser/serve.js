// The Lambda target that serves the browser failover helper beside a site
// (BrowserFailoverHelper: a listener rule of the site's load balancer forwards
// `<prefix>/*` here), so pages load it from their own origin:
// - `<prefix>/failover.js`: the helper, as shipped (failover.js beside this file);
// - `<prefix>/start.js`: a module that starts it with the tier's settings
//   (FAILOVER_OPTIONS) and exports the controller as `failover`.
// The deployed asset is this directory as it is (no bundling): CommonJS for Node.js.
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const JAVASCRIPT = 'text/javascript; charset=utf-8';

/**
 * The response to one load balancer request (pure: tested without Lambda).
 * @param {{ httpMethod?: string; path?: string }} request the ALB event
 * @param {{ prefix: string; helper: string; options: string; maxAgeSeconds: number }} site
 */
function respond(request, site) {
  const method = request.httpMethod ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') {
    return answer(405, 'Method Not Allowed', { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }, 'method not allowed', method);
  }
  const cache = `public, max-age=${site.maxAgeSeconds}`;
  switch (request.path) {
    case `${site.prefix}/failover.js`:
      return answer(200, 'OK', { 'content-type': JAVASCRIPT, 'cache-control': cache }, site.helper, method);
    case `${site.prefix}/start.js`:
      return answer(200, 'OK', { 'content-type': JAVASCRIPT, 'cache-control': cache }, startModule(site.options), method);
    default:
      return answer(404, 'Not Found', { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }, 'not found', method);
  }
}

/** The start module: imports the helper beside it and starts it with the tier's options (a JSON object). */
function startModule(options) {
  const parsed = JSON.parse(options);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`FAILOVER_OPTIONS must be a JSON object, got ${options}`);
  }
  return "import { startFailover } from './failover.js';\n" +
    `export const failover = startFailover(${JSON.stringify(parsed)});\n`;
}

function answer(statusCode, text, headers, body, method) {
  return {
    statusCode,
    statusDescription: `${statusCode} ${text}`,
    isBase64Encoded: false,
    headers: { 'x-content-type-options': 'nosniff', ...headers },
    body: method === 'HEAD' ? '' : body,
  };
}

let site;

/** Lambda entry point (`serve.handler`): reads the helper and the settings once per execution environment. */
async function handler(event) {
  site ??= {
    prefix: requireEnv('PATH_PREFIX'),
    helper: readFileSync(join(__dirname, 'failover.js'), 'utf8'),
    options: requireEnv('FAILOVER_OPTIONS'),
    maxAgeSeconds: Number(requireEnv('MAX_AGE_SECONDS')),
  };
  return respond(event, site);
}

function requireEnv(name) {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`environment variable ${name} is not set`);
  return value;
}

module.exports = { respond, startModule, handler };
