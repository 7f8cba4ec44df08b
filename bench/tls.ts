/**
 * `npm run bench:tls`: scan the same local `openssl s_server` instances with pengawas, sslscan and testssl.sh
 * and print wall time, handshakes (TCP connections counted by a relay in front of each server) and whether the
 * tools agree with pengawas on protocols and accepted suites.
 *
 * pengawas runs as the CLI (`node bin/pengawas.js probe tls … --json`, so its time includes Node start-up; run
 * `npm run build` first) like the other two tools. testssl.sh runs only `-p -E` (protocols, ciphers per
 * protocol): its full default run takes minutes; BENCH_TLS_SKIP_TESTSSL=1 leaves it out. pengawas runs its default
 * scan, vulnerability and session checks included (Heartbleed, CCS injection, renegotiation, resumption, 0-RTT).
 *
 * Each tool runs BENCH_TLS_RUNS times (default 5) per server, the tools taking turns, so a load change on a shared
 * machine hits them alike; the table gives the median and the range. BENCH_NODE runs the pengawas CLI on another
 * Node binary (the Dockerfile's Node 26, say); the warm-worker row runs in this process, on this Node.
 *
 * The `node -e 0` row is the same Node starting and exiting with nothing to run: no Node CLI can finish sooner than
 * that plus the scan itself (the warm-worker row), whatever it loads. Where that sum exceeds sslscan's wall time, a
 * cold pengawas CLI cannot match sslscan on that server; the table says so.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { adHocCheck } from '../src/probes/ad-hoc';
import { runCheck } from '../src/probes/runner';
import { freePort } from '../test/helpers/net';
import { quantile } from './stats';
import { Pki, sServer, waitListening, type Server } from '../test/probes/tls/helpers';
import { testssl } from '../test/probes/tls/testssl';

interface View {
  protocols: Record<string, boolean>;
  suites: string[];
  /** pengawas only: the scan's own time inside the process (what a worker spends per check) */
  scanMs?: number;
}

interface Row {
  server: string;
  tool: string;
  /** One per run, in run order. */
  seconds: number[];
  handshakes: number;
  view?: View;
  note?: string;
}

const ROOT = path.resolve(__dirname, '..');
const RUNS = Math.max(1, Number(process.env.BENCH_TLS_RUNS ?? 5));
const NODE = process.env.BENCH_NODE ?? process.execPath;
const BARE = 'node -e 0 (Node alone)';

/**
 * A TCP relay that counts connections, so every tool's handshakes are counted the same way. With `delayMs` it
 * holds every chunk that long in each direction: a round trip of 2 × delayMs, like a server across a WAN.
 */
function relay(target: number, delayMs = 0): Promise<{ port: number; count: () => number; reset: () => void; close: () => void }> {
  let n = 0;
  const sockets = new Set<net.Socket>();
  const forward = (from: net.Socket, to: net.Socket) => {
    if (!delayMs) return void from.pipe(to);
    from.on('data', (d) => setTimeout(() => to.destroyed || to.write(d), delayMs));
    from.on('end', () => setTimeout(() => to.end(), delayMs));
  };
  const srv = net.createServer((client) => {
    n++;
    const upstream = net.connect(target, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    forward(client, upstream);
    forward(upstream, client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  return new Promise((resolve) =>
    srv.listen(0, '127.0.0.1', () =>
      resolve({
        port: (srv.address() as net.AddressInfo).port,
        count: () => n,
        reset: () => (n = 0),
        close: () => {
          for (const s of sockets) s.destroy();
          srv.close();
        },
      }),
    ),
  );
}

/** nginx (2 workers, handshakes in parallel like a production server) accepting every suite OpenSSL 3 has. */
async function nginx(pki: Pki, cert: { cert: string; key: string }): Promise<Server> {
  const dir = pki.file('nginx');
  mkdirSync(dir);
  const port = await freePort();
  writeFileSync(
    path.join(dir, 'nginx.conf'),
    `daemon off; master_process on; worker_processes 2; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 512; }
http { access_log off; client_body_temp_path ${dir}/b; proxy_temp_path ${dir}/p; fastcgi_temp_path ${dir}/f; uwsgi_temp_path ${dir}/u; scgi_temp_path ${dir}/s;
  server { listen 127.0.0.1:${port} ssl; ssl_certificate ${cert.cert}; ssl_certificate_key ${cert.key};
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3; ssl_ciphers ALL:@SECLEVEL=0; location / { return 200 "ok"; } } }
`,
  );
  const child = spawn('nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: 'ignore' });
  await waitListening(port);
  return {
    port,
    stop: () => new Promise<void>((r) => (child.exitCode !== null ? r() : (child.once('exit', () => r()), child.kill('SIGTERM')))),
  };
}

function run(cmd: string, args: string[], timeoutMs = 300_000): Promise<string> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: ROOT, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (_err, stdout) => resolve(stdout));
  });
}

async function pengawas(port: number): Promise<View> {
  const out = await run(NODE, [
    path.join(ROOT, 'bin', 'pengawas.js'),
    'probe',
    'tls',
    `127.0.0.1:${port}`,
    '--opt',
    'checkRevocation=false',
    '--opt',
    'profile=none',
    '--json',
  ]);
  const r = JSON.parse(out) as {
    measurements: { protocols: Record<string, boolean>; ciphers: Array<{ protocol: string; code: string }>; scanMs: number };
  };
  return {
    protocols: r.measurements.protocols,
    suites: r.measurements.ciphers.map((c) => `${c.protocol} ${c.code}`).sort(),
    scanMs: r.measurements.scanMs,
  };
}

/** The same scan inside a long-running process, as a worker runs it every few minutes (JIT and tables warm). */
async function pengawasWarm(port: number): Promise<View> {
  const check = adHocCheck({
    type: 'tls',
    target: `127.0.0.1:${port}`,
    options: { checkRevocation: false, profile: 'none' },
    timeoutMs: 60_000,
  });
  const r = await runCheck(check, { dataDir: ROOT });
  const m = r.measurements as { protocols: Record<string, boolean>; ciphers: Array<{ protocol: string; code: string }>; scanMs: number };
  return { protocols: m.protocols, suites: m.ciphers.map((c) => `${c.protocol} ${c.code}`).sort(), scanMs: m.scanMs };
}

async function sslscan(port: number, xmlFile: string): Promise<View> {
  await run('sslscan', ['--no-colour', `--xml=${xmlFile}`, `127.0.0.1:${port}`]);
  const xml = readFileSync(xmlFile, 'utf8');
  const name = (type: string, v: string) => (type === 'ssl' ? `SSLv${v}` : v === '1.0' ? 'TLSv1' : `TLSv${v}`);
  const version = (v: string) => (v === 'TLSv1.0' ? 'TLSv1' : v);
  const protocols: Record<string, boolean> = {};
  for (const m of xml.matchAll(/<protocol type="(\w+)" version="([\d.]+)" enabled="(\d)"/g)) protocols[name(m[1], m[2])] = m[3] === '1';
  const suites = [...xml.matchAll(/<cipher status="(?:accepted|preferred)" sslversion="([\w.]+)"[^>]*? id="0x([0-9A-Fa-f]+)"/g)].map(
    (m) => `${version(m[1])} 0x${m[2].toUpperCase().padStart(4, '0')}`,
  );
  return { protocols, suites: suites.sort() };
}

function agree(a: View | undefined, b: View | undefined): string {
  if (!a || !b) return 'n/a';
  const p =
    JSON.stringify(
      Object.keys(a.protocols)
        .sort()
        .map((k) => [k, a.protocols[k]]),
    ) ===
    JSON.stringify(
      Object.keys(b.protocols)
        .sort()
        .map((k) => [k, b.protocols[k]]),
    );
  const onlyA = a.suites.filter((s) => !b.suites.includes(s));
  const onlyB = b.suites.filter((s) => !a.suites.includes(s));
  if (p && !onlyA.length && !onlyB.length) return `yes (${a.suites.length} suites)`;
  return `NO: protocols ${p ? 'same' : 'differ'}; +${onlyA.length} -${onlyB.length} ${[...onlyA.map((s) => `+${s}`), ...onlyB.map((s) => `-${s}`)].slice(0, 4).join(' ')}`;
}

async function main() {
  const pki = new Pki();
  const leaf = pki.leaf({ name: 'bench' });
  const cert = { ...leaf, chain: pki.interCert };
  const servers: Array<[string, Server, number]> = [
    ['2-suite TLS 1.2', await sServer(cert, ['-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384'], pki.dir), 0],
    ['ALL suites, TLS 1.0-1.3', await sServer(cert, ['-cipher', 'ALL:@SECLEVEL=0', '-min_protocol', 'TLSv1'], pki.dir), 0],
    [
      'intermediate TLS 1.2+1.3',
      await sServer(
        cert,
        [
          '-cipher',
          'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256',
          '-min_protocol',
          'TLSv1.2',
        ],
        pki.dir,
      ),
      0,
    ],
    ['nginx ALL suites, 20 ms RTT', await nginx(pki, cert), 10],
  ];
  const rows: Row[] = [];
  try {
    for (const [label, server, delayMs] of servers) {
      const r = await relay(server.port, delayMs);
      // [tool, timed run, untimed warm-up]
      const all: Array<[string, () => Promise<View | undefined>, (() => Promise<unknown>)?]> = [
        ['pengawas', () => pengawas(r.port)],
        ['pengawas, warm worker', () => pengawasWarm(r.port), () => pengawasWarm(r.port)],
        [BARE, () => run(NODE, ['-e', '0']).then(() => undefined)],
        ['sslscan', () => sslscan(r.port, pki.file('sslscan.xml'))],
        ['testssl.sh -p -E', () => testssl(`127.0.0.1:${r.port}`, pki.file(`testssl-${rows.length}.json`))],
      ];
      const tools = all.filter(([tool]) => !(process.env.BENCH_TLS_SKIP_TESTSSL && tool.startsWith('testssl')));
      const mine = tools.map(([tool]): Row => ({ server: label, tool, seconds: [], handshakes: 0 }));
      rows.push(...mine);
      for (let round = 0; round < RUNS; round++) {
        for (const [i, [tool, fn, warmUp]] of tools.entries()) {
          if (warmUp && round === 0) await warmUp();
          // openssl s_server sleeps 1 s after refusing a client renegotiation (pengawas and sslscan both ask for
          // one): the pause keeps the previous run's last connection from delaying this one.
          if (tool !== BARE) await new Promise((r) => setTimeout(r, 1200));
          r.reset();
          const t0 = performance.now();
          try {
            const view = await fn();
            mine[i].view ??= view;
          } catch (e) {
            mine[i].note = (e as Error).message.slice(0, 80);
          }
          const seconds = (performance.now() - t0) / 1000;
          mine[i].seconds.push(seconds);
          mine[i].handshakes = r.count();
          process.stderr.write(`  ${label} / ${tool} (run ${round + 1}/${RUNS}): ${seconds.toFixed(2)} s\n`);
        }
      }
      r.close();
    }
  } finally {
    await Promise.all(servers.map(([, s]) => s.stop()));
    pki.cleanup();
  }
  const wall = (xs: number[]) =>
    xs.length > 1 ? `${quantile(xs, 0.5).toFixed(2)} (${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)})` : xs[0].toFixed(2);
  const header = [
    'server',
    'tool',
    `wall s, median of ${RUNS} (range)`,
    'handshakes',
    'agrees with pengawas (protocols + accepted suites)',
  ];
  const rowOf = (server: string, tool: string) => rows.find((x) => x.server === server && x.tool === tool);
  const median = (server: string, tool: string) => {
    const xs = rowOf(server, tool)?.seconds;
    return xs?.length ? quantile(xs, 0.5) : undefined;
  };
  /** Node's bare start plus the scan itself: the least any Node CLI can take, compared with sslscan. */
  const floor = (server: string) => {
    const [bare, warm, ssl] = [BARE, 'pengawas, warm worker', 'sslscan'].map((t) => median(server, t));
    if (bare === undefined || warm === undefined) return 'n/a';
    const sum = bare + warm;
    const verdict =
      ssl === undefined ? '' : sum > ssl ? `, over sslscan's ${ssl.toFixed(2)}: no Node CLI can match it here` : ', under sslscan';
    return `floor of a cold Node CLI: this + the warm scan = ${sum.toFixed(2)} s${verdict}`;
  };
  const lines = rows.map((row) => {
    const mine = rowOf(row.server, 'pengawas')?.view;
    if (row.tool === BARE) return [row.server, row.tool, wall(row.seconds), '0', floor(row.server)];
    return [
      row.server,
      row.tool,
      wall(row.seconds),
      String(row.handshakes),
      row.tool === 'pengawas, warm worker'
        ? `${agree(row.view, mine)}; the per-check cost in a running monitor`
        : row.tool === 'pengawas'
          ? `(reference, ${row.view?.suites.length ?? 0} suites; scan itself ${((row.view?.scanMs ?? 0) / 1000).toFixed(2)} s in-process)`
          : (row.note ?? agree(row.view, mine)),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  const version = (await run(NODE, ['--version'])).trim();
  console.log(`pengawas CLI on Node ${version}; warm worker on Node ${process.version}; ${RUNS} runs per tool and server\n`);
  console.log(fmt(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const l of lines) console.log(fmt(l));
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
