/**
 * Trust anchors looked up by name key (src/probes/tls/cert/anchors.ts, name-key.ts) find what parsing every anchor
 * found: a child whose issuer Name is encoded differently from its root's subject (UTF8String vs PrintableString,
 * BMPString, case, white space), which OpenSSL still matches, has the same key; the first anchor in store order that
 * issued a certificate is returned, also among roots of one name; duplicates and unreadable entries do not matter.
 * And every certificate of the system store gets the answer the old search (parse all, find the first) gives.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import tls from 'node:tls';
import forge from 'node-forge';
import { issued, splitPem, TrustAnchors } from '../../../src/probes/tls/cert/anchors';
import { issuerKey, subjectKey } from '../../../src/probes/tls/cert/name-key';

const { asn1 } = forge;
type Attr = { shortName: string; value: string; valueTagClass?: number };

const keys = [forge.pki.rsa.generateKeyPair(1024), forge.pki.rsa.generateKeyPair(1024)];

function cert(subject: Attr[], issuer: Attr[], key: forge.pki.rsa.KeyPair, signer: forge.pki.rsa.KeyPair, serial: string): string {
  const c = forge.pki.createCertificate();
  c.publicKey = key.publicKey;
  c.serialNumber = serial;
  c.validity.notBefore = new Date(Date.now() - 86_400_000);
  c.validity.notAfter = new Date(Date.now() + 86_400_000);
  c.setSubject(subject);
  c.setIssuer(issuer);
  c.setExtensions([{ name: 'basicConstraints', cA: true }]);
  c.sign(signer.privateKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(c).trim();
}

const rootName: Attr[] = [
  { shortName: 'C', value: 'ID', valueTagClass: asn1.Type.PRINTABLESTRING },
  { shortName: 'O', value: 'Pengawas  Test', valueTagClass: asn1.Type.PRINTABLESTRING },
  { shortName: 'CN', value: 'Root  CA', valueTagClass: asn1.Type.PRINTABLESTRING },
];
// The same Name to OpenSSL: other string types, case and white space.
const sameName: Attr[] = [
  { shortName: 'C', value: 'id', valueTagClass: asn1.Type.UTF8 },
  { shortName: 'O', value: ' pengawas test', valueTagClass: asn1.Type.BMPSTRING },
  { shortName: 'CN', value: 'ROOT CA ', valueTagClass: asn1.Type.UTF8 },
];
const leafName: Attr[] = [{ shortName: 'CN', value: 'leaf' }];

const root = cert(rootName, rootName, keys[0], keys[0], '01');
// A second root of the same name with another key (a re-keyed or cross-signed root).
const rekeyed = cert(rootName, rootName, keys[1], keys[1], '02');
const child = cert(leafName, sameName, keys[1], keys[0], '03');
const childOfRekeyed = cert(leafName, sameName, keys[0], keys[1], '04');
const stranger = cert(leafName, [{ shortName: 'CN', value: 'Root CA 2' }], keys[1], keys[0], '05');
const x = (pem: string) => new X509Certificate(pem);

describe('trust anchors by name key', () => {
  it('keys Names OpenSSL finds equal alike, whatever their encoding', () => {
    // The fixture: the organisation is a BMPString (UTF-16BE) in the child, and OpenSSL matches the names.
    expect(x(child).raw.includes(Buffer.from(' pengawas test', 'utf16le').swap16())).toBe(true);
    expect(x(child).checkIssued(x(root))).toBe(true);
    expect(issuerKey(x(child).raw)).toBe(subjectKey(x(root).raw));
    expect(x(stranger).checkIssued(x(root))).toBe(false);
    expect(issuerKey(x(stranger).raw)).not.toBe(subjectKey(x(root).raw));
  });

  it('finds the first anchor in store order that issued a certificate, among roots of one name too', () => {
    const store = new TrustAnchors([{ pem: root }, { pem: rekeyed }, { pem: root }]);
    expect(store.issuerOf(x(child))?.fingerprint256).toBe(x(root).fingerprint256);
    expect(store.issuerOf(x(childOfRekeyed))?.fingerprint256).toBe(x(rekeyed).fingerprint256);
    expect(store.issuerOf(x(stranger))).toBeUndefined();
    expect(store.has(x(root))).toBe(true);
    expect(store.has(x(child))).toBe(false);
  });

  it('skips an entry that does not parse, and adds a CA bundle after the store it extends', () => {
    const broken = '-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----';
    const base = new TrustAnchors([{ pem: broken }, { pem: rekeyed }]);
    expect(base.issuerOf(x(child))).toBeUndefined();
    const extended = new TrustAnchors([{ pem: root }], base);
    expect(extended.issuerOf(x(child))?.fingerprint256).toBe(x(root).fingerprint256);
    expect(extended.issuerOf(x(childOfRekeyed))?.fingerprint256).toBe(x(rekeyed).fingerprint256);
    expect(base.has(x(root))).toBe(false);
  });

  it('answers as parsing every anchor did, for every certificate of the system store', () => {
    const bundle = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt'].find((f) => existsSync(f));
    const pems = [...tls.rootCertificates, ...(bundle ? splitPem(readFileSync(bundle, 'utf8')) : [])];
    const all: X509Certificate[] = [];
    for (const c of pems.map(x)) if (!all.some((a) => a.fingerprint256 === c.fingerprint256)) all.push(c);
    const store = new TrustAnchors(pems.map((pem) => ({ pem })));
    for (const c of [...all, x(child), x(stranger)]) {
      expect(store.issuerOf(c)?.fingerprint256).toBe(all.find((a) => issued(c, a))?.fingerprint256);
      expect(store.has(c)).toBe(all.some((a) => a.fingerprint256 === c.fingerprint256));
    }
  });
});
