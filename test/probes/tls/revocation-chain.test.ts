/**
 * Revocation of intermediates: root → intermediate → leaf, the root's `openssl ocsp` responder and the root's CRL
 * (served over HTTP) speak about the intermediates; each leaf's own CRL says the leaf is good.
 */
import { Registry } from 'prom-client';
import { ProbeFamilies } from '../../../src/metrics/probe-families';
import { freePort, startHttp, type Started } from '../../helpers/net';
import { ChainPki, type Intermediate } from './chain-pki';
import { ids, measurements, scan, sServer, startChild, type Server } from './helpers';

let pki: ChainPki;
const servers: Record<string, Server> = {};
const inters: Record<string, Intermediate> = {};
let crlHttp: Started;

beforeAll(async () => {
  pki = new ChainPki();
  const ocspPort = await freePort();
  const ocspUrl = `http://127.0.0.1:${ocspPort}/`;
  const crls: Record<string, Buffer> = {};
  crlHttp = await startHttp((req, res) => {
    const crl = crls[(req.url ?? '').replace(/^\/|\.crl$/g, '')];
    res.writeHead(crl ? 200 : 404, { 'content-type': 'application/pkix-crl' });
    res.end(crl);
  });
  const crlUrl = (name: string) => `${crlHttp.url}/${name}.crl`;
  const specs: Record<string, { ocspUrl?: string; crlUrl?: string }> = {
    ocspRevoked: { ocspUrl, crlUrl: crlUrl('root') },
    crlRevoked: { crlUrl: crlUrl('root') },
    good: { ocspUrl, crlUrl: crlUrl('root') },
    silent: { ocspUrl: `http://127.0.0.1:${await freePort()}/` },
    bare: {},
  };
  for (const [name, urls] of Object.entries(specs)) inters[name] = pki.intermediate(name, urls, crlUrl(name));
  pki.revoke(inters.ocspRevoked);
  pki.revoke(inters.crlRevoked);
  crls.root = pki.rootCrl();
  for (const i of Object.values(inters)) crls[i.name] = pki.leafCrl(i);
  // The responder reads the root's database when it starts: after every revocation.
  servers.responder = await startChild(
    'openssl',
    (port) => [
      'ocsp',
      '-index',
      'root-index.txt',
      '-port',
      String(port),
      '-rsigner',
      pki.rootCert,
      '-rkey',
      pki.rootKey,
      '-CA',
      pki.rootCert,
      '-ignore_err',
    ],
    pki.dir,
    /waiting for OCSP client/,
    ocspPort,
  );
  for (const [name, i] of Object.entries(inters)) servers[name] = await sServer(i.leaf, ['-tls1_3'], pki.dir);
}, 60_000);

afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s.stop()));
  await crlHttp.close();
  pki.cleanup();
});

const run = (name: string) =>
  scan(`localhost:${servers[name].port}`, { checkRevocation: true, profile: 'none', protocols: ['TLSv1.3'], caFile: pki.rootCert });
type Rev = Record<string, unknown> & { chain: Array<Record<string, unknown>> };
const revocation = (r: Awaited<ReturnType<typeof scan>>) => (measurements(r).certificateDetails as { revocation: Rev }).revocation;
const subject = (name: string) => `CN=pengawas ${name} intermediate`;

test('an intermediate revoked by the root OCSP responder → tls.cert.intermediate_revoked; the leaf stays good', async () => {
  const r = await run('ocspRevoked');
  expect(ids(r)).toEqual(['tls.cert.intermediate_revoked']);
  expect(r.status).toBe('fail');
  const f = r.findings[0];
  expect(f).toMatchObject({ severity: 'critical', status: 'fail' });
  expect(f.message).toContain(subject('ocspRevoked'));
  expect(f.message).toContain('ocsp http://127.0.0.1:');
  const rev = revocation(r);
  expect(rev).toMatchObject({ method: 'crl', status: 'good' }); // the leaf, reported separately
  expect(measurements(r).certificate).toMatchObject({ revoked: false });
  expect(rev.chain).toEqual([
    expect.objectContaining({
      subject: subject('ocspRevoked'),
      status: 'revoked',
      method: 'ocsp',
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/),
    }),
  ]);
  expect(f.message).toContain(`serial ${rev.chain[0].serial as string}`);
});

test('an intermediate revoked only in the root CRL (no OCSP URL) fails the same way', async () => {
  const r = await run('crlRevoked');
  expect(ids(r)).toEqual(['tls.cert.intermediate_revoked']);
  expect(r.status).toBe('fail');
  expect(r.findings[0].message).toContain(`crl ${crlHttp.url}/root.crl`);
  expect(revocation(r)).toMatchObject({ method: 'crl', status: 'good' });
  expect(revocation(r).chain).toEqual([
    expect.objectContaining({ subject: subject('crlRevoked'), status: 'revoked', method: 'crl', url: `${crlHttp.url}/root.crl` }),
  ]);
});

test('a good intermediate: no finding, measured good', async () => {
  const r = await run('good');
  expect(r.findings).toEqual([]);
  expect(revocation(r).chain).toEqual([expect.objectContaining({ subject: subject('good'), status: 'good', method: 'ocsp' })]);
});

test('an unreachable responder for the intermediate is unknown: a warning as for the leaf, never a fail', async () => {
  const r = await run('silent');
  expect(ids(r)).toEqual(['tls.cert.intermediate_revocation_unknown']);
  expect(r.status).toBe('warn');
  expect(r.findings[0]).toMatchObject({ severity: 'low', status: 'warn' });
  expect(r.findings[0].message).toContain(subject('silent'));
  expect(revocation(r).chain).toEqual([expect.objectContaining({ status: 'unknown', method: 'ocsp' })]);
});

test('an intermediate naming no responder or CRL is unknown without a finding (as a leaf without either)', async () => {
  const r = await run('bare');
  expect(r.findings).toEqual([]);
  expect(revocation(r).chain).toEqual([expect.objectContaining({ subject: subject('bare'), status: 'unknown', method: 'none' })]);
});

test('pengawas_tls_cert_revoked is 1 for a revoked intermediate under a good leaf, 0 when all are good', async () => {
  const value = async (name: string) => {
    const registry = new Registry();
    new ProbeFamilies(registry, ['tls']).observe(await run(name));
    return (await registry.metrics()).match(/^pengawas_tls_cert_revoked\{[^}]*\} (\S+)$/m)?.[1];
  };
  expect(await value('ocspRevoked')).toBe('1');
  expect(await value('crlRevoked')).toBe('1');
  expect(await value('good')).toBe('0');
});
