/**
 * A PKI for intermediate revocation: a root CA with its own `openssl ca` database (so an `openssl ocsp` responder
 * and a CRL of the root can speak about intermediates), intermediates the root issues with chosen OCSP/CRL URLs,
 * and one leaf per intermediate whose own CRL (signed by the intermediate, empty) says it is good.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { caConfig, openssl } from './helpers';

export interface Intermediate {
  name: string;
  cert: string;
  key: string;
  /** A leaf this intermediate issued (CN=localhost), its key, and leaf + intermediate as a server sends them. */
  leaf: { cert: string; key: string; chain: string };
}

export class ChainPki {
  readonly dir: string;
  readonly rootCert: string;
  readonly rootKey: string;

  constructor() {
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'pengawas-tls-chain-'));
    const d = this.dir;
    mkdirSync(path.join(d, 'newcerts'));
    for (const db of ['root', 'sub']) {
      writeFileSync(path.join(d, `${db}-index.txt`), '');
      writeFileSync(path.join(d, `${db}-serial`), db === 'root' ? '2000\n' : '3000\n');
      writeFileSync(path.join(d, `${db}-crlnumber`), '01\n');
      writeFileSync(path.join(d, `${db}.cnf`), caConfig(d, { db, cert: 'root.pem', key: 'root.key' }));
    }
    this.run([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'root.key',
      '-out',
      'root.pem',
      '-days',
      '3650',
      '-subj',
      '/CN=pengawas chain test root',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
    ]);
    this.rootCert = this.file('root.pem');
    this.rootKey = this.file('root.key');
  }

  file(name: string): string {
    return path.join(this.dir, name);
  }

  private run(args: string[]): string {
    return openssl(args, this.dir);
  }

  /** An intermediate issued by the root (recorded in its database), and a leaf under it whose CRL is `leafCrlUrl`. */
  intermediate(name: string, urls: { ocspUrl?: string; crlUrl?: string }, leafCrlUrl: string): Intermediate {
    this.run([
      'req',
      '-new',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=pengawas ${name} intermediate`,
    ]);
    const ext = [
      '[ext]',
      'basicConstraints=critical,CA:TRUE,pathlen:0',
      'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
      ...(urls.ocspUrl ? [`authorityInfoAccess=OCSP;URI:${urls.ocspUrl}`] : []),
      ...(urls.crlUrl ? [`crlDistributionPoints=URI:${urls.crlUrl}`] : []),
    ];
    writeFileSync(this.file(`${name}.ext`), ext.join('\n'));
    this.run([
      'ca',
      '-batch',
      '-config',
      'root.cnf',
      '-in',
      `${name}.csr`,
      '-out',
      `${name}.pem`,
      '-notext',
      '-days',
      '365',
      '-extfile',
      `${name}.ext`,
      '-extensions',
      'ext',
    ]);

    const leaf = `${name}-leaf`;
    this.run(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${leaf}.key`, '-out', `${leaf}.csr`, '-subj', '/CN=localhost']);
    const leafExt = [
      '[ext]',
      'basicConstraints=CA:FALSE',
      'keyUsage=digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      `crlDistributionPoints=URI:${leafCrlUrl}`,
    ];
    writeFileSync(this.file(`${leaf}.ext`), leafExt.join('\n'));
    this.run([
      'ca',
      '-batch',
      '-config',
      'sub.cnf',
      '-cert',
      `${name}.pem`,
      '-keyfile',
      `${name}.key`,
      '-in',
      `${leaf}.csr`,
      '-out',
      `${leaf}.pem`,
      '-notext',
      '-days',
      '90',
      '-extfile',
      `${leaf}.ext`,
      '-extensions',
      'ext',
    ]);
    writeFileSync(this.file(`${leaf}.chain.pem`), readFileSync(this.file(`${name}.pem`), 'utf8'));
    return {
      name,
      cert: this.file(`${name}.pem`),
      key: this.file(`${name}.key`),
      leaf: { cert: this.file(`${leaf}.pem`), key: this.file(`${leaf}.key`), chain: this.file(`${leaf}.chain.pem`) },
    };
  }

  /** Has the root revoke an intermediate (in its database: the responder and the root's CRL both see it). */
  revoke(i: Intermediate): void {
    this.run(['ca', '-batch', '-config', 'root.cnf', '-revoke', i.cert]);
  }

  /** The root's DER CRL (revoked intermediates). */
  rootCrl(): Buffer {
    return this.crl('root', []);
  }

  /** The intermediate's DER CRL; it revokes no leaf. */
  leafCrl(i: Intermediate): Buffer {
    return this.crl(i.name, ['-cert', i.cert, '-keyfile', i.key], 'sub.cnf');
  }

  private crl(name: string, signer: string[], cnf = 'root.cnf'): Buffer {
    this.run(['ca', '-batch', '-config', cnf, ...signer, '-gencrl', '-crldays', '7', '-out', `${name}.crl.pem`]);
    this.run(['crl', '-in', `${name}.crl.pem`, '-outform', 'DER', '-out', `${name}.crl`]);
    return readFileSync(this.file(`${name}.crl`));
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
