/**
 * Findings that hold whatever the profile: broken protocols and suites, certificate problems, missing HSTS.
 * Only violations become findings (as in the http probe); each id is stable and says what is wrong.
 */
import { SEVERITIES, type Finding, type Severity } from '../../results/contract';
import type { CertificateReport } from './cert/analyze';
import { hexCode } from './ciphers';
import type { ScanFacts } from './facts';
import { GROUPS, type AnyProtocol } from './wire/constants';

const fail = (id: string, severity: Severity, message: string, evidence?: Record<string, unknown>): Finding => ({
  id,
  severity,
  status: 'fail',
  message,
  evidence,
});
const warn = (id: string, severity: Severity, message: string, evidence?: Record<string, unknown>): Finding => ({
  id,
  severity,
  status: 'warn',
  message,
  evidence,
});

export const OLD_PROTOCOLS: Array<[AnyProtocol, string, Severity, string]> = [
  ['SSLv2', 'tls.protocol.sslv2_enabled', 'critical', 'SSLv2 is accepted; it is broken (DROWN, RFC 6176) and must be off'],
  ['SSLv3', 'tls.protocol.sslv3_enabled', 'critical', 'SSLv3 is accepted; it is broken (POODLE) and must be off'],
  ['TLSv1', 'tls.protocol.tls1_0_enabled', 'high', 'TLS 1.0 is accepted; it is deprecated (RFC 8996)'],
  ['TLSv1.1', 'tls.protocol.tls1_1_enabled', 'high', 'TLS 1.1 is accepted; it is deprecated (RFC 8996)'],
];

/** Suite classes that are each their own finding, worst first. */
const SUITE_RULES: Array<{ id: string; severity: Severity; what: string; test: (s: ScanFacts['suites'][number]['suite']) => boolean }> = [
  { id: 'tls.cipher.null_suite', severity: 'critical', what: 'suites without encryption (NULL)', test: (s) => s.enc === 'None' },
  { id: 'tls.cipher.export_suite', severity: 'critical', what: 'EXPORT-grade suites', test: (s) => s.export },
  {
    id: 'tls.cipher.anonymous_suite',
    severity: 'critical',
    what: 'anonymous suites (no server authentication)',
    test: (s) => s.au === 'None',
  },
  { id: 'tls.cipher.rc4_suite', severity: 'high', what: 'RC4 suites', test: (s) => s.enc === 'RC4' },
  { id: 'tls.cipher.des_suite', severity: 'high', what: 'single-DES or RC2 suites', test: (s) => s.enc === 'DES' || s.enc === 'RC2' },
  {
    id: 'tls.cipher.sweet32_suite',
    severity: 'medium',
    what: '64-bit block suites (3DES, IDEA; SWEET32)',
    test: (s) => s.enc === '3DES' || s.enc === 'IDEA',
  },
  {
    id: 'tls.cipher.cbc_suite',
    severity: 'medium',
    what: 'CBC-mode suites (padding-oracle history; no AEAD)',
    test: (s) => s.cbc && s.enc !== 'None',
  },
  {
    id: 'tls.cipher.no_forward_secrecy',
    severity: 'medium',
    what: 'suites without forward secrecy (static RSA/DH key exchange)',
    test: (s) => !s.forwardSecret,
  },
];

export function protocolFindings(f: ScanFacts): Finding[] {
  const out: Finding[] = [];
  for (const [p, id, sev, msg] of OLD_PROTOCOLS) {
    if (!f.protocols[p]) continue;
    const ciphers = p === 'SSLv2' ? { ciphers: (f.sslv2?.ciphers ?? []).map((c) => c.name) } : {};
    out.push(fail(id, sev, msg, { protocol: p, ...ciphers }));
  }
  if (f.tested.includes('TLSv1.3') && f.protocols['TLSv1.3'] === false) {
    out.push(warn('tls.protocol.tls1_3_disabled', 'low', 'TLS 1.3 is not offered', { protocol: 'TLSv1.3' }));
  }
  return out;
}

export function cipherFindings(f: ScanFacts): Finding[] {
  const out: Finding[] = [];
  for (const rule of SUITE_RULES) {
    const hits = f.suites.filter((s) => rule.test(s.suite));
    if (!hits.length) continue;
    const names = [...new Set(hits.map((h) => h.suite.name))];
    out.push(
      fail(
        rule.id,
        rule.severity,
        `server accepts ${hits.length} ${rule.what}: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}`,
        { suites: hits.map((h) => ({ protocol: h.protocol, name: h.suite.name, code: hexCode(h.code) })) },
      ),
    );
  }
  for (const [p, pref] of Object.entries(f.serverPreference)) {
    const weakOffered = f.suites.some((s) => s.protocol === p && s.suite.strength !== 'recommended');
    if (!pref && weakOffered) {
      out.push(
        warn(
          'tls.cipher.no_server_preference',
          'low',
          `${p}: the server follows the client's suite order, so a client can steer it to a weak suite`,
          { protocol: p },
        ),
      );
    }
  }
  const dh = f.suites.filter((s) => s.dhBits !== undefined && s.dhBits < 2048);
  if (dh.length) {
    const bits = Math.min(...dh.map((s) => s.dhBits!));
    out.push(
      fail(
        'tls.kx.weak_dh',
        bits < 1024 ? 'high' : 'medium',
        `DHE suites use a ${bits}-bit prime; at least 2048 bits are needed (Logjam)`,
        { dhBits: bits },
      ),
    );
  }
  const smallCurves = f.groups.filter((g) => (GROUPS[g]?.bits ?? 256) < 224);
  if (smallCurves.length) {
    out.push(
      fail('tls.kx.weak_ecdh', 'medium', `server accepts curves under 224 bits: ${smallCurves.map((g) => GROUPS[g].name).join(', ')}`, {
        groups: smallCurves.map((g) => GROUPS[g].name),
      }),
    );
  }
  return out;
}

export function certificateFindings(f: ScanFacts): Finding[] {
  const c = f.certificate;
  if (!c)
    return f.certificateError
      ? [
          {
            id: 'tls.cert.unavailable',
            severity: 'high',
            status: 'error',
            message: `could not obtain the certificate: ${f.certificateError}`,
          },
        ]
      : [];
  const all = [c, ...(f.otherCertificates ?? [])];
  const perCert = all.map((x) => oneCertificate(x, f));
  return [...mergeByCertificate(all, perCert), ...revocationFindings(f), ...intermediateRevocationFindings(f)];
}

/** Problems of one certificate the server presents, whatever the others. */
function oneCertificate(c: CertificateReport, f: ScanFacts): Finding[] {
  const out: Finding[] = [];
  const ev = { subject: c.subject, notAfter: c.notAfter, daysLeft: c.daysLeft };
  const notYet = Date.parse(c.notBefore) > Date.now();
  if (c.daysLeft < 0) out.push(fail('tls.cert.expired', 'critical', `certificate expired on ${c.notAfter.slice(0, 10)}`, ev));
  else if (notYet)
    out.push(
      fail('tls.cert.not_yet_valid', 'critical', `certificate is not valid before ${c.notBefore.slice(0, 10)}`, {
        ...ev,
        notBefore: c.notBefore,
      }),
    );
  else if (c.daysLeft < f.expiryWarnDays)
    out.push(
      warn(
        'tls.cert.expires_soon',
        c.daysLeft < 7 ? 'high' : 'medium',
        `certificate expires in ${c.daysLeft} days (warning threshold ${f.expiryWarnDays})`,
        ev,
      ),
    );
  // The leaf is in its window but a certificate above it is not: clients still reject the chain.
  if (c.daysLeft >= 0 && !notYet && c.outOfValidity.length) {
    out.push(
      fail(
        'tls.cert.chain_expired',
        'critical',
        `a certificate on the path is outside its validity window: ${c.outOfValidity.join('; ')}`,
        { certificates: c.outOfValidity },
      ),
    );
  }
  if (c.selfSigned) out.push(fail('tls.cert.self_signed', 'high', `certificate is self-signed (${c.subject})`, { subject: c.subject }));
  else if (!c.chainComplete)
    out.push(
      fail(
        'tls.cert.chain_incomplete',
        'high',
        `the server does not send the issuer of "${c.issuer}"; clients without it cannot build the chain`,
        { issuer: c.issuer, sent: c.chain.length },
      ),
    );
  else if (!c.pathTrusted)
    out.push(
      fail('tls.cert.untrusted', 'high', `chain ends at "${c.chain[c.chain.length - 1]?.issuer}", which is not a trusted root`, {
        chain: c.chain,
      }),
    );
  if (c.chainInOrder === false)
    out.push(
      warn('tls.cert.chain_order', 'low', 'the certificates are not sent leaf-to-root in order', { chain: c.chain.map((x) => x.subject) }),
    );
  if (!c.hostnameMatch)
    out.push(fail('tls.cert.hostname_mismatch', 'high', `certificate does not cover the host name`, { subject: c.subject, sans: c.sans }));
  const minBits = c.keyType === 'EC' ? 224 : c.keyType.startsWith('Ed') ? 0 : 2048;
  if (c.keyBits < minBits)
    out.push(
      fail('tls.cert.weak_key', 'high', `${c.keyType} key of ${c.keyBits} bits; at least ${minBits} are needed`, {
        keyType: c.keyType,
        keyBits: c.keyBits,
      }),
    );
  if (c.weakSignatures.length)
    out.push(
      fail('tls.cert.sha1_signature', 'high', `chain uses SHA-1/MD5 signatures: ${c.weakSignatures.join('; ')}`, {
        signatures: c.weakSignatures,
      }),
    );
  return out;
}

/**
 * One finding per id across the certificates (ids stay stable and unique): with several certificates the message
 * names each one's key type, the evidence lists which certificates it concerns, the severity is the worst.
 */
function mergeByCertificate(certs: CertificateReport[], perCert: Finding[][]): Finding[] {
  if (certs.length === 1) return perCert[0];
  const byId = new Map<string, { finding: Finding; parts: string[]; which: Array<{ keyType: string; fingerprint256: string }> }>();
  perCert.forEach((list, i) => {
    for (const x of list) {
      const g = byId.get(x.id) ?? { finding: x, parts: [], which: [] };
      byId.set(x.id, g);
      if (SEVERITIES.indexOf(x.severity) > SEVERITIES.indexOf(g.finding.severity)) g.finding = { ...g.finding, severity: x.severity };
      g.parts.push(`${certs[i].keyType} certificate: ${x.message}`);
      g.which.push({ keyType: certs[i].keyType, fingerprint256: certs[i].fingerprint256 });
    }
  });
  return [...byId.values()].map(({ finding, parts, which }) => ({
    ...finding,
    message: parts.join('; '),
    evidence: { ...finding.evidence, certificates: which },
  }));
}

function revocationFindings(f: ScanFacts): Finding[] {
  const r = f.certificate?.revocation;
  if (r?.status === 'revoked')
    return [
      fail('tls.cert.revoked', 'critical', `certificate is revoked (${r.method}${r.revokedAt ? `, since ${r.revokedAt}` : ''})`, {
        method: r.method,
        source: r.source,
        revokedAt: r.revokedAt,
      }),
    ];
  if (f.checkRevocation && r?.status === 'unknown' && r.method !== 'none') {
    return [
      warn('tls.cert.revocation_unknown', 'low', `revocation status could not be determined: ${r.detail}`, {
        method: r.method,
        detail: r.detail,
      }),
    ];
  }
  return [];
}

/** Intermediates: revoked → one critical fail; undecided (a responder/CRL exists but gave no answer) → one low warn, as for the leaf. */
function intermediateRevocationFindings(f: ScanFacts): Finding[] {
  const all = f.certificate?.chainRevocation ?? [];
  const name = (r: (typeof all)[number]) => `"${r.subject}" (serial ${r.serial})`;
  const out: Finding[] = [];
  const revoked = all.filter((r) => r.status === 'revoked');
  if (revoked.length) {
    const what = revoked.map(
      (r) => `${name(r)} by ${r.method}${r.source ? ` ${r.source}` : ''}${r.revokedAt ? `, since ${r.revokedAt}` : ''}`,
    );
    out.push(
      fail('tls.cert.intermediate_revoked', 'critical', `intermediate certificate revoked by its issuer: ${what.join('; ')}`, {
        certificates: revoked.map((r) => ({
          subject: r.subject,
          serial: r.serial,
          method: r.method,
          source: r.source,
          revokedAt: r.revokedAt,
        })),
      }),
    );
  }
  const unknown = f.checkRevocation ? all.filter((r) => r.status === 'unknown' && r.method !== 'none') : [];
  if (unknown.length) {
    const what = unknown.map((r) => `${name(r)}: ${r.detail}`);
    out.push(
      warn(
        'tls.cert.intermediate_revocation_unknown',
        'low',
        `revocation status of an intermediate certificate could not be determined: ${what.join('; ')}`,
        { certificates: unknown.map((r) => ({ subject: r.subject, serial: r.serial, method: r.method, detail: r.detail })) },
      ),
    );
  }
  return out;
}

/**
 * A failed HSTS request does not undo the TLS results: it is a `warn` of its own (the header is unknown), not an
 * `error` of the whole check. A server that refuses clients without a certificate is named as the cause.
 */
export function hstsFindings(f: ScanFacts): Finding[] {
  if (f.hstsError) {
    const why = f.clientCertificate === 'required' ? ' (the server requires a client certificate, which the monitor does not present)' : '';
    return [
      warn('tls.hsts.unchecked', 'low', `could not fetch HSTS${why}: ${f.hstsError}`, {
        error: f.hstsError,
        clientCertificate: f.clientCertificate ?? null,
      }),
    ];
  }
  if (f.hsts && !f.hsts.present)
    return [
      fail('tls.hsts.missing', 'medium', 'no Strict-Transport-Security header; browsers may be downgraded to plain HTTP', {
        status: f.hsts.status,
      }),
    ];
  return [];
}
