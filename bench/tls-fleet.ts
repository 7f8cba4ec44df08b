/**
 * `npm run bench:tls-fleet`: 200 local endpoints (counting TCP relays on 200 ports in front of one nginx with 2
 * workers and TLS 1.0-1.3, ALL suites) scanned by `pengawas probe tls --targets FILE --parallel P` and by sslscan over
 * the same list with the same parallelism (P sslscan processes, each taking the next endpoint). Prints wall time and
 * handshakes (connections counted by the relays, the same way for both). BENCH_FLEET_N and BENCH_FLEET_P change
 * the 200 endpoints and the parallelism 10. Run `npm run build` first (pengawas runs as the CLI).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Pki, waitListening } from '../test/probes/tls/helpers';
import { freePort } from '../test/helpers/net';
import { spawn } from 'node:child_process';

const ROOT = path.resolve(__dirname, '..');
const N = Number(process.env.BENCH_FLEET_N ?? 200);
const P = Number(process.env.BENCH_FLEET_P ?? 10);

/** N relays on their own ports to one backend; counts connections in all. */
async function relays(target: number, n: number): Promise<{ ports: number[]; count: () => number; reset: () => void; close: () => void }> {
  let count = 0;
  const servers: net.Server[] = [];
  const sockets = new Set<net.Socket>();
  for (let i = 0; i < n; i++) {
    const srv = net.createServer((client) => {
      count++;
      const up = net.connect(target, '127.0.0.1');
      for (const s of [client, up]) {
        sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => sockets.delete(s));
      }
      client.pipe(up);
      up.pipe(client);
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    servers.push(srv);
  }
  return {
    ports: servers.map((s) => (s.address() as net.AddressInfo).port),
    count: () => count,
    reset: () => (count = 0),
    close: () => {
      for (const s of sockets) s.destroy();
      for (const s of servers) s.close();
    },
  };
}

async function nginx(pki: Pki, cert: { cert: string; key: string }): Promise<{ port: number; stop: () => void }> {
  const dir = pki.file('nginx-fleet');
  mkdirSync(dir);
  const port = await freePort();
  writeFileSync(
    path.join(dir, 'nginx.conf'),
    `daemon off; master_process on; worker_processes 2; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 4096; }
http { access_log off; client_body_temp_path ${dir}/b; proxy_temp_path ${dir}/p; fastcgi_temp_path ${dir}/f; uwsgi_temp_path ${dir}/u; scgi_temp_path ${dir}/s;
  server { listen 127.0.0.1:${port} ssl; ssl_certificate ${cert.cert}; ssl_certificate_key ${cert.key};
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3; ssl_ciphers ALL:@SECLEVEL=0; location / { return 200 "ok"; } } }
`,
  );
  const child = spawn('nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: 'ignore' });
  await waitListening(port);
  return { port, stop: () => child.kill('SIGTERM') };
}

const run = (cmd: string, args: string[]) =>
  new Promise<string>((resolve) =>
    execFile(cmd, args, { cwd: ROOT, timeout: 3_600_000, maxBuffer: 256 * 1024 * 1024 }, (_e, out) => resolve(out)),
  );

async function main() {
  const pki = new Pki();
  const leaf = pki.leaf({ name: 'fleet' });
  const server = await nginx(pki, { cert: leaf.fullchain, key: leaf.key });
  const r = await relays(server.port, N);
  const list = pki.file('targets.txt');
  writeFileSync(list, r.ports.map((p) => `127.0.0.1:${p}`).join('\n') + '\n');
  const rows: string[][] = [];
  try {
    r.reset();
    let t0 = performance.now();
    const out = await run(process.execPath, [
      path.join(ROOT, 'bin', 'pengawas.js'),
      'probe',
      'tls',
      '--targets',
      list,
      '--parallel',
      String(P),
      '--opt',
      'checkRevocation=false',
      '--opt',
      'profile="none"',
      '--timeout',
      '120s',
    ]);
    const pWall = (performance.now() - t0) / 1000;
    const summary = out.trim().split('\n').pop() ?? '';
    rows.push(['pengawas probe tls --targets', pWall.toFixed(1), String(r.count()), summary]);
    process.stderr.write(`pengawas: ${pWall.toFixed(1)} s, ${r.count()} connections\n`);

    r.reset();
    t0 = performance.now();
    let next = 0;
    let failed = 0;
    await Promise.all(
      Array.from({ length: P }, async () => {
        while (next < r.ports.length) {
          const port = r.ports[next++];
          const xml = await run('sslscan', ['--no-colour', `--xml=${pki.file(`s${port}.xml`)}`, `127.0.0.1:${port}`]);
          if (!xml.includes('Supported Server Cipher')) failed++;
        }
      }),
    );
    const sWall = (performance.now() - t0) / 1000;
    rows.push([
      'sslscan (P processes)',
      sWall.toFixed(1),
      String(r.count()),
      failed ? `${failed} runs without a cipher list` : 'all endpoints listed',
    ]);
    process.stderr.write(`sslscan: ${sWall.toFixed(1)} s, ${r.count()} connections\n`);
  } finally {
    r.close();
    server.stop();
    pki.cleanup();
  }
  console.log(`${N} endpoints (relays to one nginx, TLS 1.0-1.3, ALL suites), parallelism ${P}\n`);
  console.log('| tool | wall s | handshakes | note |\n|---|---|---|---|');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
