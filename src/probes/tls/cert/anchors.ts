/**
 * Trust anchors: Node's bundled Mozilla roots, the operating system's bundle and an optional CA bundle of the
 * check. The store is read on the first chain verified, and a root is parsed (X509Certificate) only when its
 * subject's name key (name-key.ts) matches the issuer of a certificate being verified: parsing every root took
 * ~50 ms of CPU on an idle machine (~190 ms under load) in each cold `pengawas probe tls`. Which anchor is found,
 * and so every verdict, is as when all were parsed: the first one in store order that issued the certificate.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import tls from 'node:tls';
import { issuerKey, subjectKey } from './name-key';

/** Debian/Ubuntu and RHEL bundles of the operating system's trust store (added to Node's bundled Mozilla roots). */
const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt'];

export function splitPem(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** `child` names `parent` as its issuer and carries its signature. */
export function issued(child: X509Certificate, parent: X509Certificate): boolean {
  try {
    return child.checkIssued(parent) && child.verify(parent.publicKey);
  } catch {
    return false;
  }
}

const BEGIN = '-----BEGIN CERTIFICATE-----';
const END = '-----END CERTIFICATE-----';

/** The DER of one PEM certificate (as splitPem and tls.rootCertificates give them: the markers at both ends). */
function derOf(pem: string): Buffer {
  const body = pem.startsWith(BEGIN) && pem.endsWith(END) ? pem.slice(BEGIN.length, -END.length) : pem.replace(/-----[^-]*-----/g, '');
  return Buffer.from(body, 'base64');
}

interface Anchor {
  pem: string;
  /** Parsed on first use; null when it does not parse (a malformed bundle entry is skipped, not fatal). */
  cert?: X509Certificate | null;
}

interface Entry extends Anchor {
  der: Buffer;
}

/** The name key `read` gives, undefined when the DER cannot be walked. */
function keyOrUndefined(read: (der: Buffer) => string, der: Buffer): string | undefined {
  try {
    return read(der);
  } catch {
    return undefined;
  }
}

export class TrustAnchors {
  private readonly entries: Entry[] = [];
  /** Indexes of the entries by subject name key, in store order. */
  private readonly bySubject = new Map<string, number[]>();
  /** Entries whose names could not be read from the DER: candidates for every certificate, checked by parsing. */
  private readonly unindexed: number[] = [];

  /** `anchors` in store order, after those of `parent`; an entry whose DER is already in the store is left out. */
  constructor(anchors: Iterable<Anchor>, parent?: TrustAnchors) {
    if (parent) {
      this.entries.push(...parent.entries);
      for (const [k, v] of parent.bySubject) this.bySubject.set(k, v);
      this.unindexed.push(...parent.unindexed);
    }
    for (const a of anchors) this.add({ ...a, der: derOf(a.pem) });
  }

  private add(entry: Entry): void {
    const key = keyOrUndefined(subjectKey, entry.der);
    const group = key === undefined ? this.unindexed : (this.bySubject.get(key) ?? []);
    if (group.some((j) => this.entries[j].der.equals(entry.der))) return;
    const i = this.entries.push(entry) - 1;
    // A new array: a store made from this one shares the arrays it copied.
    if (key === undefined) this.unindexed.push(i);
    else this.bySubject.set(key, [...group, i]);
  }

  /** Indexes of the entries whose subject may be the name `key` reads from `der` (all when it cannot be read). */
  private candidates(read: (der: Buffer) => string, der: Buffer): number[] {
    const key = keyOrUndefined(read, der);
    if (key === undefined) return this.entries.map((_, i) => i);
    return [...(this.bySubject.get(key) ?? []), ...this.unindexed].sort((a, b) => a - b);
  }

  private parsed(i: number): X509Certificate | null {
    const e = this.entries[i];
    if (e.cert === undefined) {
      try {
        e.cert = new X509Certificate(e.pem);
      } catch {
        e.cert = null;
      }
    }
    return e.cert;
  }

  /** `cert` is itself one of the anchors. */
  has(cert: X509Certificate): boolean {
    return this.candidates(subjectKey, cert.raw).some((i) => this.entries[i].der.equals(cert.raw) && this.parsed(i) !== null);
  }

  /** The first anchor, in store order, that issued `cert`. */
  issuerOf(cert: X509Certificate): X509Certificate | undefined {
    for (const i of this.candidates(issuerKey, cert.raw)) {
      const a = this.parsed(i);
      if (a && issued(cert, a)) return a;
    }
    return undefined;
  }
}

let system: TrustAnchors | undefined;
function systemAnchors(): TrustAnchors {
  const pems = [...tls.rootCertificates];
  for (const file of SYSTEM_BUNDLES) {
    if (!existsSync(file)) continue;
    pems.push(...splitPem(readFileSync(file, 'utf8')));
    break;
  }
  return new TrustAnchors(pems.map((pem) => ({ pem })));
}

/** The system's anchors, read on the first call; with `extraPem` (a check's CA bundle), those as well, after them. */
export function trustAnchors(extraPem?: string): TrustAnchors {
  system ??= systemAnchors();
  if (!extraPem) return system;
  // Parsed now: a CA bundle the operator gave must parse, a broken one is the check's error (as it always was).
  return new TrustAnchors(
    splitPem(extraPem).map((pem) => ({ pem, cert: new X509Certificate(pem) })),
    system,
  );
}
