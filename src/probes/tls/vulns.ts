/**
 * Vulnerability checks that need their own handshake (each one hand-built ClientHello, run side by side):
 * RFC 5746 secure renegotiation, TLS compression (CRIME), TLS_FALLBACK_SCSV (RFC 7507), CCS injection (its hello
 * also asks for heartbeat and SCTs), and Heartbleed on one more connection only when the server took the heartbeat
 * extension; ROBOT (robot.ts) alongside when the server accepts RSA key exchange. What each sends and what counts as vulnerable is in docs/probes/tls.md.
 */
import { describeError } from '../../errors';
import { suitesFor } from './ciphers';
import type { ProtocolResult } from './enumerate';
import type { Limiter } from './limiter';
import { EXT, PROTOCOLS, VERSION_CODE, type Protocol } from './wire/constants';
import { ccsInjection } from './wire/ccs';
import { openHello, tryHello, type Endpoint, type HandshakeLimits, type HelloOutcome } from './wire/handshake';
import { heartbleed } from './wire/heartbleed';
import { countScts } from './cert/transparency';
import { checkRobot, type RobotCheck } from './robot';

/** TLS_FALLBACK_SCSV (RFC 7507 section 6): a cipher-suite value that says "this is a downgraded retry". */
export const FALLBACK_SCSV = 0x5600;
const DEFLATE = 1;

/** true: the property holds (e.g. secure renegotiation supported); null: not applicable or undecided. */
export interface VulnChecks {
  /** The ServerHello to a TLS <= 1.2 hello with renegotiation_info echoes the extension (RFC 5746 3.6). */
  secureRenegotiation: boolean | null;
  /** The server chose DEFLATE when offered [DEFLATE, null] (CRIME). */
  compression: boolean | null;
  /** A hello below the server's newest version, carrying TLS_FALLBACK_SCSV, is refused (inappropriate_fallback). */
  fallbackScsv: boolean | null;
  /** The version the fallback hello used, and how the server answered. */
  fallbackEvidence?: { offered: Protocol; answer: string };
  /** The server accepted the heartbeat extension (RFC 6520); null when no TLS 1.0-1.2 hello was answered. */
  heartbeatExtension: boolean | null;
  /** A heartbeat request claiming more than it carried was answered with more (Heartbleed, CVE-2014-0160). */
  heartbleed: boolean | null;
  heartbleedEvidence?: { protocol: Protocol; answer: string };
  /** An early ChangeCipherSpec was taken (CCS injection, CVE-2014-0224). */
  ccsInjection: boolean | null;
  ccsEvidence?: { protocol: Protocol; answer: string };
  /** ROBOT: the five ClientKeyExchange variants and the answers compared (robot.ts); null when it could not run. */
  robot: RobotCheck | null;
  /** The ServerHello to a hello asking for SCTs carried signed_certificate_timestamp (RFC 6962 3.3.1). */
  sctExtension: boolean | null;
  /** SCTs in that extension's list (null when not asked or not answered). */
  sctExtensionCount: number | null;
  /** Why a check stayed undecided. */
  notes: string[];
}

/** How long a follow-up (heartbeat, early CCS) waits for an answer that a fixed server may never send. */
const FOLLOWUP_WAIT_MS = 1500;

export async function checkVulns(
  ep: Endpoint,
  results: ProtocolResult[],
  limiter: Limiter,
  limits: HandshakeLimits,
  enumerated = true,
): Promise<VulnChecks> {
  const supported = PROTOCOLS.filter((p) => results.find((r) => r.protocol === p)?.supported);
  // Renegotiation and compression exist up to TLS 1.2 (TLS 1.3 removed both); the newest such version is asked.
  const legacy = [...supported].reverse().find((p) => p !== 'TLSv1.3' && p !== 'SSLv3');
  const suitesOf = (p: Protocol) => {
    const found = results.find((r) => r.protocol === p)?.suites.map((s) => s.code) ?? [];
    return found.length ? found : suitesFor(p).map((s) => s.code);
  };
  const hello = (protocol: Protocol, ciphers: number[], extra: { compression?: number[] } = {}) =>
    limiter
      .run(() => tryHello(ep, { protocol, ciphers, ...extra }, limits))
      .catch((e: unknown): HelloOutcome => {
        if (limits.signal.aborted) throw e;
        return { accepted: false, alert: describeError(e) };
      });
  const notes: string[] = [];
  const accepted = (out: HelloOutcome, p: Protocol): out is Extract<HelloOutcome, { accepted: true }> =>
    out.accepted && out.version === VERSION_CODE[p];

  // A version below the newest, with the server's own suites for it plus the SCSV.
  const newest = supported[supported.length - 1];
  const below =
    supported.filter((p) => p !== newest && p !== 'SSLv3').pop() ?? (supported.length > 1 ? supported[supported.length - 2] : undefined);
  const waitMs = Math.min(FOLLOWUP_WAIT_MS, limits.timeoutMs);
  /** A hello whose connection stays open for a follow-up; undefined when the hello itself was not answered. */
  const followup = <T>(
    protocol: Protocol,
    spec: { heartbeat?: boolean; sct?: boolean },
    then: (conn: Parameters<typeof ccsInjection>[0], version: number) => Promise<T>,
  ) =>
    limiter
      .run(async () => {
        const { conn, outcome } = await openHello(ep, { protocol, ciphers: suitesOf(protocol), ...spec }, limits);
        try {
          if (!accepted(outcome, protocol)) return { outcome, result: undefined };
          return { outcome, result: await then(conn, outcome.version) };
        } finally {
          conn.close();
        }
      })
      .catch((e: unknown) => {
        if (limits.signal.aborted) throw e;
        notes.push(`CCS injection: ${(e as Error).message}`);
        return undefined;
      });
  const robotRun = checkRobot(ep, results, { limiter, limits, waitMs, enumerated }).catch((e: unknown) => {
    if (limits.signal.aborted) throw e;
    notes.push(`ROBOT: ${(e as Error).message}`);
    return null;
  });
  const [reneg, deflate, fallback, ccs, robot] = await Promise.all([
    legacy ? hello(legacy, suitesOf(legacy)) : undefined,
    legacy ? hello(legacy, suitesOf(legacy), { compression: [DEFLATE, 0] }) : undefined,
    below ? hello(below, [...suitesOf(below), FALLBACK_SCSV]) : undefined,
    legacy ? followup(legacy, { heartbeat: true, sct: true }, (conn, version) => ccsInjection(conn, version, waitMs)) : undefined,
    robotRun,
  ]);
  const ccsHello = ccs?.outcome && accepted(ccs.outcome, legacy!) ? ccs.outcome : undefined;
  const heartbeatExtension = ccsHello ? (ccsHello.extensions ?? []).includes(EXT.heartbeat) : null;
  // Heartbleed needs a connection of its own, and only where the server speaks heartbeat at all.
  const hb = heartbeatExtension ? await heartbleedRun() : undefined;
  async function heartbleedRun() {
    return limiter
      .run(async () => {
        const { conn, outcome } = await openHello(ep, { protocol: legacy!, ciphers: suitesOf(legacy!), heartbeat: true }, limits);
        try {
          return accepted(outcome, legacy!) ? await heartbleed(conn, outcome.version, waitMs) : undefined;
        } finally {
          conn.close();
        }
      })
      .catch((e: unknown) => {
        if (limits.signal.aborted) throw e;
        notes.push(`Heartbleed: ${(e as Error).message}`);
        return undefined;
      });
  }

  let secureRenegotiation: boolean | null = null;
  if (!legacy) notes.push('renegotiation and compression: no TLS 1.0-1.2 version (TLS 1.3 has neither)');
  else if (reneg && accepted(reneg, legacy)) secureRenegotiation = (reneg.extensions ?? []).includes(EXT.renegotiationInfo);
  else notes.push(`renegotiation: the ${legacy} hello was not answered (${reneg && !reneg.accepted ? reneg.alert : 'other version'})`);

  let compression: boolean | null = null;
  if (legacy && deflate && accepted(deflate, legacy)) compression = deflate.compression === DEFLATE;
  else if (legacy)
    notes.push(
      `compression: the ${legacy} hello offering DEFLATE was not answered (${deflate && !deflate.accepted ? deflate.alert : 'other version'})`,
    );

  let fallbackScsv: boolean | null = null;
  let fallbackEvidence: VulnChecks['fallbackEvidence'];
  if (!below) notes.push('fallback SCSV: the server accepts a single version, there is nothing to fall back to');
  else if (fallback) {
    const answer = fallback.accepted ? `accepted as 0x${fallback.version.toString(16)}` : (fallback.alert ?? 'refused');
    fallbackEvidence = { offered: below, answer };
    if (!fallback.accepted && fallback.alert === 'inappropriate_fallback') fallbackScsv = true;
    else if (accepted(fallback, below)) fallbackScsv = false;
    else notes.push(`fallback SCSV: undecided, the ${below} hello got "${answer}"`);
  }
  const out: VulnChecks = {
    secureRenegotiation,
    compression,
    fallbackScsv,
    fallbackEvidence,
    heartbeatExtension,
    heartbleed: null,
    ccsInjection: null,
    robot,
    sctExtension: ccsHello ? (ccsHello.extensions ?? []).includes(EXT.signedCertificateTimestamp) : null,
    sctExtensionCount: ccsHello ? (ccsHello.sctList ? countScts(ccsHello.sctList) : 0) : null,
    notes,
  };
  if (heartbeatExtension === false) out.heartbleed = false;
  else if (hb) {
    out.heartbleed = hb.vulnerable;
    out.heartbleedEvidence = { protocol: legacy!, answer: hb.answer };
  } else if (heartbeatExtension) notes.push('Heartbleed: the heartbeat hello was not answered');
  if (ccs?.result) {
    out.ccsInjection = ccs.result.vulnerable;
    out.ccsEvidence = { protocol: legacy!, answer: ccs.result.answer };
    if (ccs.result.vulnerable === null) notes.push(`CCS injection: undecided (${ccs.result.answer})`);
  } else if (legacy) notes.push('CCS injection: the hello was not answered');
  if (robot?.vulnerable === null) notes.push(`ROBOT: undecided (${robot.note ?? 'no answer'})`);
  return out;
}
