/**
 * One scan, one server. The target name is resolved once at the start of a scan and every connection of that scan
 * (raw ClientHellos, Node's tls handshake, the HSTS request) goes to the same address, with SNI and the certificate
 * name still the host name: a load-balanced name would otherwise mix several backends' answers into one picture.
 * With `addresses: all` each resolved address is scanned; this module merges their findings and compares them.
 */
import dns from 'node:dns';
import net, { isIP } from 'node:net';
import { DnsError, ProbeAbortedError, ProbeError, ProbeTimeoutError } from '../../errors';
import { SEVERITIES, type Finding } from '../../results/contract';

/** Every address of a name, in the resolver's order. Injectable for tests (not a user option). */
export type LookupAll = (host: string) => Promise<string[]>;

export const systemLookup: LookupAll = (host) => dns.promises.lookup(host, { all: true }).then((list) => list.map((a) => a.address));

const abortError = (signal: AbortSignal): ProbeError => (signal.reason instanceof ProbeError ? signal.reason : new ProbeAbortedError());

/** The target's addresses (an IP literal is its own); a failed or empty lookup is PROBE_DNS. Honours the signal. */
export function resolveAddresses(host: string, opts: { signal: AbortSignal; timeoutMs: number; lookup?: LookupAll }): Promise<string[]> {
  if (isIP(host)) return Promise.resolve([host]);
  if (opts.signal.aborted) return Promise.reject(abortError(opts.signal));
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (f: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      opts.signal.removeEventListener('abort', onAbort);
      f();
    };
    const timer = setTimeout(() => finish(() => reject(new ProbeTimeoutError(opts.timeoutMs, 'DNS lookup'))), opts.timeoutMs);
    const onAbort = () => finish(() => reject(abortError(opts.signal)));
    opts.signal.addEventListener('abort', onAbort, { once: true });
    (opts.lookup ?? systemLookup)(host).then(
      (list) => finish(() => (list.length ? resolve([...new Set(list)]) : reject(new DnsError(host, 'no address')))),
      (e: unknown) =>
        finish(() => reject(e instanceof ProbeError ? e : new DnsError(host, (e as NodeJS.ErrnoException).code ?? (e as Error).message))),
    );
  });
}

/**
 * For `addresses: first`: the first address, in the resolver's order, that accepts a TCP connection, as a client
 * falls back from an address it cannot reach (e.g. `localhost` → ::1 first while the server listens on 127.0.0.1
 * only). Each attempt is bounded by `attemptMs`; when none connects, the first address is returned, so the scan
 * itself reports why it cannot connect.
 */
export async function firstReachable(addresses: string[], port: number, opts: { signal: AbortSignal; attemptMs: number }): Promise<string> {
  if (addresses.length < 2) return addresses[0];
  for (const address of addresses) {
    if (opts.signal.aborted) throw abortError(opts.signal);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: address, port });
      const done = (v: boolean) => {
        clearTimeout(timer);
        opts.signal.removeEventListener('abort', onAbort);
        socket.destroy();
        resolve(v);
      };
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(false), opts.attemptMs);
      opts.signal.addEventListener('abort', onAbort, { once: true });
      socket.once('connect', () => done(true));
      socket.once('error', () => done(false));
    });
    if (ok) return address;
  }
  return addresses[0];
}

/** What one address showed, as compared across addresses (also `measurements.perAddress`). */
export interface AddressSummary {
  address: string;
  /** Enabled protocol versions. */
  protocols: string[];
  /** Accepted suites as `protocol name`. */
  ciphers: string[];
  /** SHA-256 of the leaf certificate, null without one. */
  certificateFingerprint: string | null;
  /** Ids of this address's findings that did not pass. */
  findings: string[];
  /** Set when the address could not be scanned (it is then left out of the comparison). */
  error?: { code: string; message: string };
}

export interface AddressScan {
  summary: AddressSummary;
  findings: Finding[];
}

/**
 * All addresses' findings in one list, the first address's first: a finding (same id and status) that several
 * addresses share appears once with `evidence.addresses` and the worst severity among them; one that not every
 * address has names them in its message; where the addresses' messages differ, `evidence.messages` keeps each.
 */
export function mergeFindings(scans: AddressScan[]): Finding[] {
  const groups = new Map<string, { finding: Finding; messages: Record<string, string> }>();
  for (const s of scans) {
    for (const f of s.findings) {
      const key = `${f.id}\0${f.status}`;
      const g = groups.get(key) ?? { finding: f, messages: {} };
      groups.set(key, g);
      if (SEVERITIES.indexOf(f.severity) > SEVERITIES.indexOf(g.finding.severity)) g.finding = { ...g.finding, severity: f.severity };
      g.messages[s.summary.address] ??= f.message;
    }
  }
  return [...groups.values()].map(({ finding: f, messages }) => {
    const addresses = Object.keys(messages);
    const differ = new Set(Object.values(messages)).size > 1;
    return {
      ...f,
      message: addresses.length === scans.length ? f.message : `${f.message} (on ${addresses.join(', ')})`,
      evidence: { ...f.evidence, addresses, ...(differ ? { messages } : {}) },
    };
  });
}

/** A finding for each address that could not be scanned at all. */
export function unavailableFinding(address: string, e: ProbeError): Finding {
  return {
    id: 'tls.addresses.unavailable',
    severity: 'high',
    status: 'error',
    message: `could not scan ${address}: ${e.message}`,
    evidence: { address, code: e.code },
  };
}

const DIMENSIONS: Array<{ key: 'protocols' | 'ciphers' | 'certificate'; what: string; of: (s: AddressSummary) => string[] }> = [
  { key: 'protocols', what: 'enabled protocols', of: (s) => s.protocols },
  { key: 'ciphers', what: 'accepted suites', of: (s) => s.ciphers },
  { key: 'certificate', what: 'leaf certificate (SHA-256)', of: (s) => (s.certificateFingerprint ? [s.certificateFingerprint] : []) },
];

/**
 * `tls.addresses.inconsistent`: fail (medium) when the scanned addresses differ in enabled protocols, accepted
 * suites or leaf certificate, naming each address and what differs; pass when they agree.
 */
export function consistencyFinding(scans: AddressScan[]): Finding {
  const ok = scans.map((s) => s.summary).filter((s) => !s.error);
  const addresses = ok.map((s) => s.address);
  const differences: Record<string, Record<string, string[]>> = {};
  const parts: string[] = [];
  for (const d of DIMENSIONS) {
    const sets = ok.map((s) => new Set(d.of(s)));
    const union = [...new Set(sets.flatMap((x) => [...x]))];
    const common = union.filter((v) => sets.every((x) => x.has(v)));
    if (common.length === union.length) continue;
    // Protocols and the certificate: each address's full value; suites: only those not accepted everywhere.
    const shown = ok.map((s, i) => [s.address, d.key === 'ciphers' ? d.of(s).filter((v) => !common.includes(v)) : [...sets[i]]] as const);
    differences[d.key] = Object.fromEntries(shown);
    parts.push(`${d.what}: ${shown.map(([a, v]) => `${a} ${v.length ? v.join(', ') : 'none'}`).join('; ')}`);
  }
  if (!parts.length) {
    const message =
      ok.length > 1
        ? `the ${ok.length} addresses (${addresses.join(', ')}) show the same protocols, suites and certificate`
        : `one address scanned (${addresses.join(', ') || 'none'})`;
    return { id: 'tls.addresses.inconsistent', severity: 'medium', status: 'pass', message, evidence: { addresses } };
  }
  return {
    id: 'tls.addresses.inconsistent',
    severity: 'medium',
    status: 'fail',
    message: `the addresses of this name answer differently — ${parts.join(' | ')}`,
    evidence: { addresses, differences },
  };
}
