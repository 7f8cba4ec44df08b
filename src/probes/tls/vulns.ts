/**
 * Vulnerability checks that need their own handshake (each one hand-built ClientHello, run side by side):
 * RFC 5746 secure renegotiation, TLS compression (CRIME) and TLS_FALLBACK_SCSV (RFC 7507). What each sends and
 * what counts as vulnerable is in docs/probes/tls.md.
 */
import { suitesFor } from './ciphers';
import type { ProtocolResult } from './enumerate';
import type { Limiter } from './limiter';
import { EXT, PROTOCOLS, VERSION_CODE, type Protocol } from './wire/constants';
import { tryHello, type Endpoint, type HandshakeLimits, type HelloOutcome } from './wire/handshake';

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
  /** Why a check stayed undecided. */
  notes: string[];
}

export async function checkVulns(ep: Endpoint, results: ProtocolResult[], limiter: Limiter, limits: HandshakeLimits): Promise<VulnChecks> {
  const supported = PROTOCOLS.filter((p) => results.find((r) => r.protocol === p)?.supported);
  // Renegotiation and compression exist up to TLS 1.2 (TLS 1.3 removed both); the newest such version is asked.
  const legacy = [...supported].reverse().find((p) => p !== 'TLSv1.3' && p !== 'SSLv3');
  const suitesOf = (p: Protocol) => {
    const found = results.find((r) => r.protocol === p)?.suites.map((s) => s.code) ?? [];
    return found.length ? found : suitesFor(p).map((s) => s.code);
  };
  const hello = (protocol: Protocol, ciphers: number[], extra: { compression?: number[] } = {}) =>
    limiter.run(() => tryHello(ep, { protocol, ciphers, ...extra }, limits)).catch((e: Error): HelloOutcome => {
      if (limits.signal.aborted) throw e;
      return { accepted: false, alert: `${(e as { code?: string }).code ?? 'error'}: ${e.message}` };
    });
  const notes: string[] = [];
  const accepted = (out: HelloOutcome, p: Protocol): out is Extract<HelloOutcome, { accepted: true }> => out.accepted && out.version === VERSION_CODE[p];

  // A version below the newest, with the server's own suites for it plus the SCSV.
  const newest = supported[supported.length - 1];
  const below = supported.filter((p) => p !== newest && p !== 'SSLv3').pop() ?? (supported.length > 1 ? supported[supported.length - 2] : undefined);
  const [reneg, deflate, fallback] = await Promise.all([
    legacy ? hello(legacy, suitesOf(legacy)) : undefined,
    legacy ? hello(legacy, suitesOf(legacy), { compression: [DEFLATE, 0] }) : undefined,
    below ? hello(below, [...suitesOf(below), FALLBACK_SCSV]) : undefined,
  ]);

  let secureRenegotiation: boolean | null = null;
  if (!legacy) notes.push('renegotiation and compression: no TLS 1.0-1.2 version (TLS 1.3 has neither)');
  else if (reneg && accepted(reneg, legacy)) secureRenegotiation = (reneg.extensions ?? []).includes(EXT.renegotiationInfo);
  else notes.push(`renegotiation: the ${legacy} hello was not answered (${reneg && !reneg.accepted ? reneg.alert : 'other version'})`);

  let compression: boolean | null = null;
  if (legacy && deflate && accepted(deflate, legacy)) compression = deflate.compression === DEFLATE;
  else if (legacy) notes.push(`compression: the ${legacy} hello offering DEFLATE was not answered (${deflate && !deflate.accepted ? deflate.alert : 'other version'})`);

  let fallbackScsv: boolean | null = null;
  let fallbackEvidence: VulnChecks['fallbackEvidence'];
  if (!below) notes.push('fallback SCSV: the server accepts a single version, there is nothing to fall back to');
  else if (fallback) {
    const answer = fallback.accepted ? `accepted as 0x${fallback.version.toString(16)}` : fallback.alert ?? 'refused';
    fallbackEvidence = { offered: below, answer };
    if (!fallback.accepted && fallback.alert === 'inappropriate_fallback') fallbackScsv = true;
    else if (accepted(fallback, below)) fallbackScsv = false;
    else notes.push(`fallback SCSV: undecided, the ${below} hello got "${answer}"`);
  }
  return { secureRenegotiation, compression, fallbackScsv, fallbackEvidence, notes };
}
