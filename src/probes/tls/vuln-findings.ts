/**
 * Vulnerability findings (`tls.vuln.*`): from the dedicated handshakes (vulns.ts) and inferred from the
 * enumeration, each with the condition it rests on. A definite vulnerability is a `fail`, a condition whose
 * exploitability depends on what the scan cannot see (implementation timing, client behaviour) a `warn`; both
 * at least `high`.
 */
import type { Finding, Severity } from '../../results/contract';
import { hexCode } from './ciphers';
import type { ScanFacts } from './facts';

type Suite = ScanFacts['suites'][number];
const list = (s: Suite[]) => s.map((x) => ({ protocol: x.protocol, name: x.suite.name, code: hexCode(x.code) }));
const names = (s: Suite[]) =>
  [...new Set(s.map((x) => x.suite.name))].slice(0, 4).join(', ') + (new Set(s.map((x) => x.suite.name)).size > 4 ? ', …' : '');

/** Ids of every vulnerability the scan judges (the metric reports each as 0/1 once decided). */
export const VULN_IDS = [
  'insecure_renegotiation',
  'crime_compression',
  'no_fallback_scsv',
  'poodle_sslv3',
  'beast',
  'sweet32',
  'freak',
  'logjam',
  'drown',
  'lucky13',
  'heartbleed',
  'ccs_injection',
  'robot',
  'client_renegotiation',
  'early_data',
] as const;
export type VulnId = (typeof VULN_IDS)[number];

/** Per vulnerability: true vulnerable, false not, null undecided (not applicable or no answer). */
export function vulnVerdicts(f: ScanFacts): Record<VulnId, boolean | null> {
  const v = f.vulns;
  const tls = (p: string) => f.tested.includes(p as never);
  const undecided = (p: string) => f.protocols[p as never] === null;
  const suitesOpen: string[] = (f.incomplete ?? []).filter((x) => x.what === 'suites').map((x) => x.protocol);
  const cbcIn = (p: string) => f.suites.some((s) => s.protocol === p && s.suite.cbc && s.suite.enc !== 'None');
  // An inference from the suites found: true on evidence; without it, false only when every version was decided and
  // fully enumerated (a version that did not answer may hold the very suite).
  const fromSuites = (found: boolean) => found || (Object.keys(f.undecided ?? {}).length || suitesOpen.length ? null : false);
  const over = (ps: string[], found: boolean) =>
    found ? true : ps.some(undecided) || suitesOpen.some((p) => ps.includes(p)) ? null : ps.some(tls) ? false : null;
  const below = deprecatedBelow(f);
  return {
    insecure_renegotiation: v?.secureRenegotiation == null ? null : !v.secureRenegotiation,
    crime_compression: v?.compression ?? null,
    no_fallback_scsv: v?.fallbackScsv == null ? null : v.fallbackScsv ? false : below,
    poodle_sslv3: over(['SSLv3'], cbcIn('SSLv3')),
    beast: over(['TLSv1', 'SSLv3'], cbcIn('TLSv1') || cbcIn('SSLv3')),
    sweet32: fromSuites(f.suites.some((s) => s.suite.enc === '3DES' || s.suite.enc === 'IDEA')),
    freak: fromSuites(f.suites.some((s) => s.suite.export && s.suite.kx.startsWith('RSA'))),
    logjam: fromSuites(
      f.suites.some((s) => (s.suite.export && s.suite.kx.startsWith('DH')) || (s.dhBits !== undefined && s.dhBits <= 1024)),
    ),
    drown: tls('SSLv2') && !undecided('SSLv2') ? Boolean(f.protocols.SSLv2) : null,
    lucky13: fromSuites(f.suites.some((s) => s.protocol !== 'TLSv1.3' && s.suite.cbc && s.suite.enc !== 'None')),
    heartbleed: v?.heartbleed ?? null,
    ccs_injection: v?.ccsInjection ?? null,
    robot: v?.robot?.vulnerable ?? null,
    client_renegotiation: f.sessions?.clientRenegotiation ?? null,
    early_data: f.sessions?.earlyData ?? null,
  };
}

/** A missing SCSV matters when a downgrade lands on a deprecated version (TLS 1.1 or older is accepted); null: undecided. */
function deprecatedBelow(f: ScanFacts): boolean | null {
  const old = [f.protocols.SSLv3, f.protocols.TLSv1, f.protocols['TLSv1.1']];
  return old.some(Boolean) ? true : old.some((x) => x === null) ? null : false;
}

export function vulnFindings(f: ScanFacts): Finding[] {
  const verdict = vulnVerdicts(f);
  const out: Finding[] = [];
  const add = (id: VulnId, status: 'fail' | 'warn', severity: Severity, message: string, evidence: Record<string, unknown>) => {
    if (verdict[id]) out.push({ id: `tls.vuln.${id}`, status, severity, message, evidence });
  };
  const cbc = (p: string[]) => f.suites.filter((s) => p.includes(s.protocol) && s.suite.cbc && s.suite.enc !== 'None');
  add(
    'insecure_renegotiation',
    'fail',
    'high',
    "the server does not support secure renegotiation (RFC 5746): renegotiation can splice an attacker's request in front of the client's (CVE-2009-3555)",
    { renegotiationInfo: false },
  );
  add(
    'crime_compression',
    'fail',
    'high',
    'the server accepts TLS compression (DEFLATE): secrets in compressed requests leak through their length (CRIME, CVE-2012-4929)',
    { compression: 'DEFLATE' },
  );
  add(
    'no_fallback_scsv',
    'fail',
    'high',
    `the server ignores TLS_FALLBACK_SCSV (RFC 7507) and accepts deprecated versions: an attacker can force clients down to them`,
    { ...f.vulns?.fallbackEvidence },
  );
  if (!verdict.no_fallback_scsv && f.vulns?.fallbackScsv === false) {
    out.push({
      id: 'tls.vuln.no_fallback_scsv',
      status: 'warn',
      severity: 'low',
      message: 'the server ignores TLS_FALLBACK_SCSV (RFC 7507); no deprecated version is accepted, so a downgrade lands on a current one',
      evidence: { ...f.vulns.fallbackEvidence },
    });
  }
  add(
    'poodle_sslv3',
    'fail',
    'critical',
    `SSLv3 with CBC suites: padding is not authenticated (POODLE, CVE-2014-3566): ${names(cbc(['SSLv3']))}`,
    { suites: list(cbc(['SSLv3'])) },
  );
  add(
    'beast',
    'warn',
    'high',
    `TLS 1.0/SSLv3 with CBC suites (BEAST, CVE-2011-3389; current clients split records, old ones do not): ${names(cbc(['TLSv1', 'SSLv3']))}`,
    { suites: list(cbc(['TLSv1', 'SSLv3'])) },
  );
  const sweet = f.suites.filter((s) => s.suite.enc === '3DES' || s.suite.enc === 'IDEA');
  add(
    'sweet32',
    'fail',
    'high',
    `64-bit block suites: long connections let an attacker recover plaintext (SWEET32, CVE-2016-2183): ${names(sweet)}`,
    { suites: list(sweet) },
  );
  const freak = f.suites.filter((s) => s.suite.export && s.suite.kx.startsWith('RSA'));
  add(
    'freak',
    'fail',
    'critical',
    `RSA EXPORT suites: a client can be forced to a 512-bit RSA key (FREAK, CVE-2015-0204): ${names(freak)}`,
    { suites: list(freak) },
  );
  const logjam = f.suites.filter((s) => (s.suite.export && s.suite.kx.startsWith('DH')) || (s.dhBits !== undefined && s.dhBits <= 1024));
  add('logjam', 'fail', 'high', `DHE EXPORT suites or a DH prime of 1024 bits or less (Logjam, CVE-2015-4000): ${names(logjam)}`, {
    suites: list(logjam),
    dhBits: Math.min(...logjam.map((s) => s.dhBits ?? 512)),
  });
  add(
    'drown',
    'fail',
    'critical',
    "SSLv2 is accepted with this certificate's key: TLS sessions with the same key can be decrypted (DROWN, CVE-2016-0800)",
    { ciphers: (f.sslv2?.ciphers ?? []).map((c) => c.name) },
  );
  const lucky = f.suites.filter((s) => s.protocol !== 'TLSv1.3' && s.suite.cbc && s.suite.enc !== 'None');
  add(
    'lucky13',
    'warn',
    'high',
    `CBC suites with HMAC: a timing side channel if the implementation is not constant-time (Lucky Thirteen, CVE-2013-0169): ${names(lucky)}`,
    { suites: list(lucky).slice(0, 20) },
  );
  add(
    'heartbleed',
    'fail',
    'critical',
    `the heartbeat answer echoed server memory (Heartbleed, CVE-2014-0160): private keys and session data can be read`,
    { ...f.vulns?.heartbleedEvidence },
  );
  add(
    'ccs_injection',
    'fail',
    'critical',
    `an early ChangeCipherSpec was taken (CCS injection, CVE-2014-0224): a man in the middle can force weak keys`,
    { ...f.vulns?.ccsEvidence },
  );
  const robot = f.vulns?.robot;
  add(
    'robot',
    'fail',
    robot?.oracle === 'strong' ? 'critical' : 'high',
    `RSA key exchange answers differently to differently broken PKCS#1 v1.5 paddings, twice the same way: a Bleichenbacher oracle (ROBOT, ${robot?.oracle ?? ''} oracle${robot?.oracle === 'weak' ? ': only a correct padding stands out, the attack needs many more queries' : ''}); recorded traffic with RSA key exchange can be decrypted and the key can sign`,
    { protocol: robot?.protocol, suites: robot?.suites, oracle: robot?.oracle, rounds: robot?.rounds, handshakes: robot?.handshakes },
  );
  add(
    'client_renegotiation',
    'fail',
    'high',
    'the server completes renegotiations the client starts: each costs the server a full handshake, a cheap denial of service (CVE-2011-1473)',
    { answer: f.sessions?.renegotiationAnswer },
  );
  add(
    'early_data',
    'warn',
    'high',
    `TLS 1.3 0-RTT is on (tickets allow ${f.sessions?.maxEarlyData} bytes of early data): early data can be replayed, safe only if the application refuses it for non-idempotent requests (RFC 8446 8, E.5)`,
    { maxEarlyData: f.sessions?.maxEarlyData },
  );
  return out;
}
