/** Certificate findings against `openssl s_server` with certificates made by the openssl CLI. */
import { readFileSync, writeFileSync } from 'node:fs';
import { ids, measurements, Pki, scan, sServer, type Server } from './helpers';

let pki: Pki;
const servers: Record<string, Server> = {};
const SERVER_FLAGS = ['-tls1_3', '-cipher', 'ALL:@SECLEVEL=0'];

function stamp(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
}

beforeAll(async () => {
  pki = new Pki();
  const mk = (name: string, spec: Parameters<Pki['leaf']>[0]) => ({ name, leaf: pki.leaf(spec) });
  const good = mk('good', { name: 'good', days: 60 });
  const soon = mk('soon', { name: 'soon', days: 5 });
  const expired = mk('expired', { name: 'expired', startdate: stamp(-60), enddate: stamp(-1) });
  const future = mk('future', { name: 'future', startdate: stamp(10), enddate: stamp(70) });
  const wrong = mk('wrong', { name: 'wrong', cn: 'api.example.org', san: 'DNS:api.example.org' });
  const rsa1024 = mk('rsa1024', { name: 'rsa1024', keyBits: 1024 });
  const sha1 = mk('sha1', { name: 'sha1', md: 'sha1' });
  const self = pki.selfSigned('self');
  const staple = pki.ocspResponse(good.leaf, 'good');
  const start = (leaf: { cert: string; key: string }, chain: string | undefined, extra: string[] = []) =>
    sServer({ ...leaf, chain }, [...SERVER_FLAGS, ...extra], pki.dir);
  const list = await Promise.all([
    start(good.leaf, pki.interCert, ['-status_file', staple]),
    start(soon.leaf, pki.interCert),
    start(expired.leaf, pki.interCert),
    start(future.leaf, pki.interCert),
    start(wrong.leaf, pki.interCert),
    start(rsa1024.leaf, pki.interCert),
    start(sha1.leaf, pki.interCert),
    start(self, undefined),
    start(good.leaf, undefined), // incomplete: leaf only
    // TLS 1.2 (the raw Certificate message keeps the order sent): root before intermediate
    sServer({ ...good.leaf, chain: misordered() }, ['-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256'], pki.dir),
  ]);
  ['good', 'soon', 'expired', 'future', 'wrong', 'rsa1024', 'sha1', 'self', 'incomplete', 'misordered'].forEach(
    (n, i) => (servers[n] = list[i]),
  );
});

function misordered(): string {
  const file = pki.file('misordered.pem');
  writeFileSync(file, readFileSync(pki.rootCert, 'utf8') + readFileSync(pki.interCert, 'utf8'));
  return file;
}

afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s.stop()));
  pki.cleanup();
});

/** TLS 1.2 with server order, AEAD+FS suites only, so only certificate findings remain. */
const opts = (extra: Record<string, unknown> = {}) => ({
  caFile: pki.rootCert,
  checkRevocation: false,
  profile: 'none',
  protocols: ['TLSv1.2', 'TLSv1.3'],
  ...extra,
});
const certOf = (r: Awaited<ReturnType<typeof scan>>) => measurements(r).certificate as Record<string, unknown>;
const certIds = (r: Awaited<ReturnType<typeof scan>>) => ids(r).filter((i) => i.startsWith('tls.cert.'));

test('a good chain from a private CA: trusted, hostname match, stapled OCSP read, no certificate finding', async () => {
  const r = await scan(`localhost:${servers.good.port}`, opts({ checkRevocation: true }));
  expect(certIds(r)).toEqual([]);
  expect(certOf(r)).toMatchObject({
    subject: 'CN=localhost',
    issuer: 'CN=pengawas test intermediate',
    keyType: 'RSA',
    keyBits: 2048,
    signatureAlgorithm: 'sha256WithRSAEncryption',
    selfSigned: false,
    pathTrusted: true,
    trustedNow: true,
    hostnameMatch: true,
    ocspStapled: true,
    revoked: false,
  });
  expect(certOf(r).daysLeft).toBeGreaterThanOrEqual(58);
  expect((measurements(r).certificateDetails as { revocation: { method: string } }).revocation.method).toBe('stapled-ocsp');
});

test('the same chain is untrusted without the private root', async () => {
  const r = await scan(`localhost:${servers.good.port}`, opts({ caFile: undefined }));
  expect(certIds(r)).toEqual(['tls.cert.untrusted']);
  expect(certOf(r).pathTrusted).toBe(false);
});

test('expires soon → warn with the days left', async () => {
  const r = await scan(`localhost:${servers.soon.port}`, opts());
  expect(certIds(r)).toEqual(['tls.cert.expires_soon']);
  const f = r.findings.find((x) => x.id === 'tls.cert.expires_soon')!;
  expect(f.status).toBe('warn');
  expect(f.severity).toBe('high');
  expect(r.status).toBe('warn');
});

test('expired → tls.cert.expired, critical fail', async () => {
  const r = await scan(`localhost:${servers.expired.port}`, opts());
  expect(certIds(r)).toEqual(['tls.cert.expired']);
  expect(certOf(r).daysLeft).toBeLessThan(0);
  expect(r.status).toBe('fail');
});

test('not yet valid → tls.cert.not_yet_valid', async () => {
  const r = await scan(`localhost:${servers.future.port}`, opts());
  expect(certIds(r)).toEqual(['tls.cert.not_yet_valid']);
});

test('wrong host name → tls.cert.hostname_mismatch; servername option makes it match', async () => {
  const r = await scan(`127.0.0.1:${servers.wrong.port}`, opts());
  expect(certIds(r)).toEqual(['tls.cert.hostname_mismatch']);
  expect(certOf(r).hostnameMatch).toBe(false);
  const ok = await scan(`127.0.0.1:${servers.wrong.port}`, opts({ servername: 'api.example.org' }));
  expect(certIds(ok)).toEqual([]);
});

test('RSA-1024 key → tls.cert.weak_key and the profile key-size rule', async () => {
  const r = await scan(`localhost:${servers.rsa1024.port}`, opts({ profile: 'intermediate' }));
  expect(certIds(r)).toEqual(['tls.cert.weak_key']);
  expect(ids(r)).toContain('tls.profile.cert_key_size');
  expect(certOf(r)).toMatchObject({ keyType: 'RSA', keyBits: 1024 });
});

test('SHA-1 signature → tls.cert.sha1_signature and the profile signature rule', async () => {
  const r = await scan(`localhost:${servers.sha1.port}`, opts({ profile: 'intermediate' }));
  expect(certIds(r)).toEqual(['tls.cert.sha1_signature']);
  expect(ids(r)).toContain('tls.profile.cert_signature');
  expect(certOf(r).signatureAlgorithm).toBe('sha1WithRSAEncryption');
});

test('self-signed → tls.cert.self_signed', async () => {
  const r = await scan(`localhost:${servers.self.port}`, opts());
  expect(certIds(r)).toEqual(['tls.cert.self_signed']);
  expect(certOf(r)).toMatchObject({ selfSigned: true, pathTrusted: false, trustedNow: false });
});

test('leaf sent without its intermediate → tls.cert.chain_incomplete', async () => {
  const r = await scan(`localhost:${servers.incomplete.port}`, opts());
  expect(certIds(r)).toEqual(['tls.cert.chain_incomplete']);
  expect(certOf(r).pathTrusted).toBe(false);
});

test('chain sent out of order (TLS 1.2 raw Certificate message) → tls.cert.chain_order warning', async () => {
  const r = await scan(`localhost:${servers.misordered.port}`, opts());
  expect(certIds(r)).toEqual(['tls.cert.chain_order']);
  expect(certOf(r).pathTrusted).toBe(true);
  expect((measurements(r).certificateDetails as { chainInOrder: boolean }).chainInOrder).toBe(false);
});
