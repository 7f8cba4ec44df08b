/**
 * What a scan could not decide, as `error` findings (the probe could not decide: never "off", never a pass): versions
 * whose hello got no answer at all, and enumerations (suites, groups, certificates per key type) that stopped at an
 * unanswered hello. docs/probes/tls.md, "Findings"; test/probes/tls/undecided.test.ts.
 */
import { SEVERITIES, type Finding, type Severity } from '../../results/contract';
import type { ScanFacts } from './facts';
import { OLD_PROTOCOLS } from './findings';

/** How much an undecided version leaves open: what its `..._enabled` finding would weigh; TLS 1.2 medium, 1.3 low. */
const undecidedSeverity = (p: string): Severity => OLD_PROTOCOLS.find(([q]) => q === p)?.[2] ?? (p === 'TLSv1.3' ? 'low' : 'medium');
const ENUMERATION: Record<NonNullable<ScanFacts['incomplete']>[number]['what'], string> = {
  suites: 'suite',
  groups: 'group',
  certificates: 'certificate (per key type)',
};
const LABEL: Record<string, string> = {
  SSLv2: 'SSL 2.0',
  SSLv3: 'SSL 3.0',
  TLSv1: 'TLS 1.0',
  'TLSv1.1': 'TLS 1.1',
  'TLSv1.2': 'TLS 1.2',
  'TLSv1.3': 'TLS 1.3',
};
const worst = (sevs: Severity[]) => sevs.reduce<Severity>((a, b) => (SEVERITIES.indexOf(b) > SEVERITIES.indexOf(a) ? b : a), 'info');

/**
 * Versions whose hello got no answer (error: the probe could not decide, which is never "off") and versions whose
 * suite enumeration stopped at an unanswered hello (the suites found stand; more may be accepted).
 */
export function undecidedFindings(f: ScanFacts): Finding[] {
  const out: Finding[] = [];
  const undecided = Object.entries(f.undecided ?? {});
  if (undecided.length)
    out.push({
      id: 'tls.protocol.undecided',
      severity: worst(undecided.map(([p]) => undecidedSeverity(p))),
      status: 'error',
      message: `${undecided.map(([p, e]) => `${LABEL[p] ?? p}: could not be decided (${e})`).join('; ')}; not counted as off`,
      evidence: { protocols: undecided.map(([p]) => p), errors: Object.fromEntries(undecided) },
    });
  const incomplete = f.incomplete ?? [];
  if (incomplete.length)
    out.push({
      id: 'tls.cipher.enumeration_incomplete',
      severity: 'medium',
      status: 'error',
      message: `${incomplete.map((x) => `${LABEL[x.protocol] ?? x.protocol}: ${ENUMERATION[x.what]} enumeration stopped after ${x.found} (${x.error})`).join('; ')}; more may be accepted`,
      evidence: { enumerations: incomplete },
    });
  return out;
}
