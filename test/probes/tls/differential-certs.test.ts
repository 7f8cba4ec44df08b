/**
 * Differential test, certificates and key exchange: testssl.sh 3.0 (-S -f, JSON) and pengawas scan the same
 * `openssl s_server` instances. Field map (testssl id → pengawas measurement):
 *   cert_numbers / cert_keySize <cert#N>   → certificates[].keyType + keyBits (as a set)
 *   cert_fingerprintSHA256 <cert#N>        → certificates[].fingerprint256 (colons removed)
 *   cert_notAfter <cert#N>                 → certificates[].notAfter (to the minute, UTC)
 *   cert_expirationStatus "expired"        → daysLeft < 0, validNow false, finding tls.cert.expired
 *   cert_chain_of_trust "passed."          → trustedNow true
 *   cert_chain_of_trust "failed (expired)." / "(not yet valid)." → pathTrusted true, validNow false
 *   cert_chain_of_trust "failed (chain incomplete…)." → chainComplete false, finding tls.cert.chain_incomplete
 *   PFS_ECDHE_curves                       → groups without ffdhe* (same OpenSSL names)
 * Client authentication is not compared: testssl 3.0 reports it only through its `service` id, which on a
 * -Verify 1 server says "Couldn't determine service" and on this -verify 1 server did not name it (its
 * CertificateRequest detection, sclient_auth, did not fire); the certificate fields of that server are compared.
 * testssl takes minutes on a loaded machine: the servers are scanned side by side.
 */
import { Pki, measurements, ids, scan, sServer, type Server, stamp } from './helpers';
import { testsslCerts, type TestsslCertView } from './testssl-certs';

let pki: Pki;
const servers: Record<string, Server> = {};

beforeAll(async () => {
  pki = new Pki();
  const rsa = pki.leaf({ name: 'rsa' });
  const ec = pki.leaf({ name: 'ec', keyType: 'ec' });
  const expired = pki.leaf({ name: 'expired', startdate: stamp(-60), enddate: stamp(-1) });
  const future = pki.leaf({ name: 'future', startdate: stamp(10), enddate: stamp(70) });
  const chain = pki.interCert;
  const list = await Promise.all([
    sServer({ ...rsa, chain }, ['-dcert', ec.cert, '-dkey', ec.key, '-dcert_chain', chain], pki.dir),
    sServer({ ...expired, chain }, ['-tls1', '-cipher', 'ECDHE-RSA-AES128-SHA:@SECLEVEL=0', '-groups', 'X25519:P-256:P-384'], pki.dir),
    sServer({ ...future, chain }, [], pki.dir),
    sServer({ ...rsa }, [], pki.dir), // leaf only: incomplete chain
    sServer({ ...rsa, chain }, ['-verify', '1', '-CAfile', pki.rootCert], pki.dir),
  ]);
  ['dual', 'tls10expired', 'future', 'incomplete', 'clientAuth'].forEach((n, i) => (servers[n] = list[i]));
});

afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s.stop()));
  pki.cleanup();
});

type Cert = {
  keyType: string;
  keyBits: number;
  fingerprint256: string;
  notAfter: string;
  daysLeft: number;
  pathTrusted: boolean;
  validNow: boolean;
  trustedNow: boolean;
  chainComplete: boolean;
};

test('pengawas and testssl.sh agree on certificates, their trust and dates, and groups', async () => {
  const names = Object.keys(servers);
  const views: Record<string, TestsslCertView> = {};
  await Promise.all(
    names.map(async (n) => (views[n] = await testsslCerts(`localhost:${servers[n].port}`, pki.file(`testssl-${n}.json`), pki.rootCert))),
  );
  for (const n of names) {
    const r = await scan(`localhost:${servers[n].port}`, { caFile: pki.rootCert, checkRevocation: false, profile: 'none' });
    const m = measurements(r);
    const ours = m.certificates as Cert[];
    const theirs = views[n].certificates;
    const key = (c: { keyType: string; keyBits: number }) => `${c.keyType === 'EC' ? 'EC' : c.keyType} ${c.keyBits}`;
    expect({ n, certs: ours.map(key).sort() }).toEqual({ n, certs: theirs.map(key).sort() });
    for (const t of theirs) {
      const o = ours.find((c) => c.fingerprint256.replace(/:/g, '') === t.fingerprint256)!;
      expect({ n, fp: t.fingerprint256, found: Boolean(o) }).toEqual({ n, fp: t.fingerprint256, found: true });
      expect(o.notAfter.slice(0, 16).replace('T', ' ')).toBe(t.notAfter);
      expect({ n, expired: o.daysLeft < 0 }).toEqual({ n, expired: t.expirationStatus === 'expired' });
      const trust = t.chainOfTrust;
      if (/^passed/.test(trust)) expect({ n, o }).toMatchObject({ n, o: { trustedNow: true } });
      else if (/\((expired|not yet valid)\)/.test(trust))
        expect({ n, o }).toMatchObject({ n, o: { pathTrusted: true, validNow: false, trustedNow: false } });
      else if (/chain incomplete|issuer cert missing/.test(trust))
        expect({ n, complete: o.chainComplete, ids: ids(r).includes('tls.cert.chain_incomplete') }).toEqual({
          n,
          complete: false,
          ids: true,
        });
      else throw new Error(`${n}: unmapped cert_chain_of_trust "${trust}"`);
    }
    // testssl lists finite-field groups apart (DH_groups); PFS_ECDHE_curves holds the elliptic ones.
    expect({ n, groups: m.groups.filter((g) => !g.startsWith('ffdhe')).sort() }).toEqual({ n, groups: [...views[n].curves].sort() });
  }
}, 1_000_000);
