/**
 * Protocol and cipher-suite enumeration with hand-built ClientHellos. Per protocol: offer every suite, note the
 * one the server picks, remove it, repeat until the server refuses — handshakes grow with what the server
 * accepts, not with the registry. Protocols run concurrently (bounded by the Limiter). After two picks, one
 * handshake with those two reversed tells whether the server enforces its own order: if it does, the chain stays
 * sequential and its picks are the preference order; if the client's order rules, the remaining suites are
 * enumerated in parallel slices (fewer round trips in a row against a remote server).
 */
import { describeError, TlsHandshakeError } from '../../errors';
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
  /**
   * The first hello got no answer at all (timeout, connection lost): whether the version is accepted is unknown.
   * `supported` is then false only as a type; findings and metrics treat the version as undecided, never as off.
   */
  undecided?: string;
  /** A later hello got no answer: the suites found so far stand, more may be accepted (the error, for evidence). */
  incomplete?: string;
}

export interface Enumeration {
  protocols: ProtocolResult[];
  /** Groups the server accepts over any version: TLS 1.3's in its order of choice, then those only older versions take. */
  groups: number[];
  /** Groups per version (TLS 1.3 key exchange; ECDHE for TLS 1.0-1.2), each in the server's order of choice. */
  groupsByProtocol: Partial<Record<Protocol, number[]>>;
  /** Versions whose group enumeration stopped at an unanswered hello (the error): the groups found so far stand. */
  groupsIncomplete: Partial<Record<Protocol, string>>;
  /** The certificate list of the first TLS <= 1.2 answer, as the server sent it (order preserved). */
  sentChain?: Buffer[];
  /** Every distinct certificate list (by leaf) seen in TLS <= 1.2 answers: an RSA and an ECDSA one on dual setups. */
  sentChains: Buffer[][];
  /** Whether a TLS <= 1.2 answer read to ServerHelloDone held a CertificateRequest (absent: none read that far). */
  certificateRequest?: boolean;
}

/** What the answers showed beyond the suite: the certificate lists and whether a client certificate was asked for. */
interface Sink {
  chain?: Buffer[];
  chains: Map<string, Buffer[]>;
  certificateRequest?: boolean;
}

function note(sink: Sink, out: Extract<HelloOutcome, { accepted: true }>): void {
  if (out.certificates?.length) {
    sink.chain ??= out.certificates;
    const key = out.certificates[0].toString('base64');
    if (!sink.chains.has(key)) sink.chains.set(key, out.certificates);
  }
  if (out.certificateRequest !== undefined) sink.certificateRequest = Boolean(sink.certificateRequest) || out.certificateRequest;
}

interface Ctx {
  ep: Endpoint;
  limits: HandshakeLimits;
  limiter: Limiter;
  enumerateCiphers: boolean;
  /** Upper bound of parallel slices per protocol (the Limiter still bounds connections overall). */
  concurrency: number;
  /** Unanswered first hellos: when no version was accepted at all, the first of them is the scan's error. */
  errors: Error[];
}

function hello(c: Ctx, protocol: Protocol, ciphers: number[], groups?: number[]): Promise<HelloOutcome> {
  return c.limiter.run(() => tryHello(c.ep, { protocol, ciphers, groups }, c.limits));
}

/** The answer counts for `protocol` only if the server used that very version. */
function acceptedAs(out: HelloOutcome, protocol: Protocol): out is Extract<HelloOutcome, { accepted: true }> {
  return out.accepted && out.version === VERSION_CODE[protocol];
}

/** Offer `candidates`, note the pick, remove it, repeat (at most `limit` picks). Mutates both arrays. */
async function chain(
  c: Ctx,
  protocol: Protocol,
  candidates: number[],
  suites: AcceptedSuite[],
  sink: Sink,
  limit = Infinity,
): Promise<HelloOutcome | undefined> {
  let last: HelloOutcome | undefined;
  for (let n = 0; n < limit && candidates.length; n++) {
    const out = (last = await hello(c, protocol, candidates));
    if (!acceptedAs(out, protocol) || !candidates.includes(out.cipher)) return out;
    note(sink, out);
    suites.push({ protocol, code: out.cipher, group: out.kex?.group ?? out.group, dhBits: out.kex?.dhBits });
    candidates.splice(candidates.indexOf(out.cipher), 1);
  }
  return last;
}

/** Splits a list into `k` interleaved slices (each slice keeps the registry's strong-first order). */
function slices<T>(list: T[], k: number): T[][] {
  const out: T[][] = Array.from({ length: k }, () => []);
  list.forEach((x, i) => out[i % k].push(x));
  return out.filter((s) => s.length);
}

/** Candidates per parallel slice: below this, one more connection costs more than it saves. */
const SLICE_SIZE = 40;

async function scanProtocol(c: Ctx, protocol: Protocol, sink: Sink): Promise<ProtocolResult> {
  const candidates = suitesFor(protocol).map((s) => s.code);
  const suites: AcceptedSuite[] = [];
  let first: HelloOutcome | undefined;
  try {
    first = await chain(c, protocol, candidates, suites, sink, c.enumerateCiphers ? 2 : 1);
  } catch (e) {
    // No answer is no verdict: the version is undecided without a suite, and stays on with the ones it showed.
    if (c.limits.signal.aborted) throw e;
    if (!suites.length) {
      c.errors.push(e as Error);
      return { protocol, supported: false, suites, undecided: describeError(e) };
    }
    return { protocol, supported: true, suites, incomplete: describeError(e) };
  }
  const refusal = suites.length
    ? undefined
    : first?.accepted
      ? `server answered with version 0x${first.version.toString(16)}`
      : first?.alert;
  if (suites.length < 2) return { protocol, supported: suites.length > 0, suites, refusal };

  let serverPreference: boolean | undefined;
  let incomplete: string | undefined;
  try {
    // Which order rules: offered the two found suites reversed, a server enforcing its own order keeps its pick.
    const probe = await hello(c, protocol, [suites[1].code, suites[0].code]);
    serverPreference = acceptedAs(probe, protocol) ? probe.cipher === suites[0].code : undefined;
  } catch (e) {
    if (c.limits.signal.aborted) throw e;
    return { protocol, supported: true, suites, incomplete: describeError(e) };
  }
  if (serverPreference !== false) {
    // The sequence of picks is the server's preference order: it must stay one sequential chain.
    await chain(c, protocol, candidates, suites, sink).catch((e: unknown) => {
      if (c.limits.signal.aborted) throw e;
      incomplete = describeError(e);
    });
  } else {
    // The client's order rules, so no order is lost by enumerating disjoint slices in parallel.
    const k = Math.max(1, Math.min(c.concurrency, Math.ceil(candidates.length / SLICE_SIZE)));
    const found = await Promise.all(
      slices(candidates, k).map(async (slice) => {
        const part: AcceptedSuite[] = [];
        await chain(c, protocol, slice, part, sink).catch((e: unknown) => {
          if (c.limits.signal.aborted) throw e;
          incomplete ??= describeError(e);
        });
        return part;
      }),
    );
    suites.push(...found.flat());
  }
  return { protocol, supported: true, suites, serverPreference, refusal, ...(incomplete ? { incomplete } : {}) };
}

/**
 * Offer groups, remove the chosen one, repeat: the groups the server accepts over `protocol`, in its order. A hello
 * without an answer ends the list there (`error`); the groups found so far stand.
 */
async function groupsOver(c: Ctx, protocol: Protocol, ciphers: number[]): Promise<{ found: number[]; error?: string }> {
  let groups = [...(protocol === 'TLSv1.3' ? TLS13_GROUPS : LEGACY_CURVES)];
  const found: number[] = [];
  while (groups.length) {
    let out: HelloOutcome;
    try {
      out = await hello(c, protocol, ciphers, groups);
    } catch (e) {
      if (c.limits.signal.aborted) throw e;
      return { found, error: describeError(e) };
    }
    if (!acceptedAs(out, protocol)) break;
    const g = protocol === 'TLSv1.3' ? out.group : out.kex?.group;
    if (g === undefined || !groups.includes(g)) break;
    found.push(g);
    groups = groups.filter((x) => x !== g);
  }
  return { found };
}

/**
 * Groups per protocol: TLS 1.3 (key shares) and each TLS 1.0-1.2 version with ECDHE suites (supported_groups
 * is an extension every TLS version carries, RFC 4492), side by side. SSLv3 has no extensions.
 */
async function scanGroups(
  c: Ctx,
  results: ProtocolResult[],
): Promise<{ groupsByProtocol: Partial<Record<Protocol, number[]>>; groupsIncomplete: Partial<Record<Protocol, string>> }> {
  const jobs = results
    .filter((r) => r.supported && r.protocol !== 'SSLv3')
    .map((r) => ({
      protocol: r.protocol,
      ciphers:
        r.protocol === 'TLSv1.3'
          ? r.suites.map((s) => s.code)
          : r.suites.filter((s) => cipherByCode(s.code)?.kx === 'ECDH').map((s) => s.code),
    }))
    .filter((j) => j.ciphers.length);
  const found = await Promise.all(jobs.map((j) => groupsOver(c, j.protocol, j.ciphers)));
  const groupsByProtocol: Partial<Record<Protocol, number[]>> = {};
  const groupsIncomplete: Partial<Record<Protocol, string>> = {};
  jobs.forEach((j, i) => {
    if (found[i].found.length) groupsByProtocol[j.protocol] = found[i].found;
    if (found[i].error) groupsIncomplete[j.protocol] = found[i].error;
  });
  return { groupsByProtocol, groupsIncomplete };
}

export async function enumerate(
  ep: Endpoint,
  protocols: readonly Protocol[],
  opts: { limits: HandshakeLimits; limiter: Limiter; enumerateCiphers: boolean; concurrency: number },
): Promise<Enumeration> {
  const errors: Error[] = [];
  const c: Ctx = { ep, ...opts, errors };
  const sink: Sink = { chains: new Map() };
  // Newest first, so the newest protocols start first; the sent chain is the first TLS <= 1.2 answer's.
  const ordered = [...protocols].reverse();
  const results = await Promise.all(
    ordered.map((p) =>
      scanProtocol(c, p, sink).catch((e: unknown): ProtocolResult => {
        // The check's own deadline or cancellation ends the scan; a single protocol's failure does not.
        if (opts.limits.signal.aborted) throw e;
        errors.push(e as Error);
        return { protocol: p, supported: false, suites: [], undecided: describeError(e) };
      }),
    ),
  );
  if (!results.some((r) => r.supported)) {
    // Nothing accepted and something unanswered: the scan decided nothing, it did not find every version off.
    if (errors.length) throw errors[0];
    const why = [...new Set(results.map((r) => r.refusal).filter(Boolean))].join(', ');
    throw new TlsHandshakeError(`the server accepted no SSL/TLS version${why ? ` (${why})` : ''}`);
  }
  const { groupsByProtocol, groupsIncomplete } = await scanGroups(c, results);
  // Newest protocol first, each group once (a group the server takes only over an old version still counts).
  const groups = [...new Set(ordered.flatMap((p) => groupsByProtocol[p] ?? []))];
  return {
    protocols: results.reverse(),
    groups,
    groupsByProtocol,
    groupsIncomplete,
    sentChain: sink.chain,
    sentChains: [...sink.chains.values()],
    certificateRequest: sink.certificateRequest,
  };
}
