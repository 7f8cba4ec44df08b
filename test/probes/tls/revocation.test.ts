/** Revocation against a local `openssl ocsp` responder and a CRL served over HTTP, both from an `openssl ca` database. */
import { freePort, startHttp, type Started } from '../../helpers/net';
import { ids, measurements, Pki, scan, sServer, startChild, type Server } from './helpers';

let pki: Pki;
const servers: Record<string, Server> = {};
let crlHttp: Started & { hits: number };

beforeAll(async () => {
  pki = new Pki();
  const ocspPort = await freePort();
  const ocspUrl = `http://127.0.0.1:${ocspPort}/`;
  crlHttp = Object.assign(
    await startHttp((_req, res) => {
      crlHttp.hits++;
      res.writeHead(200, { 'content-type': 'application/pkix-crl' });
      res.end(pki.crl());
    }),
    { hits: 0 },
  );
  const crlUrl = `${crlHttp.url}/inter.crl`;
  const good = pki.leaf({ name: 'good', ocspUrl });
  const revoked = pki.leaf({ name: 'revoked', ocspUrl });
  const crlGood = pki.leaf({ name: 'crlgood', crlUrl });
  const crlRevoked = pki.leaf({ name: 'crlrevoked', crlUrl });
  const silentOcsp = pki.leaf({ name: 'silent', ocspUrl: `http://127.0.0.1:${await freePort()}/` });
  pki.revoke(revoked);
  pki.revoke(crlRevoked);
  // The responder reads the CA database when it starts: start it once every certificate is issued or revoked.
  servers.responder = await startChild(
    'openssl',
    (port) => [
      'ocsp',
      '-index',
      'index.txt',
      '-port',
      String(port),
      '-rsigner',
      pki.interCert,
      '-rkey',
      pki.interKey,
      '-CA',
      pki.interCert,
      '-ignore_err',
    ],
    pki.dir,
    /waiting for OCSP client/,
    ocspPort,
  );
  const flags = ['-tls1_3'];
  const [g, r, cg, cr, s] = await Promise.all([
    sServer({ ...good, chain: pki.interCert }, flags, pki.dir),
    sServer({ ...revoked, chain: pki.interCert }, flags, pki.dir),
    sServer({ ...crlGood, chain: pki.interCert }, flags, pki.dir),
    sServer({ ...crlRevoked, chain: pki.interCert }, flags, pki.dir),
    sServer({ ...silentOcsp, chain: pki.interCert }, flags, pki.dir),
  ]);
  Object.assign(servers, { good: g, revoked: r, crlGood: cg, crlRevoked: cr, silent: s });
}, 30_000);

afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s.stop()));
  await crlHttp.close();
  pki.cleanup();
});

const opts = { caFile: '', checkRevocation: true, profile: 'none', protocols: ['TLSv1.3'] };
const run = (port: number) => scan(`localhost:${port}`, { ...opts, caFile: pki.rootCert });
const revocation = (r: Awaited<ReturnType<typeof scan>>) =>
  (measurements(r).certificateDetails as { revocation: Record<string, unknown> }).revocation;

test('OCSP: a good certificate is reported good by the responder', async () => {
  const r = await run(servers.good.port);
  expect(r.findings).toEqual([]);
  expect(measurements(r).certificate).toMatchObject({ revoked: false, ocspStapled: false });
  expect(revocation(r)).toMatchObject({ method: 'ocsp', status: 'good' });
});

test('OCSP: a revoked certificate → tls.cert.revoked, critical fail', async () => {
  const r = await run(servers.revoked.port);
  expect(ids(r)).toEqual(['tls.cert.revoked']);
  expect(r.status).toBe('fail');
  expect(r.findings[0].severity).toBe('critical');
  expect(measurements(r).certificate).toMatchObject({ revoked: true });
  expect(revocation(r)).toMatchObject({ method: 'ocsp', status: 'revoked' });
});

test('CRL: good and revoked certificates told apart from the signed list', async () => {
  const before = crlHttp.hits;
  const good = await run(servers.crlGood.port);
  const bad = await run(servers.crlRevoked.port);
  expect(crlHttp.hits - before).toBe(2);
  expect(ids(good)).toEqual([]);
  expect(revocation(good)).toMatchObject({ method: 'crl', status: 'good' });
  expect(ids(bad)).toEqual(['tls.cert.revoked']);
  expect(revocation(bad)).toMatchObject({ method: 'crl', status: 'revoked' });
});

test('an unreachable OCSP responder is "unknown" (a warning), never "good"', async () => {
  const r = await run(servers.silent.port);
  expect(ids(r)).toEqual(['tls.cert.revocation_unknown']);
  expect(r.status).toBe('warn');
  expect(measurements(r).certificate).toMatchObject({ revoked: null });
});
