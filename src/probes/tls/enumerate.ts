/**
 * Protocol and cipher-suite enumeration with hand-built ClientHellos. Per protocol: offer every suite, note the
 * one the server picks, remove it, repeat until the server refuses — handshakes grow with what the server
 * accepts, not with the registry. Protocols run concurrently (bounded by the Limiter). With a server that
 * enforces its own order, the order found is its preference order; one handshake with the list reversed tells.
 */
import { TlsHandshakeError } from '../../errors';
import { cipherByCode, suitesFor } from './ciphers';
import type { Limiter } from './limiter';
import { LEGACY_CURVES, TLS13_GROUPS, VERSION_CODE, type Protocol } from './wire/constants';
import { tryHello, type Endpoint, type HandshakeLimits, type HelloOutcome } from './wire/handshake';

export interface AcceptedSuite {
  protocol: Protocol;
  code: number;
  /** ECDHE curve or TLS 1.3 group the server used with this suite. */
  group?: number;
  /** DHE prime size in bits. */
  dhBits?: number;
}

export interface ProtocolResult {
  protocol: Protocol;
  supported: boolean;
  /** Accepted suites in the order the server picked them. */
  suites: AcceptedSuite[];
  /** true: the server picks by its own order; false: it follows the client; undefined: fewer than 2 suites. */
  serverPreference?: boolean;
  /** Why the first attempt was refused (alert name), for evidence. */
  refusal?: string;
}

export interface Enumeration {
  protocols: ProtocolResult[];
  /** Groups the server accepts, in its order of choice (TLS 1.3 if available, else TLS 1.2 ECDHE). */
  groups: number[];
  /** The certificate list of the first TLS <= 1.2 answer, as the server sent it (order preserved). */
  sentChain?: Buffer[];
}

interface Ctx {
  ep: Endpoint;
  limits: HandshakeLimits;
  limiter: Limiter;
  enumerateCiphers: boolean;
}

function hello(c: Ctx, protocol: Protocol, ciphers: number[], groups?: number[]): Promise<HelloOutcome> {
  return c.limiter.run(() => tryHello(c.ep, { protocol, ciphers, groups }, c.limits));
}

/** The answer counts for `protocol` only if the server used that very version. */
function acceptedAs(out: HelloOutcome, protocol: Protocol): out is Extract<HelloOutcome, { accepted: true }> {
  return out.accepted && out.version === VERSION_CODE[protocol];
}

async function scanProtocol(c: Ctx, protocol: Protocol, sink: { chain?: Buffer[] }): Promise<ProtocolResult> {
  let candidates = suitesFor(protocol).map((s) => s.code);
  const suites: AcceptedSuite[] = [];
  let refusal: string | undefined;
  while (candidates.length) {
    const out = await hello(c, protocol, candidates);
    if (!acceptedAs(out, protocol) || !candidates.includes(out.cipher)) {
      if (!suites.length) refusal = out.accepted ? `server answered with version 0x${out.version.toString(16)}` : out.alert;
      break;
    }
    if (out.certificates?.length && !sink.chain) sink.chain = out.certificates;
    suites.push({ protocol, code: out.cipher, group: out.kex?.group ?? out.group, dhBits: out.kex?.dhBits });
    candidates = candidates.filter((x) => x !== out.cipher);
    if (!c.enumerateCiphers) break;
  }
  let serverPreference: boolean | undefined;
  if (suites.length >= 2) {
    const reversed = suites.map((s) => s.code).reverse();
    const out = await hello(c, protocol, reversed);
    if (acceptedAs(out, protocol)) serverPreference = out.cipher === suites[0].code;
  }
  return { protocol, supported: suites.length > 0, suites, serverPreference, refusal };
}

/** Offer groups, remove the chosen one, repeat: the server's supported groups in its order. */
async function scanGroups(c: Ctx, results: ProtocolResult[]): Promise<number[]> {
  const tls13 = results.find((r) => r.protocol === 'TLSv1.3' && r.supported);
  const tls12 = results.find((r) => r.protocol === 'TLSv1.2' && r.supported);
  const ecdhe = tls12?.suites.filter((s) => cipherByCode(s.code)?.kx === 'ECDH').map((s) => s.code) ?? [];
  const protocol: Protocol | undefined = tls13 ? 'TLSv1.3' : ecdhe.length ? 'TLSv1.2' : undefined;
  if (!protocol) return [];
  const ciphers = protocol === 'TLSv1.3' ? tls13!.suites.map((s) => s.code) : ecdhe;
  let groups = [...(protocol === 'TLSv1.3' ? TLS13_GROUPS : LEGACY_CURVES)];
  const found: number[] = [];
  while (groups.length) {
    const out = await hello(c, protocol, ciphers, groups);
    if (!acceptedAs(out, protocol)) break;
    const g = protocol === 'TLSv1.3' ? out.group : out.kex?.group;
    if (g === undefined || !groups.includes(g)) break;
    found.push(g);
    groups = groups.filter((x) => x !== g);
  }
  return found;
}

export async function enumerate(ep: Endpoint, protocols: readonly Protocol[], opts: { limits: HandshakeLimits; limiter: Limiter; enumerateCiphers: boolean }): Promise<Enumeration> {
  const c: Ctx = { ep, ...opts };
  const sink: { chain?: Buffer[] } = {};
  // Newest first, so the newest protocols start first; the sent chain is the first TLS <= 1.2 answer's.
  const ordered = [...protocols].reverse();
  const errors: Error[] = [];
  const results = await Promise.all(
    ordered.map((p) =>
      scanProtocol(c, p, sink).catch((e: Error) => {
        // The check's own deadline or cancellation ends the scan; a single protocol's failure does not.
        if (opts.limits.signal.aborted) throw e;
        errors.push(e);
        return { protocol: p, supported: false, suites: [], refusal: `${(e as { code?: string }).code ?? 'error'}: ${e.message}` } as ProtocolResult;
      }),
    ),
  );
  if (!results.some((r) => r.supported)) {
    if (errors.length) throw errors[0];
    const why = [...new Set(results.map((r) => r.refusal).filter(Boolean))].join(', ');
    throw new TlsHandshakeError(`the server accepted no SSL/TLS version${why ? ` (${why})` : ''}`);
  }
  const groups = await scanGroups(c, results);
  return { protocols: results.reverse(), groups, sentChain: sink.chain };
}
