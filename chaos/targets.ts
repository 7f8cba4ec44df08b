/**
 * What the chaos run's checks probe, all on loopback: a healthy HTTP endpoint, and hostile ones that must end in
 * `error` within the check's timeout without holding a socket or a worker (an endless body, a port that accepts and
 * never answers, a body that would take a catastrophic-backtracking pattern minutes on a backtracking engine).
 */
import http from 'node:http';
import net from 'node:net';

export interface Targets {
  ok: string;
  endless: string;
  silent: string;
  backtrack: string;
  /** Sockets the endless server still holds open (a probe that leaks sockets shows here). */
  openEndless(): number;
  close(): Promise<void>;
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}

export async function startTargets(): Promise<Targets> {
  const sockets = new Set<net.Socket>();
  const ok = http.createServer((_req, res) => res.end('ok\n'));
  let endlessOpen = 0;
  const endless = http.createServer((_req, res) => {
    endlessOpen += 1;
    res.writeHead(200, { 'content-type': 'text/plain' });
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const timer = setInterval(() => res.write(chunk), 5);
    res.on('close', () => {
      endlessOpen -= 1;
      clearInterval(timer);
    });
  });
  const silent = net.createServer((s) => sockets.add(s));
  const backtrack = http.createServer((_req, res) => res.end(`${'a'.repeat(30_000)}b`));
  for (const srv of [ok, endless, backtrack] as net.Server[]) srv.on('connection', (s) => sockets.add(s));
  const [p1, p2, p3, p4] = await Promise.all([listen(ok), listen(endless), listen(silent), listen(backtrack)]);
  return {
    ok: `http://127.0.0.1:${p1}/ok`,
    endless: `http://127.0.0.1:${p2}/stream`,
    silent: `http://127.0.0.1:${p3}/`,
    backtrack: `http://127.0.0.1:${p4}/`,
    openEndless: () => endlessOpen,
    async close() {
      for (const s of sockets) s.destroy();
      await Promise.all([ok, endless, silent, backtrack].map((srv) => new Promise<void>((r) => srv.close(() => r()))));
    },
  };
}

export const HOSTILE = ['hostile-endless', 'hostile-silent', 'hostile-backtrack'];

/** N healthy checks and one per hostile target, every `everyS` seconds. */
export function checksYaml(t: Targets, n: number, everyS: number): string {
  const lines = ['checks:'];
  const common = `type: http, element: efficiency, schedule: { every: ${everyS}s }, timeout: ${Math.max(1, everyS - 1)}s, retries: 0`;
  for (let i = 0; i < n; i++) lines.push(`  - { id: ok-${String(i).padStart(2, '0')}, ${common}, target: "${t.ok}" }`);
  lines.push(`  - { id: hostile-endless, ${common}, target: "${t.endless}" }`);
  lines.push(`  - { id: hostile-silent, ${common}, target: "${t.silent}" }`);
  lines.push(`  - { id: hostile-backtrack, ${common}, target: "${t.backtrack}", options: { bodyMatches: ["(a+)+$"] } }`);
  return `${lines.join('\n')}\n`;
}
