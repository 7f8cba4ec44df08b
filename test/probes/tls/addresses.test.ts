/**
 * A name with several addresses (a load-balanced gateway): the scan resolves it once and pins every connection to
 * one address; `addresses: all` scans each and compares them. Two `openssl s_server` per port, one on 127.0.0.1
 * and one on 127.0.0.2, and an injected resolver answering both for `pay.example.test`.
 */
import { freePort } from '../../helpers/net';
import { ids, measurements, Pki, scan, sServer, type Server } from './helpers';

const NAME = 'pay.example.test';
let pki: Pki;
const servers: Server[] = [];
let mixedPort: number;
let samePort: number;
let lookups: string[] = [];
const lookup = async (host: string) => {
  lookups.push(host);
  return ['127.0.0.1', '127.0.0.2'];
};

beforeAll(async () => {
  pki = new Pki();
  // Certificates for the name only (no IP SAN): a hostname match proves the name, not the address, was checked.
  const a = pki.leaf({ name: 'pay-a', cn: NAME, san: `DNS:${NAME}` });
  const b = pki.leaf({ name: 'pay-b', cn: NAME, san: `DNS:${NAME}` });
  // The default certificate is for another name; only SNI = pay.example.test selects the right one (-cert2).
  const other = pki.leaf({ name: 'other', cn: 'other.example.test', san: 'DNS:other.example.test' });
  // -cert2 takes no chain file: OpenSSL completes both contexts' chains from the -CAfile store.
  const sni = (leaf: { cert: string; key: string }) => [
    '-servername',
    NAME,
    '-cert2',
    leaf.cert,
    '-key2',
    leaf.key,
    '-CAfile',
    pki.interCert,
  ];
  const modern = ['-min_protocol', 'TLSv1.2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256'];
  const legacy = [
    '-min_protocol',
    'TLSv1',
    '-max_protocol',
    'TLSv1.2',
    '-cipher',
    'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-SHA:@SECLEVEL=0',
  ];
  const otherCert = { cert: other.cert, key: other.key };
  mixedPort = await freePort();
  samePort = await freePort();
  servers.push(
    ...(await Promise.all([
      sServer(otherCert, [...modern, ...sni(a)], pki.dir, { host: '127.0.0.1', port: mixedPort }),
      sServer(otherCert, [...legacy, ...sni(b)], pki.dir, { host: '127.0.0.2', port: mixedPort }),
      sServer(otherCert, [...modern, ...sni(a)], pki.dir, { host: '127.0.0.1', port: samePort }),
      sServer(otherCert, [...modern, ...sni(a)], pki.dir, { host: '127.0.0.2', port: samePort }),
    ])),
  );
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  pki.cleanup();
});

beforeEach(() => {
  lookups = [];
});

const opts = (extra: Record<string, unknown> = {}) => ({ caFile: pki.rootCert, checkRevocation: false, ...extra });
type PerAddress = Array<{
  address: string;
  protocols: string[];
  ciphers: string[];
  certificateFingerprint: string | null;
  findings: string[];
}>;

test('first: an address that refuses connections is skipped, as a client falls back (localhost → ::1 first)', async () => {
  const dead = async () => ['127.0.0.3', '127.0.0.1', '127.0.0.2'];
  const r = await scan(`${NAME}:${mixedPort}`, opts(), 20_000, { lookup: dead });
  const m = measurements(r);
  expect(r.errorCode).toBeUndefined();
  expect(m.address).toBe('127.0.0.1');
  expect(m.addresses).toEqual(['127.0.0.3', '127.0.0.1', '127.0.0.2']);
  expect(m.protocols).toEqual({ SSLv2: false, SSLv3: false, TLSv1: false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': true });
});

test('first (default): resolved once, every connection to the first address, SNI and certificate name stay the host name', async () => {
  const r = await scan(`${NAME}:${mixedPort}`, opts(), 20_000, { lookup });
  const m = measurements(r);
  expect(r.errorCode).toBeUndefined();
  expect(lookups).toEqual([NAME]);
  expect(m.address).toBe('127.0.0.1');
  expect(m.addresses).toEqual(['127.0.0.1', '127.0.0.2']);
  // exactly the first server: no TLS 1.0/1.1 from the second, no CBC suite
  expect(m.protocols).toEqual({ SSLv2: false, SSLv3: false, TLSv1: false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': true });
  expect(m.ciphers.filter((c) => c.protocol === 'TLSv1.2').map((c) => c.name)).toEqual(['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256']);
  expect(m.certificate).toMatchObject({ subject: `CN=${NAME}`, hostnameMatch: true, pathTrusted: true, trustedNow: true });
  expect(ids(r)).not.toContain('tls.protocol.tls1_0_enabled');
  expect(ids(r)).not.toContain('tls.addresses.inconsistent');
  expect(m.perAddress).toBeUndefined();
});

test("all: both addresses reported; the difference and the second backend's weak protocols fail, naming the address", async () => {
  const r = await scan(`${NAME}:${mixedPort}`, opts({ addresses: 'all' }), 30_000, { lookup });
  const m = measurements(r);
  expect(lookups).toEqual([NAME]);
  expect(r.status).toBe('fail');
  // the main result stays the first address's
  expect(m.address).toBe('127.0.0.1');
  expect(m.protocols['TLSv1']).toBe(false);
  const per = m.perAddress as PerAddress;
  expect(per.map((p) => p.address)).toEqual(['127.0.0.1', '127.0.0.2']);
  expect(per[0].protocols).toEqual(['TLSv1.2', 'TLSv1.3']);
  expect(per[1].protocols).toEqual(['TLSv1', 'TLSv1.1', 'TLSv1.2']);
  expect(per[1].ciphers).toContain('TLSv1.2 TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA');
  expect(per[0].certificateFingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  expect(per[1].certificateFingerprint).not.toBe(per[0].certificateFingerprint);
  expect(per[1].findings).toContain('tls.protocol.tls1_0_enabled');

  const inc = r.findings.find((f) => f.id === 'tls.addresses.inconsistent')!;
  expect(inc).toMatchObject({ severity: 'medium', status: 'fail' });
  expect(inc.message).toContain('127.0.0.1 TLSv1.2, TLSv1.3');
  expect(inc.message).toContain('127.0.0.2 TLSv1, TLSv1.1, TLSv1.2');
  expect(inc.message).toContain('TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA');
  expect(inc.message).toContain('leaf certificate');
  const diff = (inc.evidence as { differences: Record<string, Record<string, string[]>> }).differences;
  expect(Object.keys(diff).sort()).toEqual(['certificate', 'ciphers', 'protocols']);
  expect(diff.protocols['127.0.0.2']).toContain('TLSv1');

  // a weak protocol on the second backend only: one failing finding, naming that address
  const tls10 = r.findings.filter((f) => f.id === 'tls.protocol.tls1_0_enabled');
  expect(tls10).toHaveLength(1);
  expect(tls10[0].status).toBe('fail');
  expect(tls10[0].message).toContain('(on 127.0.0.2)');
  expect(tls10[0].evidence).toMatchObject({ protocol: 'TLSv1', addresses: ['127.0.0.2'] });
  // no finding id is listed twice
  expect(new Set(ids(r)).size).toBe(ids(r).length);
});

test('all, two identical backends: the comparison passes and shared findings appear once', async () => {
  const r = await scan(`${NAME}:${samePort}`, opts({ addresses: 'all' }), 30_000, { lookup });
  const m = measurements(r);
  const inc = r.findings.find((f) => f.id === 'tls.addresses.inconsistent')!;
  expect(inc).toMatchObject({ status: 'pass', evidence: { addresses: ['127.0.0.1', '127.0.0.2'] } });
  const per = m.perAddress as PerAddress;
  expect(per[1].certificateFingerprint).toBe(per[0].certificateFingerprint);
  expect(per[1].protocols).toEqual(per[0].protocols);
  const stapling = r.findings.filter((f) => f.id === 'tls.profile.ocsp_stapling');
  expect(stapling).toHaveLength(1);
  expect(stapling[0].message).not.toContain('(on ');
  expect(stapling[0].evidence).toMatchObject({ addresses: ['127.0.0.1', '127.0.0.2'] });
  expect(r.status).toBe('warn');
});

test('all, a backend that cannot be reached: an error finding naming it, the other still scanned', async () => {
  const port = await freePort();
  const s = await sServer(
    { cert: pki.file('pay-a.pem'), key: pki.file('pay-a.key'), chain: pki.interCert },
    ['-min_protocol', 'TLSv1.2'],
    pki.dir,
    { host: '127.0.0.1', port },
  );
  try {
    const r = await scan(`${NAME}:${port}`, opts({ addresses: 'all' }), 20_000, { lookup });
    expect(r.status).toBe('error');
    const un = r.findings.find((f) => f.id === 'tls.addresses.unavailable')!;
    expect(un.message).toContain('127.0.0.2');
    expect(measurements(r).protocols['TLSv1.3']).toBe(true);
  } finally {
    await s.stop();
  }
});

test('an IP literal needs no lookup', async () => {
  const r = await scan(`127.0.0.2:${samePort}`, opts({ servername: NAME }), 20_000, { lookup });
  expect(lookups).toEqual([]);
  expect(measurements(r)).toMatchObject({ address: '127.0.0.2', addresses: ['127.0.0.2'] });
  expect(measurements(r).certificate).toMatchObject({ hostnameMatch: true });
});

test('a failed or empty lookup is error PROBE_DNS', async () => {
  const fails = async () => {
    throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
  };
  const r = await scan(`${NAME}:${mixedPort}`, opts(), 5000, { lookup: fails });
  expect(r.errorCode).toBe('PROBE_DNS');
  const empty = await scan(`${NAME}:${mixedPort}`, opts(), 5000, { lookup: async () => [] });
  expect(empty.errorCode).toBe('PROBE_DNS');
});

test('a lookup that never answers ends with the check timeout', async () => {
  const r = await scan(`${NAME}:${mixedPort}`, opts(), 300, { lookup: () => new Promise<string[]>(() => undefined) });
  expect(r.errorCode).toBe('PROBE_TIMEOUT');
  expect(r.elapsedMs).toBeLessThan(2000);
});
