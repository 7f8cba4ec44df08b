/**
 * Phase timings against injected delays, and the ways a step cannot run (DNS, refused, TLS, timeout mid-body),
 * each an `error` naming the step, never a `fail`.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCa, issue } from '../../../src/demo/pki';
import { freePort, startHttp, waitFor, type Started } from '../../helpers/net';
import { measurements, runFlow } from './helpers';

let server: Started;
let delayServer: ChildProcessWithoutNullStreams;
let delayUrl = '';
const waits: Array<{ ttfb: number; transfer: number }> = [];

beforeAll(async () => {
  server = await startHttp(async (req, res) => {
    const url = req.url ?? '/';
    if (url === '/stall') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"partial":');
      return; // never finishes the body
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  // The delayed server runs in its own process, so its waits and the probe's event loop do not share a thread.
  delayServer = spawn(process.execPath, [path.join(__dirname, 'fixtures', 'delay-server.js')]);
  const lines = createInterface({ input: delayServer.stdout });
  const port = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    delayServer.once('error', reject);
  });
  lines.on('line', (l) => waits.push(JSON.parse(l) as { ttfb: number; transfer: number }));
  delayUrl = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await server.close();
  delayServer.stdin.end();
  delayServer.kill();
});

describe('transaction phase timings', () => {
  it('reports an 80 ms wait before the headers as ttfb and a 40 ms pause in the body as transfer, median within ±15 ms', async () => {
    const steps = [{ name: 'delayed', url: '/delay?ttfb=80&transfer=40', expect: { bodyMatches: ['first part;second part'] } }];
    await runFlow(delayUrl, { steps }); // warm-up: the first request pays for JIT and lazy module loading
    await waitFor(() => waits.length === 1);
    // Five runs judged by their median: on a shared 2-core machine one run can lose a few ms to the scheduler.
    // The reference is what the server really waited (its spin-finished delays are 80/40 ms unless the machine
    // is starved), so the assertion is about the probe's measurement, not about the server's timers.
    const err: { ttfb: number[]; transfer: number[] } = { ttfb: [], transfer: [] };
    for (let i = 0; i < 5; i++) {
      const r = await runFlow(delayUrl, { steps });
      expect(r.status).toBe('pass');
      const p = measurements(r).steps[0].phasesMs!;
      expect(p.total).toBeCloseTo(p.dns + p.connect + p.tls + p.ttfb + p.transfer, 2);
      // An IP literal needs no lookup; plain HTTP has no handshake.
      expect(p.dns).toBe(0);
      expect(p.tls).toBe(0);
      expect(p.connect).toBeGreaterThan(0);
      expect(p.ttfb).toBeGreaterThanOrEqual(80);
      await waitFor(() => waits.length === i + 2);
      const real = waits[i + 1];
      expect(Math.abs(real.ttfb - 80)).toBeLessThan(20);
      expect(Math.abs(real.transfer - 40)).toBeLessThan(20);
      err.ttfb.push(p.ttfb - real.ttfb);
      err.transfer.push(p.transfer - real.transfer);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    // Judged by the median with a wide guard: a phase taken from the wrong event is off by 40 ms or more (the
    // transfer pause), while the probe's own error is ~1 ms on a quiet machine (`npm run bench:latency` measures
    // that); CI under load saw 3.0003 ms against an old 3 ms guard.
    expect(Math.abs(median(err.ttfb))).toBeLessThanOrEqual(15);
    expect(Math.abs(median(err.transfer))).toBeLessThanOrEqual(15);
  });

  it('measures dns, connect and tls over HTTPS on a fresh connection per step, or reuses one with keepAlive', async () => {
    const ca = createCa();
    const cert = issue({ commonName: 'localhost', hosts: ['localhost', '127.0.0.1'] }, ca);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tx-tls-'));
    writeFileSync(path.join(dir, 'ca.pem'), ca.certPem);
    let tlsConnections = 0;
    const srv = https.createServer({ cert: cert.certPem, key: cert.keyPem }, (_req, res) => res.end('{"ok":true}'));
    srv.on('secureConnection', () => tlsConnections++);
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const base = `https://localhost:${(srv.address() as AddressInfo).port}`;
    try {
      const steps = [
        { name: 'one', url: '/a' },
        { name: 'two', url: '/b' },
      ];
      const fresh = await runFlow(base, { caFile: path.join(dir, 'ca.pem'), steps });
      expect(fresh.status).toBe('pass');
      for (const s of measurements(fresh).steps) {
        expect(s.phasesMs!.dns).toBeGreaterThan(0);
        expect(s.phasesMs!.connect).toBeGreaterThan(0);
        expect(s.phasesMs!.tls).toBeGreaterThan(0);
      }
      expect(tlsConnections).toBe(2);

      tlsConnections = 0;
      const reused = await runFlow(base, { caFile: path.join(dir, 'ca.pem'), keepAlive: true, steps });
      expect(reused.status).toBe('pass');
      expect(tlsConnections).toBe(1);
      const second = measurements(reused).steps[1].phasesMs!;
      expect(second.dns + second.connect + second.tls).toBe(0);
      expect(measurements(reused).keepAlive).toBe(true);
    } finally {
      await new Promise<void>((r) => {
        srv.closeAllConnections();
        srv.close(() => r());
      });
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a step that cannot run is an error, not a fail', () => {
  it('DNS failure', async () => {
    const r = await runFlow('http://pengawas-test.invalid', { steps: [{ name: 'lookup', url: '/' }] });
    expect(r.status).toBe('error');
    expect(r.errorCode).toBe('PROBE_DNS');
    expect(r.findings[0].message).toMatch(/^step "lookup": cannot resolve pengawas-test\.invalid/);
  });

  it('connection refused', async () => {
    const port = await freePort();
    const r = await runFlow(`http://127.0.0.1:${port}`, { steps: [{ name: 'connect', url: '/' }] });
    expect(r.status).toBe('error');
    expect(r.errorCode).toBe('PROBE_TARGET_UNREACHABLE');
    expect(r.findings[0].message).toMatch(/^step "connect": ECONNREFUSED/);
  });

  it('TLS failure: an untrusted certificate, and TLS spoken to a plain-HTTP port', async () => {
    const self = issue({ commonName: 'localhost', hosts: ['127.0.0.1'] });
    const srv = https.createServer({ cert: self.certPem, key: self.keyPem }, (_q, s) => s.end('x'));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    try {
      const r = await runFlow(`https://127.0.0.1:${(srv.address() as AddressInfo).port}`, { steps: [{ name: 'hello', url: '/' }] });
      expect(r.status).toBe('error');
      expect(r.errorCode).toBe('PROBE_TLS_HANDSHAKE');
      expect(r.findings[0].message).toMatch(/^step "hello": TLS failed/);
    } finally {
      srv.closeAllConnections();
      await new Promise<void>((r) => srv.close(() => r()));
    }
    const plain = await runFlow(`https://127.0.0.1:${server.port}`, { steps: [{ name: 'hello', url: '/' }] });
    expect(plain.status).toBe('error');
    expect(plain.errorCode).toBe('PROBE_TLS_HANDSHAKE');
  });

  it('timeout in the middle of the body, with the step and phase named', async () => {
    const t0 = performance.now();
    const r = await runFlow(server.url, {
      steps: [
        { name: 'ok', url: '/' },
        { name: 'stalled', url: '/stall', timeout: '300ms' },
      ],
    });
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(r.status).toBe('error');
    expect(r.errorCode).toBe('PROBE_TIMEOUT');
    expect(r.findings[0].message).toBe('step "stalled": no answer within 300 ms (during transfer)');
  });

  it('the check timeout stops a flow whose steps have no timeout of their own', async () => {
    const r = await runFlow(server.url, { steps: [{ name: 'stalled', url: '/stall' }] }, { timeoutMs: 400 });
    expect(r.status).toBe('error');
    expect(r.errorCode).toBe('PROBE_TIMEOUT');
    expect(r.durationMs).toBeLessThan(1500);
  });
});
