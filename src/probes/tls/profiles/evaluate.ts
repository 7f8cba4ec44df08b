/** Checks scan facts against a profile; each violated rule is one `tls.profile.*` finding naming the profile. */
import type { Finding, FindingStatus, Severity } from '../../../results/contract';
import { cipherByName, hexCode } from '../ciphers';
import type { ScanFacts } from '../facts';
import { GROUPS, type Protocol } from '../wire/constants';
import type { Profile } from './profile';

export interface ProfileVerdict {
  profile: string;
  /** null: no rule was broken, but a rule rests on something the scan could not decide (facts.undecided/incomplete). */
  compliant: boolean | null;
  findings: Finding[];
}

function codes(names: string[] | undefined): Set<number> | undefined {
  if (!names) return undefined;
  return new Set(names.map((n) => cipherByName(n)?.code).filter((c): c is number => c !== undefined));
}

export function evaluateProfile(p: Profile, f: ScanFacts): ProfileVerdict {
  const findings: Finding[] = [];
  const add = (rule: string, severity: Severity, message: string, evidence: Record<string, unknown>, status: FindingStatus = 'fail') =>
    findings.push({
      id: `tls.profile.${rule}`,
      severity,
      status,
      message: `${p.name}: ${message}`,
      evidence: { profile: p.name, ...evidence },
    });

  if (p.protocols) {
    const extra = f.tested.filter((x) => f.protocols[x] && !p.protocols!.includes(x));
    if (extra.length) add('protocol', 'high', `protocols not allowed: ${extra.join(', ')}`, { protocols: extra, allowed: p.protocols });
  }
  const tls12 = codes(p.ciphers);
  const tls13 = codes(p.tls13Ciphers);
  const badSuites = f.suites.filter((s) => {
    const allowed = s.protocol === 'TLSv1.3' ? tls13 : tls12;
    return allowed !== undefined && !allowed.has(s.code);
  });
  if (badSuites.length) {
    const names = [...new Set(badSuites.map((s) => s.suite.name))];
    add('cipher', 'medium', `${names.length} suites not allowed: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}`, {
      suites: badSuites.map((s) => ({ protocol: s.protocol, name: s.suite.name, code: hexCode(s.code) })),
    });
  }
  if (p.groups) {
    const allowed = new Set(p.groups.map((g) => g.toLowerCase()));
    const extra = f.groups.map((g) => GROUPS[g]?.name ?? `0x${g.toString(16)}`).filter((n) => !allowed.has(n.toLowerCase()));
    // A group outside the list but of at least 256 bits is a deviation, not a weakness: warn only.
    const weak = extra.filter((n) => (Object.values(GROUPS).find((g) => g.name === n)?.bits ?? 0) < 256);
    if (extra.length)
      add(
        'group',
        weak.length ? 'medium' : 'low',
        `key-exchange groups not allowed: ${extra.join(', ')}`,
        { groups: extra, allowed: p.groups },
        weak.length ? 'fail' : 'warn',
      );
  }
  const dh = f.suites.map((s) => s.dhBits).filter((b): b is number => b !== undefined);
  if (p.minDhBits && dh.length && Math.min(...dh) < p.minDhBits)
    add('dh_size', 'medium', `DH prime of ${Math.min(...dh)} bits, minimum ${p.minDhBits}`, { dhBits: Math.min(...dh) });

  const c = f.certificate;
  if (c) {
    if (p.certKeyTypes && !p.certKeyTypes.some((t) => t.toUpperCase() === c.keyType.toUpperCase())) {
      add('cert_key_type', 'medium', `certificate key type ${c.keyType} not allowed (${p.certKeyTypes.join(', ')})`, {
        keyType: c.keyType,
      });
    }
    const min = c.keyType === 'EC' ? p.minEcBits : c.keyType.startsWith('RSA') ? p.minRsaBits : undefined;
    if (min && c.keyBits < min)
      add('cert_key_size', 'high', `${c.keyType} key of ${c.keyBits} bits, minimum ${min}`, { keyBits: c.keyBits, min });
    if (p.certSignatures && !c.selfSigned && !p.certSignatures.some((s) => s.toLowerCase() === c.signatureAlgorithm.toLowerCase())) {
      add('cert_signature', 'medium', `certificate signature ${c.signatureAlgorithm} not allowed`, {
        signatureAlgorithm: c.signatureAlgorithm,
        allowed: p.certSignatures,
      });
    }
    if (p.maxCertLifetimeDays && c.lifetimeDays > p.maxCertLifetimeDays) {
      add('cert_lifetime', 'medium', `certificate lifetime ${c.lifetimeDays} days, maximum ${p.maxCertLifetimeDays}`, {
        lifetimeDays: c.lifetimeDays,
        max: p.maxCertLifetimeDays,
      });
    }
    if (p.ocspStapling && !c.ocspStapled) add('ocsp_stapling', 'low', 'no OCSP response is stapled', {}, 'warn');
  }
  if (f.hsts?.present && p.hstsMinAge !== undefined && (f.hsts.maxAge ?? 0) < p.hstsMinAge) {
    add('hsts_max_age', 'medium', `HSTS max-age ${f.hsts.maxAge ?? 0}, minimum ${p.hstsMinAge}`, {
      maxAge: f.hsts.maxAge ?? 0,
      min: p.hstsMinAge,
    });
  }
  // What the scan could not decide leaves the rules that rest on it open: no fail, and no compliance either.
  const open: string[] = [];
  const undecided = Object.keys(f.undecided ?? {}) as Protocol[];
  if (p.protocols && undecided.some((x) => !p.protocols!.includes(x)))
    open.push(`whether ${undecided.filter((x) => !p.protocols!.includes(x)).join(', ')} (not allowed) is accepted`);
  const incomplete = (what: 'suites' | 'groups') => (f.incomplete ?? []).filter((x) => x.what === what).map((x) => x.protocol);
  if ((tls12 || tls13 || p.minDhBits) && incomplete('suites').length)
    open.push(`the full suite list of ${incomplete('suites').join(', ')}`);
  if (p.groups && incomplete('groups').length) open.push(`the full group list of ${incomplete('groups').join(', ')}`);
  const failed = findings.some((x) => x.status === 'fail');
  if (open.length && !failed)
    add('undecided', 'medium', `compliance not decided: the scan could not establish ${open.join(', nor ')}`, { open }, 'error');
  return { profile: p.name, compliant: failed ? false : open.length ? null : true, findings };
}
