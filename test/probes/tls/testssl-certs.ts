/**
 * Runs testssl.sh 3.0 (Debian package) with server defaults and forward secrecy (-S -f) and reads the ids that
 * describe certificates, groups and client authentication from its flat JSON file. The ids and finding texts
 * are testssl.sh's own (run_server_defaults, certificate_info, determine_trust, run_pfs in /usr/bin/testssl).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface TestsslCert {
  /** `cert_keySize`: "RSA 2048 bits", "EC 256 bits" → type and bits */
  keyType: string;
  keyBits: number;
  /** `cert_fingerprintSHA256`: hex without colons */
  fingerprint256: string;
  /** `cert_notAfter`: "YYYY-MM-DD HH:MM" (UTC: testssl runs with TZ=UTC) */
  notAfter: string;
  /** `cert_expirationStatus`: "expired", "expires < 30 days (29)", "59 >= 60 days", … */
  expirationStatus: string;
  /** `cert_chain_of_trust`: "passed.", "failed (expired).", "failed (chain incomplete).", … */
  chainOfTrust: string;
}

export interface TestsslCertView {
  /** `cert_numbers` (absent with one certificate: testssl then writes the ids without `<cert#N>`) */
  certificates: TestsslCert[];
  /** `PFS_ECDHE_curves`, space-separated OpenSSL names */
  curves: string[];
  /** `service`: "certificate-based authentication => …" when a CertificateRequest was seen (CLIENT_AUTH) */
  service: string;
  /** Every row, for failure messages. */
  raw: Array<{ id: string; finding: string }>;
}

export function testsslCerts(target: string, jsonFile: string, caFile?: string): Promise<TestsslCertView> {
  const args = [
    '--quiet',
    '--color',
    '0',
    '--warnings',
    'off',
    '-S',
    '-f',
    ...(caFile ? ['--add-ca', caFile] : []),
    '--jsonfile',
    jsonFile,
    target,
  ];
  return new Promise((resolve, reject) => {
    execFile('testssl', args, { timeout: 900_000, env: { ...process.env, TZ: 'UTC' } }, (err) => {
      let rows: Array<{ id: string; finding: string }>;
      try {
        rows = JSON.parse(readFileSync(jsonFile, 'utf8'));
      } catch {
        return reject(err ?? new Error('testssl wrote no JSON'));
      }
      const byCert = new Map<string, Record<string, string>>();
      let curves: string[] = [];
      let service = '';
      for (const r of rows) {
        const m = /^(cert_[A-Za-z0-9_]+?)(?: <cert#(\d+)>)?$/.exec(r.id);
        if (m) {
          const n = m[2] ?? '1';
          byCert.set(n, { ...(byCert.get(n) ?? {}), [m[1]]: r.finding });
        }
        if (r.id === 'PFS_ECDHE_curves') curves = r.finding.split(/\s+/).filter(Boolean);
        if (r.id === 'service') service = r.finding;
      }
      const certificates = [...byCert.values()]
        .filter((c) => c.cert_keySize)
        .map((c) => {
          const [type, bits] = c.cert_keySize.split(' ');
          return {
            keyType: type,
            keyBits: Number(bits),
            fingerprint256: c.cert_fingerprintSHA256,
            notAfter: c.cert_notAfter,
            expirationStatus: c.cert_expirationStatus,
            chainOfTrust: c.cert_chain_of_trust,
          };
        });
      resolve({ certificates, curves, service, raw: rows });
    });
  });
}
