/**
 * `pengawas probe <type> --targets FILE`: one probe over many targets with bounded parallelism, a progress line on
 * a TTY (stderr), and one summary table (endpoint, status, worst finding; for tls also protocols and expiry).
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors';
import { adHocCheck } from '../probes/ad-hoc';
import { runCheck } from '../probes/runner';
import { SEVERITIES, STATUSES, type ProbeResult } from '../results/contract';

/** Targets, one a line; blank lines and `#` comments skipped. An empty list is an error naming the file. */
export async function readTargets(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--targets: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const out: string[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    if (/\s/.test(line)) throw new UsageError(`--targets ${file}:${i + 1}: one target per line, got "${line}"`);
    out.push(line);
  }
  if (!out.length) throw new UsageError(`--targets ${file}: no targets (one per line, # comments)`);
  return out;
}

export interface FleetRun {
  results: ProbeResult[];
  wallMs: number;
}

/** Runs the probe on every target, at most `parallel` at once; results in the file's order. */
export async function runFleet(
  type: string,
  targets: string[],
  o: { options: Record<string, unknown>; timeoutMs: number; parallel: number; dataDir: string; progress?: NodeJS.WriteStream },
): Promise<FleetRun> {
  const t0 = Date.now();
  const results = new Array<ProbeResult>(targets.length);
  let next = 0;
  let done = 0;
  const tty = o.progress?.isTTY ? o.progress : undefined;
  const show = () =>
    tty?.write(
      `\r\x1b[K${done}/${targets.length} scanned, ${Math.min(o.parallel, targets.length - done)} in flight, ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
  const worker = async () => {
    while (next < targets.length) {
      const i = next++;
      const check = adHocCheck({ type, target: targets[i], options: o.options, timeoutMs: o.timeoutMs });
      results[i] = await runCheck(check, { dataDir: o.dataDir });
      done++;
      show();
    }
  };
  show();
  await Promise.all(Array.from({ length: Math.min(o.parallel, targets.length) }, worker));
  tty?.write('\r\x1b[K');
  return { results, wallMs: Date.now() - t0 };
}

const rank = (sev: string) => SEVERITIES.indexOf(sev as never);
const statusRank = (s: string) => STATUSES.indexOf(s as never);

/** The finding that matters most: failing before warning before erroring, then by severity. */
function worst(r: ProbeResult): string {
  const bad = r.findings.filter((f) => f.status !== 'pass');
  if (!bad.length) return '-';
  bad.sort(
    (a, b) =>
      (a.status === 'error' ? 1 : 0) - (b.status === 'error' ? 1 : 0) ||
      statusRank(b.status) - statusRank(a.status) ||
      rank(b.severity) - rank(a.severity),
  );
  const w = bad[0];
  return `${w.severity} ${w.id}${bad.length > 1 ? ` (+${bad.length - 1})` : ''}`;
}

export function fleetTable(run: FleetRun): string {
  const rows = run.results.map((r) => {
    const m = r.measurements as {
      protocols?: Record<string, boolean | null>;
      certificate?: { notAfter: string; daysLeft: number } | null;
      handshakes?: number;
    };
    const protocols = m.protocols
      ? Object.entries(m.protocols)
          .filter(([, on]) => on !== false)
          .map(([p, on]) => `${p.replace('TLSv', '')}${on === null ? '?' : ''}`)
          .join(',') || 'none'
      : '-';
    const expiry = m.certificate ? `${m.certificate.notAfter.slice(0, 10)} (${m.certificate.daysLeft}d)` : '-';
    return [r.target, r.status.toUpperCase(), worst(r), protocols, expiry];
  });
  const head = ['ENDPOINT', 'STATUS', 'WORST FINDING', 'PROTOCOLS', 'EXPIRY'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const count = (s: string) => run.results.filter((r) => r.status === s).length;
  const handshakes = run.results.reduce((n, r) => n + ((r.measurements as { handshakes?: number }).handshakes ?? 0), 0);
  const summary = `${run.results.length} endpoints in ${(run.wallMs / 1000).toFixed(1)} s: ${STATUSES.map((s) => `${count(s)} ${s}`).join(', ')}${handshakes ? `; ${handshakes} handshakes` : ''}`;
  return [line(head), ...rows.map(line), '', summary].join('\n') + '\n';
}
