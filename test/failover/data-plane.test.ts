/**
 * The data-plane checks of the cross-region probes, over real sockets on the
 * loopback (a TCP listener, an HTTP server), and the rule that tells an
 * outage from a brownout or a partition.
 */
import * as http from 'http';
import * as net from 'net';
import { AddressInfo } from 'net';
import { confirmedLoss, ControlPlaneResult, DataPlaneResult, httpCheck, tcpConnect } from '../../lib/failover/data-plane';

function listen<T extends net.Server>(server: T): Promise<number> {
  return new Promise(resolve => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}
const close = (server: net.Server) => new Promise(resolve => server.close(resolve));

describe('confirmedLoss', () => {
  const up: DataPlaneResult = { ok: true, detail: 'up' };
  const down: DataPlaneResult = { ok: false, detail: 'refused' };
  const control = (state: ControlPlaneResult['state']): ControlPlaneResult => ({ state, detail: state });
  test.each([
    ['writer answers, API serving: unreachable 0', up, 'serving', 0],
    ['writer answers, API error (a brownout): unreachable 0', up, 'error', 0],
    ['writer answers, API says down (a stale answer): unreachable 0', up, 'down', 0],
    ['writer refuses, API says it serves (a partition): unreachable 0', down, 'serving', 0],
    ['writer refuses, API error (the region is lost): unreachable 1', down, 'error', 1],
    ['writer refuses, API says down: unreachable 1', down, 'down', 1],
    ['no data-plane signal, API error: unreachable 0', undefined, 'error', 0],
    ['no data-plane signal, API says down: unreachable 0', undefined, 'down', 0],
  ] as const)('%s', (_name, data, state, unreachable) => {
    expect(confirmedLoss(data, control(state)).unreachable).toBe(unreachable);
  });
});

describe('tcpConnect', () => {
  test('a listener that accepts: ok, and the connection is closed again', async () => {
    let accepted = 0;
    let closed = 0;
    const server = net.createServer(socket => { accepted++; socket.on('close', () => closed++); });
    const port = await listen(server);
    expect(await tcpConnect('127.0.0.1', port, 1000)).toEqual({ ok: true, detail: `127.0.0.1:${port} accepts connections` });
    await new Promise(resolve => setTimeout(resolve, 50));
    expect([accepted, closed]).toEqual([1, 1]);
    await close(server);
  });

  test('a closed port: not ok, with the error', async () => {
    const server = net.createServer();
    const port = await listen(server);
    await close(server);
    const result = await tcpConnect('127.0.0.1', port, 1000);
    expect(result.ok).toBe(false);
    expect(result.detail).toMatch(new RegExp(`^127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
  });
});

describe('httpCheck', () => {
  test('2xx is ok; 3xx (not followed), 4xx and 5xx are not; the status is named', async () => {
    const server = http.createServer((req, res) => {
      const status = Number(req.url?.slice(1));
      res.writeHead(status, status === 302 ? { location: '/200' } : {});
      res.end('body');
    });
    const port = await listen(server);
    const url = (s: number) => `http://127.0.0.1:${port}/${s}`;
    expect(await httpCheck(url(200), 1000)).toEqual({ ok: true, detail: `${url(200)} answered 200` });
    for (const s of [302, 404, 503]) expect(await httpCheck(url(s), 1000)).toEqual({ ok: false, detail: `${url(s)} answered ${s}` });
    await close(server);
  });

  test('a server that does not answer in time: not ok, "no answer in <timeout> ms", within the timeout', async () => {
    const server = http.createServer(() => undefined);
    const port = await listen(server);
    const url = `http://127.0.0.1:${port}/health`;
    const started = Date.now();
    expect(await httpCheck(url, 100)).toEqual({ ok: false, detail: `${url}: no answer in 100 ms` });
    expect(Date.now() - started).toBeLessThan(1000);
    server.closeAllConnections();
    await close(server);
  });

  test('nothing listening: not ok, with the error', async () => {
    const server = net.createServer();
    const port = await listen(server);
    await close(server);
    const result = await httpCheck(`http://127.0.0.1:${port}/`, 1000);
    expect(result.ok).toBe(false);
    expect(result.detail).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/: /);
  });
});
