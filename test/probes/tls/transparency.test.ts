/**
 * Certificate transparency, delivered the two ways a server adds SCTs without reissuing its certificate, tested
 * against real `openssl s_server` instances: the TLS extension signed_certificate_timestamp (18) through
 * `-serverinfo`, and a stapled OCSP response carrying the SCT list extension through `-status_file`. The SCTs are
 * genuine (signed by a test log, test/probes/tls/sct.ts); `openssl s_client -ct` with that log in its log list is
 * the independent reader the probe's counts are compared with.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { ids, measurements, Pki, scan, sServer, type Server } from './helpers';
import { derOf, ocspWithScts, sct, sctList, testLog, type TestLog } from './sct';

let pki: Pki;
let logs: TestLog[];
const servers: Record<string, Server> = {};

beforeAll(async () => {
  pki = new Pki();
  logs = [testLog(), testLog()];
  const leaf = pki.leaf({ name: 'ctx' });
  const full = { ...leaf, chain: pki.interCert };
  const scts = (n: number) => sctList(logs.slice(0, n).map((l) => sct(l, derOf(leaf.cert))));
  // -serverinfo: a PEM block "SERVERINFO FOR <name>" holding extension type, length and body (SSL_CTX_use_serverinfo_file).
  const ext = scts(2);
  const serverinfo = Buffer.concat([Buffer.from([0, 18, ext.length >> 8, ext.length & 0xff]), ext]);
  writeFileSync(
    pki.file('ctx.serverinfo'),
    `-----BEGIN SERVERINFO FOR signed_certificate_timestamp-----\n${serverinfo.toString('base64')}\n-----END SERVERINFO FOR signed_certificate_timestamp-----\n`,
  );
  const ocsp = ocspWithScts(pki, leaf, 'ctx', scts(1));
  // The CT log list s_client reads (CTLOG_STORE_load_file: one section per log with its base64 SPKI).
  writeFileSync(
    pki.file('ct_log_list.cnf'),
    `enabled_logs = log0,log1\n${logs.map((l, i) => `[log${i}]\ndescription = test log ${i}\nkey = ${l.spki.toString('base64')}\n`).join('')}`,
  );
  const [extension, stapled, plain] = await Promise.all([
    sServer(full, ['-no_tls1_3', '-serverinfo', pki.file('ctx.serverinfo')], pki.dir),
    sServer(full, ['-status_file', ocsp], pki.dir),
    sServer(full, [], pki.dir),
  ]);
  Object.assign(servers, { extension, stapled, plain });
});

afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s.stop()));
  pki.cleanup();
});

/** What `openssl s_client -ct -status` reports: SCTs it received and how many validated against the log list. */
function sClient(port: number): { present: number; valid: number; text: string } {
  const out = spawnSync(
    'openssl',
    [
      's_client',
      '-connect',
      `127.0.0.1:${port}`,
      '-servername',
      'localhost',
      '-CAfile',
      pki.rootCert,
      '-ct',
      '-ctlogfile',
      pki.file('ct_log_list.cnf'),
      '-status',
    ],
    { input: '', timeout: 20_000 },
  );
  const text = `${out.stdout.toString()}${out.stderr.toString()}`;
  const present = Number(/SCTs present \((\d+)\)/.exec(text)?.[1] ?? 0);
  return { present, valid: (text.match(/SCT validation status: valid/g) ?? []).length, text };
}

const opts = { caFile: 'x', checkRevocation: false, profile: 'none', sessions: false };

test('fixture check: the hand-built OCSP response verifies and OpenSSL reads one SCT in its extension', () => {
  const out = spawnSync('openssl', [
    'ocsp',
    '-respin',
    pki.file('ctx.ocsp'),
    '-issuer',
    pki.interCert,
    '-cert',
    pki.file('ctx.pem'),
    '-CAfile',
    pki.rootCert,
    '-resp_text',
  ]);
  const text = `${out.stdout.toString()}${out.stderr.toString()}`;
  expect(text).toContain('Response verify OK');
  expect(text).toMatch(/ctx\.pem: good/);
  expect(text).toContain('CT Certificate SCTs');
  expect(text.match(/Signed Certificate Timestamp:/g)).toHaveLength(1);
});

test('SCTs in the TLS extension (s_server -serverinfo): the probe counts what s_client -ct receives and validates', async () => {
  const peer = sClient(servers.extension.port);
  expect(peer).toMatchObject({ present: 2, valid: 2 });
  const r = await scan(`localhost:${servers.extension.port}`, { ...opts, caFile: pki.rootCert });
  expect(measurements(r).transparency).toMatchObject({
    embeddedScts: 0,
    stapledScts: 0,
    tlsExtensionScts: true,
    tlsExtensionSctCount: peer.present,
  });
  expect(ids(r)).not.toContain('tls.cert.no_sct');
});

test('SCTs stapled in OCSP (s_server -status_file): the probe counts what s_client -ct receives and validates', async () => {
  const peer = sClient(servers.stapled.port);
  expect(peer).toMatchObject({ present: 1, valid: 1 });
  const r = await scan(`localhost:${servers.stapled.port}`, { ...opts, caFile: pki.rootCert });
  expect(measurements(r).transparency).toMatchObject({ embeddedScts: 0, stapledScts: peer.present, tlsExtensionScts: false });
  expect(measurements(r).certificate).toMatchObject({ ocspStapled: true });
  // The stapled answer is also a real OCSP response: with revocation on, the leaf is good by it.
  const withRevocation = await scan(`localhost:${servers.stapled.port}`, { ...opts, caFile: pki.rootCert, checkRevocation: true });
  expect(measurements(withRevocation).certificate).toMatchObject({ revoked: false });
});

test('neither: s_client -ct receives none and the probe counts none', async () => {
  expect(sClient(servers.plain.port).present).toBe(0);
  const r = await scan(`localhost:${servers.plain.port}`, { ...opts, caFile: pki.rootCert });
  expect(measurements(r).transparency).toMatchObject({
    embeddedScts: 0,
    stapledScts: 0,
    tlsExtensionScts: false,
    tlsExtensionSctCount: 0,
  });
});
