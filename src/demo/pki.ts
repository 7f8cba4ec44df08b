/** A private CA and server certificates for the demo targets (and tests), made with node-forge. */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface Issued {
  certPem: string;
  keyPem: string;
}

export interface CertOptions {
  commonName: string;
  /** DNS names and IP addresses for the SAN extension. */
  hosts?: string[];
  days?: number;
  /** Start of validity relative to now, in days (negative = in the past). */
  startDays?: number;
  keyBits?: number;
  hash?: 'sha256' | 'sha1' | 'sha384';
  isCa?: boolean;
}

function keyPair(bits: number): forge.pki.rsa.KeyPair {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const forgeKey = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  return { privateKey: forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e) };
}

function hashOf(name: CertOptions['hash']): forge.md.MessageDigest {
  if (name === 'sha1') return forge.md.sha1.create();
  if (name === 'sha384') return forge.md.sha384.create();
  return forge.md.sha256.create();
}

/** Issues a certificate; self-signed when no issuer is given. */
export function issue(opts: CertOptions, issuer?: Issued): Issued {
  const keys = keyPair(opts.keyBits ?? 2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  const start = Date.now() + (opts.startDays ?? -1) * 86_400_000;
  cert.validity.notBefore = new Date(start);
  cert.validity.notAfter = new Date(start + (opts.days ?? 90) * 86_400_000);
  const subject = [
    { name: 'commonName', value: opts.commonName },
    { name: 'organizationName', value: 'pengawas demo' },
  ];
  cert.setSubject(subject);
  const signer = issuer ? forge.pki.certificateFromPem(issuer.certPem) : undefined;
  cert.setIssuer(signer ? signer.subject.attributes : subject);
  const exts: object[] = [{ name: 'basicConstraints', cA: Boolean(opts.isCa), critical: true }];
  if (opts.isCa) exts.push({ name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true });
  else {
    exts.push({ name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true });
    exts.push({ name: 'extKeyUsage', serverAuth: true });
  }
  if (opts.hosts?.length) {
    exts.push({
      name: 'subjectAltName',
      altNames: opts.hosts.map((h) => (/^[\d.]+$/.test(h) || h.includes(':') ? { type: 7, ip: h } : { type: 2, value: h })),
    });
  }
  exts.push({ name: 'subjectKeyIdentifier' });
  cert.setExtensions(exts);
  const signingKey = issuer ? forge.pki.privateKeyFromPem(issuer.keyPem) : keys.privateKey;
  cert.sign(signingKey, hashOf(opts.hash));
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}

export function createCa(commonName = 'pengawas demo CA'): Issued {
  return issue({ commonName, isCa: true, days: 3650, keyBits: 2048 });
}
