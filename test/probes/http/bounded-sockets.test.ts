/**
 * A hostile target that never stops sending (an endless body, or one declared as 2 GB) must not keep a socket
 * or a core once the result is decided: the probe closes the connection at its body cap, and a one-shot
 * `pengawas probe` exits right after printing. The server counts its open sockets, as an attacker's would.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { adHocCheck } from '../../../src/probes/ad-hoc';
import { runCheck } from '../../../src/probes/runner';
import { runCli } from '../../helpers/cli';
import { waitFor } from '../../helpers/net';

interface Hostile {
  url: string;
  open: () => number;
  accepted: () => number;
  /** Bytes the server managed to write per connection, to show the download stopped. */
  sent: number[];
  close(): Promise<void>;
}

function startHostile(): Promise<Hostile> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const sent: number[] = [];
  const server = http.createServer((req, res) => {
    const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/octet-stream' };
    if (req.url === '/huge') headers['content-length'] = String(2 * 1024 ** 3);
    res.writeHead(200, headers);
    const chunk = Buffer.alloc(64 * 1024, 97);
    const slot = sent.push(0) - 1;
    const pump = () => {
      while (!res.destroyed && res.write(chunk)) sent[slot] += chunk.length;
      if (!res.destroyed) res.once('drain', pump);
    };
    pump();
  });
  server.on('connection', (s) => {
    accepted += 1;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        open: () => sockets.size,
        accepted: () => accepted,
        sent,
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      }),
    ),
  );
}

describe('bounded probes against endless bodies', () => {
  let srv: Hostile;
  beforeAll(async () => {
    srv = await startHostile();
  });
  afterAll(() => srv.close());

  it('closes the connection at the body cap: 20 runs in process, 0 sockets left open on the server', async () => {
    const before = srv.accepted();
    for (let i = 0; i < 20; i++) {
      const path = i % 2 ? '/huge' : '/endless';
      const r = await runCheck(
        adHocCheck({ type: 'http', target: `${srv.url}${path}`, options: { maxBodyBytes: 100_000 }, timeoutMs: 10_000 }),
        { dataDir: '/tmp' },
      );
      expect(r.findings.map((f) => f.id)).toContain('http.body.too_large');
      await waitFor(() => srv.open() === 0, 5000, 20);
    }
    expect(srv.accepted() - before).toBe(20);
    expect(srv.open()).toBe(0);
    // What the server got out before the close: kernel buffers' worth, not a download running on (2 GB).
    const maxSent = Math.max(...srv.sent.slice(-20));
    expect(maxSent).toBeLessThan(64 * 1024 * 1024);
  });

  it('`pengawas probe` exits right after printing, against both; 20 runs leave 0 sockets open', async () => {
    const before = srv.accepted();
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const path = i % 2 ? '/huge' : '/endless';
      const t0 = performance.now();
      const r = await runCli(['probe', 'http', `${srv.url}${path}`, '--opt', 'maxBodyBytes=100000', '--json'], { timeoutMs: 30_000 });
      times.push(performance.now() - t0);
      expect(r.code).toBe(1); // fail: body too large (a decided result, not an error)
      expect(JSON.parse(r.stdout).findings.map((f: { id: string }) => f.id)).toContain('http.body.too_large');
      await waitFor(() => srv.open() === 0, 5000, 20);
    }
    expect(srv.accepted() - before).toBe(20);
    expect(srv.open()).toBe(0);
    times.sort((a, b) => a - b);
    // Process start-up included; measured here: median 2.9 s, max 4.4 s at load average 16 (was: never exited).
    console.log(`pengawas probe wall time: median ${times[10].toFixed(0)} ms, max ${times[19].toFixed(0)} ms`);
    expect(times[10]).toBeLessThan(10_000);
  }, 300_000);
});
