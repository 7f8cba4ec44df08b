/**
 * The probe's phases against the wire: `tcpdump` on loopback records when the handshake, the request and the
 * response's first and last bytes really passed, on the kernel's clock; the probe's ttfb, transfer and total must
 * match those intervals, not just the delays the server meant to inject. Needs tcpdump and the right to capture
 * (root), as in CI; without them the suite is skipped and says why.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { captureLoopback } from '../../../bench/latency/wire';
import { measurements, runFlow } from './helpers';

function captureUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root';
  try {
    execFileSync('tcpdump', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'tcpdump is not installed';
  }
  return undefined;
}
const unavailable = captureUnavailable();
if (unavailable) process.stderr.write(`wire.test: skipped, ${unavailable}\n`);

(unavailable ? describe.skip : describe)('transaction phases against a packet capture', () => {
  let server: ChildProcessWithoutNullStreams;
  let port = 0;
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tx-wire-'));
    server = spawn(process.execPath, [path.join(__dirname, 'fixtures', 'delay-server.js')]);
    port = Number(
      await new Promise<string>((resolve, reject) => {
        createInterface({ input: server.stdout }).once('line', resolve);
        server.once('error', reject);
      }),
    );
  });
  afterAll(() => {
    server.stdin.end();
    server.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports ttfb, transfer and total from the same events as the wire (median of 7 within 75 ms; a wrong event is off by 150 ms or more)', async () => {
    const capture = await captureLoopback(port, path.join(dir, 'wire.pcap'));
    const got = new Map<string, { ttfb: number; transfer: number; total: number }>();
    let wire!: Awaited<ReturnType<typeof capture.stop>>;
    try {
      for (let i = 0; i < 8; i++) {
        const r = await runFlow(`http://127.0.0.1:${port}`, { steps: [{ name: 'delayed', url: `/delay?ttfb=250&transfer=150&id=${i}` }] });
        expect(r.status).toBe('pass');
        if (i > 0) got.set(String(i), measurements(r).steps[0].phasesMs!); // the first run warms up
      }
    } finally {
      wire = await capture.stop();
    }
    const errors = { ttfb: [] as number[], transfer: [] as number[], total: [] as number[] };
    for (const [id, p] of got) {
      const w = wire.get(id);
      if (!w) throw new Error(`request ${id} is missing from the capture`);
      errors.ttfb.push(p.ttfb - (w.firstByte - w.established));
      errors.transfer.push(p.transfer - (w.lastByte - w.firstByte));
      errors.total.push(p.total - (w.lastByte - w.syn));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    // A test proves the phases are measured from the right events; the sub-millisecond accuracy is a benchmark's
    // job (`npm run bench:latency`, beside blackbox_exporter and curl, on a quiet machine). Alone here the medians
    // are within 1 ms; under the full suite on two cores single runs were seen 20+ ms off and CI failed on a 10 ms
    // guard, then on a worst-of-7 guard. So the delays are long and only the median is judged: a phase measured from
    // the wrong event (ttfb taken at the last byte, transfer ending at the first, total missing the wait) is off by
    // at least the smallest delay, 150 ms, in every run, so its median is too; the guard sits at half that, 75 ms.
    // The worst error is reported in the summary, not judged.
    const summary = Object.fromEntries(
      Object.entries(errors).map(([phase, e]) => [
        phase,
        { medianMs: +median(e).toFixed(3), worstMs: +Math.max(...e.map(Math.abs)).toFixed(3) },
      ]),
    );
    const ok = Object.values(summary).every((s) => Math.abs(s.medianMs) <= 75);
    expect({ ok, summary }).toEqual({ ok: true, summary });
  });
});
