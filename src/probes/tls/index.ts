/**
 * Probe type `tls`: protocol and cipher-suite enumeration with hand-built ClientHellos, certificate chain,
 * revocation (OCSP/CRL), HSTS, STARTTLS (SMTP, IMAP, PostgreSQL), and Mozilla / custom policy profiles.
 */
import { ProbeError, StartTlsRefusedError } from '../../errors';
import { readCa } from '../../net/target';
import type { Finding } from '../../results/contract';
import {
  consistencyFinding,
  firstReachable,
  mergeFindings,
  resolveAddresses,
  unavailableFinding,
  type AddressScan,
  type LookupAll,
} from './addresses';
import type { CertificateReport } from './cert/analyze';
import { hexCode } from './ciphers';
import { features, sessionFindings } from './session-findings';
import { vulnFindings, vulnVerdicts } from './vuln-findings';
import { certificateFindings, cipherFindings, hstsFindings, protocolFindings } from './findings';
import { undecidedFindings } from './undecided-findings';
import { profileFileProblems } from './local-files';
import { parseTlsTarget, tlsOptions, type TlsOptions } from './options';
import { evaluateProfile } from './profiles/evaluate';
import { loadProfile } from './profiles/profile';
import type { IntermediateRevocation } from './revocation/chain';
import { scanTls, type ScanResult } from './scan';
import { ALL_PROTOCOLS, GROUPS } from './wire/constants';
import { defineProbe, type ProbeContext, type ProbeOutput } from '../types';

/** One intermediate's revocation result beside the leaf's (`certificateDetails.revocation.chain`). */
const chainEntry = (r: IntermediateRevocation) => ({
  subject: r.subject,
  serial: r.serial,
  status: r.status,
  method: r.method,
  url: r.source ?? null,
  revokedAt: r.revokedAt,
  detail: r.detail,
});

const groupName = (g: number) => GROUPS[g]?.name ?? `0x${g.toString(16)}`;

const certificateSummary = (c: CertificateReport) => ({
  keyType: c.keyType,
  keyBits: c.keyBits,
  fingerprint256: c.fingerprint256,
  subject: c.subject,
  issuer: c.issuer,
  serial: c.serial,
  notBefore: c.notBefore,
  notAfter: c.notAfter,
  daysLeft: c.daysLeft,
  signatureAlgorithm: c.signatureAlgorithm,
  pathTrusted: c.pathTrusted,
  validNow: c.validNow,
  trustedNow: c.trustedNow,
  chainComplete: c.chainComplete,
  hostnameMatch: c.hostnameMatch,
});

/**
 * What a tls check measured: one scan's facts (all absent when STARTTLS was refused), the address scanned and,
 * with `addresses: all`, a summary per address. Typed by what `measurements()` builds, so it cannot drift.
 */
export type TlsMeasurements = Partial<ReturnType<typeof measurements>> & {
  address: string;
  addresses: string[];
  perAddress?: AddressScan['summary'][];
};

function measurements(r: ScanResult, profile?: { name: string; compliant: boolean | null }) {
  const f = r.facts;
  const c = f.certificate;
  const counts = { insecure: 0, weak: 0, recommended: 0 };
  for (const s of f.suites) counts[s.suite.strength]++;
  return {
    protocols: Object.fromEntries(ALL_PROTOCOLS.map((p) => [p, f.protocols[p] === null ? null : Boolean(f.protocols[p])])),
    /** `protocols` is false for versions not tested (options.protocols), null for undecided ones; this says which were tested. */
    testedProtocols: f.tested,
    ciphers: f.suites.map((s) => ({ protocol: s.protocol, name: s.suite.name, code: hexCode(s.code), strength: s.suite.strength })),
    /** SSLv2 cipher kinds the server offered in its SERVER-HELLO (empty unless SSLv2 is enabled). */
    sslv2Ciphers: (f.sslv2?.ciphers ?? []).map((c) => ({ name: c.name, code: `0x${c.code.toString(16).padStart(6, '0').toUpperCase()}` })),
    certificate: c
      ? {
          subject: c.subject,
          issuer: c.issuer,
          notAfter: c.notAfter,
          daysLeft: c.daysLeft,
          keyType: c.keyType,
          keyBits: c.keyBits,
          signatureAlgorithm: c.signatureAlgorithm,
          selfSigned: c.selfSigned,
          pathTrusted: c.pathTrusted,
          validNow: c.validNow,
          trustedNow: c.trustedNow,
          hostnameMatch: c.hostnameMatch,
          ocspStapled: c.ocspStapled,
          revoked: c.revocation ? (c.revocation.status === 'unknown' ? null : c.revocation.status === 'revoked') : null,
        }
      : null,
    /** Every certificate the server presents (dual RSA/ECDSA setups show two); the first is `certificate`'s. */
    certificates: c ? [c, ...(f.otherCertificates ?? [])].map(certificateSummary) : [],
    clientCertificate: f.clientCertificate ?? null,
    hsts: f.hsts
      ? { present: f.hsts.present, maxAge: f.hsts.maxAge ?? null, includeSubDomains: f.hsts.includeSubDomains, preload: f.hsts.preload }
      : null,
    certificateDetails: c
      ? {
          serial: c.serial,
          fingerprint256: r.leafFingerprint ?? null,
          sans: c.sans,
          notBefore: c.notBefore,
          lifetimeDays: c.lifetimeDays,
          chainComplete: c.chainComplete,
          chainInOrder: c.chainInOrder,
          chain: c.chain,
          revocation: c.revocation ? { ...c.revocation, chain: (c.chainRevocation ?? []).map(chainEntry) } : null,
        }
      : null,
    suiteDetails: f.suites.map((s) => ({
      protocol: s.protocol,
      code: hexCode(s.code),
      forwardSecret: s.suite.forwardSecret,
      group: s.group !== undefined ? (GROUPS[s.group]?.name ?? s.group) : undefined,
      dhBits: s.dhBits,
      weaknesses: s.suite.weaknesses,
    })),
    serverPreference: f.serverPreference,
    groups: f.groups.map(groupName),
    groupsByProtocol: Object.fromEntries(Object.entries(f.groupsByProtocol).map(([p, gs]) => [p, gs.map(groupName)])),
    strengthCounts: counts,
    /** Per vulnerability id: true vulnerable, false not, null undecided; `vulnerabilityChecks` the raw answers. */
    vulnerabilities: f.vulns || f.suites.length ? vulnVerdicts(f) : null,
    vulnerabilityChecks: f.vulns ?? null,
    /** Session and transparency features (session-findings.ts FEATURE_IDS): true, false, null undecided. */
    features: features(f),
    sessions: f.sessions ?? null,
    transparency: f.transparency ?? null,
    negotiated: r.negotiated ?? null,
    profile: profile ?? null,
    handshakes: r.handshakes,
    scanMs: Math.round(r.scanMs * 10) / 10,
  };
}

export const tlsProbe = defineProbe<typeof tlsOptions, TlsMeasurements>({
  type: 'tls',
  summary: 'TLS endpoint: protocol and cipher enumeration, certificate, revocation, HSTS, STARTTLS, Mozilla/custom profiles',
  defaultElement: 'security',
  targetHelp: 'host:port (options.starttls for smtp, imap, postgres)',
  checkTarget: (t, o) => void parseTlsTarget(t, typeof o.starttls === 'string' ? o.starttls : undefined),
  localFileProblems: profileFileProblems,
  options: tlsOptions,
  run: (target, o, ctx) => runTls(target, o, ctx),
});

/** One address's complete result (findings and measurements as for a single-address scan). */
interface AddressResult extends AddressScan {
  measurements: Partial<ReturnType<typeof measurements>>;
}

/**
 * The check: resolve the name once, scan the first reachable address (`addresses: first`) or each address in turn
 * (`all`; the check's timeout bounds the whole run). `deps.lookup` replaces the resolver in tests.
 */
export async function runTls(
  target: string,
  o: TlsOptions,
  ctx: ProbeContext,
  deps: { lookup?: LookupAll } = {},
): Promise<ProbeOutput<TlsMeasurements>> {
  const { host, port } = parseTlsTarget(target, o.starttls);
  const normalised = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const profile = await loadProfile(o.profile);
  const caPem = o.caFile ? await readCa(o.caFile) : undefined;
  const resolved = await resolveAddresses(host, { signal: ctx.signal, timeoutMs: ctx.timeoutMs, lookup: deps.lookup });

  const scanAddress = async (address: string): Promise<AddressResult> => {
    let result: ScanResult;
    try {
      result = await scanTls({ host, address, port, servername: o.servername ?? host, starttls: o.starttls }, o, {
        signal: ctx.signal,
        timeoutMs: ctx.timeoutMs,
        caPem,
      });
    } catch (e) {
      if (!(e instanceof StartTlsRefusedError)) throw e;
      // No encryption on offer is the finding itself, not a failure of the monitor.
      const findings: Finding[] = [
        { id: 'tls.starttls.refused', severity: 'high', status: 'fail', message: e.message, evidence: { starttls: o.starttls } },
      ];
      return {
        findings,
        summary: { address, protocols: [], ciphers: [], certificateFingerprint: null, findings: ['tls.starttls.refused'] },
        measurements: {
          protocols: Object.fromEntries(ALL_PROTOCOLS.map((p) => [p, false])),
          ciphers: [],
          certificate: null,
          hsts: null,
          profile: profile ? { name: profile.name, compliant: false } : null,
        },
      };
    }
    const verdict = profile ? evaluateProfile(profile, result.facts) : undefined;
    const findings: Finding[] = [
      ...undecidedFindings(result.facts),
      ...protocolFindings(result.facts),
      ...cipherFindings(result.facts),
      ...certificateFindings(result.facts),
      ...hstsFindings(result.facts),
      ...(o.vulnerabilities ? vulnFindings(result.facts) : []),
      ...sessionFindings(result.facts),
      ...(verdict?.findings ?? []),
    ];
    const f = result.facts;
    const summary = {
      address,
      protocols: ALL_PROTOCOLS.filter((p) => f.protocols[p]),
      ciphers: f.suites.map((s) => `${s.protocol} ${s.suite.name}`),
      certificateFingerprint: result.leafFingerprint ?? null,
      findings: findings.filter((x) => x.status !== 'pass').map((x) => x.id),
    };
    return { findings, summary, measurements: measurements(result, verdict && { name: verdict.profile, compliant: verdict.compliant }) };
  };

  const scans: AddressResult[] = [];
  const toScan =
    o.addresses === 'all'
      ? resolved
      : [await firstReachable(resolved, port, { signal: ctx.signal, attemptMs: Math.min(2000, Math.max(100, ctx.timeoutMs / 4)) })];
  for (const [i, address] of toScan.entries()) {
    ctx.progress?.({ done: i, total: toScan.length, unit: 'addresses', current: address });
    try {
      scans.push(await scanAddress(address));
    } catch (e) {
      // The first address is the main result: without it the check fails as a single-address scan would.
      if (!scans.length || ctx.signal.aborted || !(e instanceof ProbeError)) throw e;
      const finding = unavailableFinding(address, e);
      scans.push({
        findings: [finding],
        summary: {
          address,
          protocols: [],
          ciphers: [],
          certificateFingerprint: null,
          findings: [finding.id],
          error: { code: e.code, message: e.message },
        },
        measurements: {},
      });
    }
  }
  ctx.progress?.({ done: scans.length, total: toScan.length, unit: 'addresses' });
  const main = scans[0];
  const pinned = { address: main.summary.address, addresses: resolved };
  if (o.addresses === 'first') return { target: normalised, findings: main.findings, measurements: { ...main.measurements, ...pinned } };
  return {
    target: normalised,
    findings: [...mergeFindings(scans), consistencyFinding(scans)],
    measurements: { ...main.measurements, ...pinned, perAddress: scans.map((s) => s.summary) },
  };
}
