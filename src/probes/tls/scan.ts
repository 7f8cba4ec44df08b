/**
 * One TLS scan: raw enumeration (protocols, suites, groups) and one complete handshake through Node's tls (chain,
 * stapled OCSP, timing) and the SSLv2 probe (its own record format) run side by side; then the certificate is
 * analysed, the revocation of the leaf and of each intermediate (in parallel) and HSTS are checked.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { describeError, ProbeTimeoutError, TlsHandshakeError } from '../../errors';
import { analyzeChain, findIssuer } from './cert/analyze';
import { trustAnchors } from './cert/anchors';
import { nodeHandshake, SIGALG_CLASSES, type NodeHandshake } from './cert/fetch';
import { cipherByCode } from './ciphers';
import { enumerate, type Enumeration } from './enumerate';
import type { ScanFacts } from './facts';
import { fetchHsts } from './hsts';
import { Limiter } from './limiter';
import type { TlsOptions } from './options';
import { checkRevocation } from './revocation';
import { checkChainRevocation } from './revocation/chain';
import { checkClientRenegotiation, checkSessions } from './session';
import { transparency } from './cert/transparency';
import { checkVulns } from './vulns';
import { ALL_PROTOCOLS, PROTOCOLS, type AnyProtocol, type Protocol } from './wire/constants';
import type { Endpoint, HandshakeLimits } from './wire/handshake';
import { trySslv2, type Sslv2Result } from './wire/sslv2';

export interface ScanResult {
  facts: ScanFacts;
  enumeration: Enumeration;
  negotiated?: Omit<NodeHandshake, 'chain' | 'ocspResponse'>;
  handshakes: number;
  scanMs: number;
  /** SHA-256 of the leaf certificate (DER), colon-separated hex as Node prints it; absent without a certificate. */
  leafFingerprint?: string;
}

export async function scanTls(
  ep: Endpoint,
  o: TlsOptions,
  env: { signal: AbortSignal; timeoutMs: number; caPem?: string },
): Promise<ScanResult> {
  const t0 = performance.now();
  const timeoutMs = Math.min(o.handshakeTimeoutMs, env.timeoutMs);
  // A port that accepts and never answers: the first attempt to time out before any attempt got an answer ends
  // the scan, so queued attempts do not each wait out their own deadline (one timeout, not several in a row).
  const silence = new AbortController();
  let answered = false;
  const limiter = new Limiter(o.concurrency, (e) => {
    if (!(e instanceof ProbeTimeoutError)) answered = true;
    else if (!answered && !silence.signal.aborted && !env.signal.aborted)
      silence.abort(new ProbeTimeoutError(timeoutMs, 'any handshake; the port accepts connections but sends nothing'));
  });
  const signal = AbortSignal.any([env.signal, silence.signal]);
  const limits = { signal, timeoutMs, maxBytes: o.maxHandshakeBytes };
  const tested = o.protocols ? ALL_PROTOCOLS.filter((p) => o.protocols!.includes(p)) : [...ALL_PROTOCOLS];
  const testedTls = tested.filter((p): p is Protocol => p !== 'SSLv2');

  const nodeRun = limiter
    .run(() => nodeHandshake(ep, limits))
    .then(
      (v) => ({ ok: true as const, v }),
      (e: unknown) => ({ ok: false as const, e: e as Error }),
    );
  // One more connection at the same time as the others: SSLv2 costs the scan no extra round trip in a row. An
  // attempt that got no answer (timeout) or no connection leaves SSLv2 undecided, as for every other version.
  let sslv2Error: Error | undefined;
  const sslv2Run: Promise<Sslv2Result | undefined> = tested.includes('SSLv2')
    ? limiter
        .run(() => trySslv2(ep, limits))
        .catch((e: unknown) => {
          if (signal.aborted) throw e;
          sslv2Error = e as Error;
          return { enabled: false, ciphers: [], refusal: (e as Error).message };
        })
    : Promise.resolve(undefined);
  const enumRun = testedTls.length
    ? enumerate(ep, testedTls, { limits, limiter, enumerateCiphers: o.enumerateCiphers, concurrency: o.concurrency }).then(
        (v) => ({ ok: true as const, v }),
        (e: unknown) => ({ ok: false as const, e: e as Error }),
      )
    : undefined;
  const sslv2 = await sslv2Run.catch((e: unknown) => {
    throw silence.signal.aborted ? silence.signal.reason : e;
  });
  const enumOut = await enumRun;
  if (silence.signal.aborted) throw silence.signal.reason;
  const empty: Enumeration = {
    protocols: testedTls.map((protocol) => ({ protocol, supported: false, suites: [] })),
    groups: [],
    groupsByProtocol: {},
    groupsIncomplete: {},
    sentChains: [],
  };
  // A server that speaks only SSLv2 accepts no SSLv3+/TLS version: that is a result, not a failed scan.
  if (enumOut && !enumOut.ok && (signal.aborted || !sslv2?.enabled)) throw enumOut.e;
  if (!enumOut && sslv2Error) throw sslv2Error;
  if (!enumOut && !sslv2?.enabled)
    throw new TlsHandshakeError(`the server does not accept SSLv2${sslv2?.refusal ? ` (${sslv2.refusal})` : ''}`);
  const enumeration = enumOut?.ok ? enumOut.v : empty;
  const node = await nodeRun;
  if (!node.ok && signal.aborted) throw node.e;
  const resultOf = (p: Protocol) => enumeration.protocols.find((r) => r.protocol === p);
  const has = (p: Protocol) => Boolean(resultOf(p)?.supported);
  const sessionSupport = { tls13: has('TLSv1.3'), legacy: has('TLSv1') || has('TLSv1.1') || has('TLSv1.2') };
  const [byKeyType, vulns, sessions] = await Promise.all([
    certificatesByKeyType(ep, enumeration, o, limiter, limits),
    o.vulnerabilities && enumOut?.ok ? checkVulns(ep, enumeration.protocols, limiter, limits, o.enumerateCiphers) : undefined,
    o.sessions && enumOut?.ok && (sessionSupport.tls13 || sessionSupport.legacy)
      ? checkSessions(ep, sessionSupport, limiter, limits)
      : undefined,
  ]);

  // Last, when nothing else of the scan is in flight: a server may stall after refusing (s_server sleeps 1 s).
  if (sessions && sessionSupport.legacy) {
    const reneg = await checkClientRenegotiation(ep, limiter, limits);
    if (reneg) {
      sessions.clientRenegotiation = reneg.accepted;
      sessions.renegotiationAnswer = reneg.answer;
    } else sessions.notes.push('client renegotiation: undecided (the TLS 1.2 connection could not be made, or ended at its deadline)');
  }

  const undecided: Array<{ protocol: AnyProtocol; undecided?: string }> = enumeration.protocols.filter((r) => r.undecided);
  if (sslv2Error) undecided.unshift({ protocol: 'SSLv2', undecided: describeError(sslv2Error) });
  const incomplete = [
    ...enumeration.protocols
      .filter((r) => r.incomplete)
      .map((r) => ({ protocol: r.protocol, what: 'suites' as const, found: r.suites.length, error: r.incomplete! })),
    ...(byKeyType.error
      ? [
          {
            protocol: sessionSupport.tls13 ? 'TLSv1.3' : PROTOCOLS.filter(has).pop()!,
            what: 'certificates' as const,
            found: byKeyType.chains.length,
            error: byKeyType.error,
          },
        ]
      : []),
    ...Object.entries(enumeration.groupsIncomplete).map(([p, error]) => ({
      protocol: p as Protocol,
      what: 'groups' as const,
      found: enumeration.groupsByProtocol[p as Protocol]?.length ?? 0,
      error: error,
    })),
  ];
  const facts: ScanFacts = {
    tested,
    protocols: {
      SSLv2: sslv2Error ? null : Boolean(sslv2?.enabled),
      ...Object.fromEntries(PROTOCOLS.map((p) => [p, resultOf(p)?.undecided ? null : Boolean(resultOf(p)?.supported)])),
    },
    ...(undecided.length ? { undecided: Object.fromEntries(undecided.map((r) => [r.protocol, r.undecided!])) } : {}),
    ...(incomplete.length ? { incomplete } : {}),
    sslv2,
    suites: enumeration.protocols.flatMap((r) => r.suites.map((s) => ({ ...s, suite: cipherByCode(s.code)! }))).filter((s) => s.suite),
    serverPreference: Object.fromEntries(
      enumeration.protocols.filter((r) => r.serverPreference !== undefined).map((r) => [r.protocol, r.serverPreference]),
    ),
    groups: enumeration.groups,
    groupsByProtocol: enumeration.groupsByProtocol,
    expiryWarnDays: o.expiryWarnDays,
    checkRevocation: o.checkRevocation,
    vulns,
    sessions,
  };

  // The raw TLS <= 1.2 Certificate message keeps the server's order; prefer it when it shows the same leaf.
  const nodeChain = node.ok ? node.v.chain : [];
  const raw = enumeration.sentChain;
  const useRaw = raw?.length && (!nodeChain.length || raw[0].equals(nodeChain[0]));
  // A server that only speaks SSLv2 shows its certificate in the SERVER-HELLO alone.
  const v2Chain = !raw?.length && !nodeChain.length && sslv2?.certificate ? [sslv2.certificate] : [];
  const chain = useRaw ? raw : nodeChain.length ? nodeChain : v2Chain;
  if (chain.length) {
    const anchors = trustAnchors(env.caPem);
    const report = analyzeChain({ chain, orderKnown: Boolean(useRaw), hostname: ep.servername ?? ep.host, anchors });
    const stapled = node.ok ? node.v.ocspResponse : undefined;
    facts.certificate = { ...report, ocspStapled: Boolean(stapled) };
    try {
      // CT policies bind publicly trusted certificates only: a path that needs `caFile` is a private PKI.
      const publiclyTrusted = env.caPem
        ? analyzeChain({ chain, orderKnown: Boolean(useRaw), hostname: ep.servername ?? ep.host, anchors: trustAnchors() }).pathTrusted
        : report.pathTrusted;
      facts.transparency = {
        ...transparency(chain[0], stapled, vulns?.sctExtension ?? null, vulns?.sctExtensionCount ?? null),
        publiclyTrusted,
      };
    } catch {
      // a leaf the ASN.1 reader cannot walk was already judged by analyzeChain; no CT verdict for it
    }
    // Other leaves (another key type) from the raw answers and the per-key-type handshakes, each judged alone.
    const seen = new Set([chain[0].toString('base64')]);
    for (const other of [...enumeration.sentChains, ...byKeyType.chains]) {
      const key = other[0].toString('base64');
      if (seen.has(key)) continue;
      seen.add(key);
      facts.otherCertificates = [
        ...(facts.otherCertificates ?? []),
        analyzeChain({ chain: other, orderKnown: enumeration.sentChains.includes(other), hostname: ep.servername ?? ep.host, anchors }),
      ];
    }
    if (o.checkRevocation) {
      // The leaf and every intermediate at once: the checks cost one round of OCSP/CRL fetches, not one per level.
      const fetchLimits = { signal: env.signal, timeoutMs: limits.timeoutMs, maxBytes: 10 * 1024 * 1024 };
      const [leaf, intermediates] = await Promise.all([
        checkRevocation(
          { leaf: chain[0], issuer: findIssuer(chain, anchors), stapled, ocspUrls: report.ocspUrls, crlUrls: report.crlUrls },
          fetchLimits,
        ),
        checkChainRevocation(chain, anchors, fetchLimits),
      ]);
      facts.certificate.revocation = leaf;
      facts.certificate.chainRevocation = intermediates;
    }
  } else {
    facts.certificateError = node.ok ? 'the server sent no certificate' : node.e.message;
  }

  // Asked for in a TLS <= 1.2 answer; `required` once a handshake without one was refused by the server.
  if (enumeration.certificateRequest !== undefined)
    facts.clientCertificate = enumeration.certificateRequest ? 'requested' : 'not requested';
  if (facts.clientCertificate === 'requested' && !node.ok && node.e instanceof TlsHandshakeError) facts.clientCertificate = 'required';
  let handshakes = limiter.started;
  if (o.hsts && !ep.starttls) {
    handshakes++;
    try {
      facts.hsts = await fetchHsts({
        host: ep.host,
        address: ep.address,
        port: ep.port,
        servername: ep.servername,
        path: o.hstsPath,
        signal: env.signal,
        timeoutMs: limits.timeoutMs,
      });
    } catch (e) {
      if (env.signal.aborted) throw e;
      facts.hstsError = (e as Error).message;
      if (
        facts.clientCertificate === 'requested' &&
        /certificate required|alert number 116|handshake failure|alert number 40/i.test(facts.hstsError)
      )
        facts.clientCertificate = 'required';
    }
  }
  const negotiated = node.ok ? withoutChain(node.v) : undefined;
  const leafFingerprint = chain.length
    ? createHash('sha256')
        .update(chain[0])
        .digest('hex')
        .toUpperCase()
        .replace(/(..)(?!$)/g, '$1:')
    : undefined;
  return { facts, enumeration, negotiated, handshakes, scanMs: performance.now() - t0, leafFingerprint };
}

/** The negotiated parameters without the chain and the OCSP bytes (reported elsewhere). */
function withoutChain(v: NodeHandshake): Omit<NodeHandshake, 'chain' | 'ocspResponse'> {
  const rest: Partial<NodeHandshake> = { ...v };
  delete rest.chain;
  delete rest.ocspResponse;
  return rest as Omit<NodeHandshake, 'chain' | 'ocspResponse'>;
}

/**
 * Certificates that only key-type-specific handshakes show: when TLS 1.3 is the only version (its Certificate is
 * encrypted, so the raw answers carry none) or suites were not enumerated (one pick per version may see only one
 * of an RSA/ECDSA pair), one Node handshake per signature class. A refused class means no certificate of it; a
 * class whose handshake got no answer (timeout, connection failure) is `error`: a certificate of it may exist.
 */
async function certificatesByKeyType(
  ep: Endpoint,
  e: Enumeration,
  o: TlsOptions,
  limiter: Limiter,
  limits: HandshakeLimits,
): Promise<{ chains: Buffer[][]; error?: string }> {
  const v13 = e.protocols.some((p) => p.protocol === 'TLSv1.3' && p.supported);
  const legacy = e.protocols.some((p) => p.protocol !== 'TLSv1.3' && p.supported);
  if (!(v13 && !legacy) && !(!o.enumerateCiphers && (v13 || legacy))) return { chains: [] };
  let error: string | undefined;
  const runs = await Promise.all(
    Object.values(SIGALG_CLASSES).map((sigalgs) =>
      limiter
        .run(() => nodeHandshake(ep, limits, sigalgs))
        .catch((err: unknown) => {
          if (limits.signal.aborted) throw err;
          if (!(err instanceof TlsHandshakeError)) error ??= describeError(err);
          return undefined;
        }),
    ),
  );
  return { chains: runs.filter((r): r is NodeHandshake => Boolean(r?.chain.length)).map((r) => r.chain), error };
}
