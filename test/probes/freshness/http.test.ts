/** The freshness probe on a local HTTP server: Last-Modified, front matter bodies, JSON fields, unreadable URLs. */
import { startHttp, type Started } from '../../helpers/net';
import { DAY, findingIds, probe } from './helpers';

let srv: Started;
const httpDate = (msAgo: number) => new Date(Date.now() - msAgo).toUTCString();
const TOKEN = 'rahasia-token-123';

beforeAll(async () => {
  srv = await startHttp((req, res) => {
    const send = (status: number, type: string, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': type, ...headers });
      res.end(body);
    };
    switch (req.url) {
      case '/id/syarat-ketentuan':
        return send(200, 'text/html', '<html lang="id"><title>Syarat</title></html>', { 'last-modified': httpDate(400 * DAY) });
      case '/id/biaya':
        return send(200, 'text/html', '<html lang="id"><title>Biaya</title></html>', { 'last-modified': httpDate(20 * DAY) });
      case '/no-date':
        return send(200, 'text/html', '<html></html>');
      case '/raw/sop.md':
        return send(
          200,
          'text/markdown',
          `---\nowner: Customer Care\napprover: COO\nlast_reviewed: ${new Date(Date.now() - 5 * DAY).toISOString().slice(0, 10)}\n---\n# SOP\n`,
        );
      case '/wiki/rest/api/content/42':
        return send(
          200,
          'application/json',
          JSON.stringify({
            id: '42',
            title: 'Rencana Keberlangsungan Bisnis',
            version: { number: 7, when: new Date(Date.now() - 190 * DAY).toISOString(), by: { displayName: 'Andi Wijaya' } },
          }),
        );
      case '/status.json':
        return send(
          200,
          'application/json',
          JSON.stringify({ status: 'operational', updated_at: Math.floor((Date.now() - 2 * 60_000) / 1000) }),
        );
      case '/private':
        if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(401, 'application/json', '{"error":"unauthorized"}');
        return send(
          200,
          'application/json',
          JSON.stringify({ reviewed: new Date(Date.now() - DAY).toISOString(), note: `token was ${TOKEN}` }),
        );
      case '/huge':
        return send(200, 'application/json', JSON.stringify({ pad: 'x'.repeat(5000), when: new Date().toISOString() }));
      case '/gone':
        return send(404, 'text/plain', 'not found');
      case '/hang':
        return; // never answers
      default:
        return send(500, 'text/plain', 'boom');
    }
  });
});
afterAll(() => srv.close());

test('Last-Modified is the review date of a page: 400 days is stale, 20 days is current', async () => {
  const stale = await probe('freshness', `${srv.url}/id/syarat-ketentuan`, { maxAge: '365d' });
  expect(stale.status).toBe('fail');
  expect(stale.measurements.evidence).toBe('http-last-modified');
  expect((stale.measurements.http as Record<string, unknown>).status).toBe(200);
  const fresh = await probe('freshness', `${srv.url}/id/biaya`, { maxAge: '365d' });
  expect(fresh.status).toBe('pass');
});

test('no Last-Modified and no declared date: the review date is unknown (fail)', async () => {
  const r = await probe('freshness', `${srv.url}/no-date`, { maxAge: '365d' });
  expect(r.status).toBe('fail');
  expect(findingIds(r, 'fail')).toEqual(['freshness.date.unknown']);
});

test('front matter in a served Markdown body is read like a file', async () => {
  const r = await probe('freshness', `${srv.url}/raw/sop.md`, { maxAge: '365d', requireFields: ['owner', 'approver'] });
  expect(r.status).toBe('pass');
  expect(r.measurements.evidence).toBe('field:last_reviewed');
});

test('a wiki page API: version date by JSONPath (due soon), a field by path, a missing required field', async () => {
  const r = await probe('freshness', `${srv.url}/wiki/rest/api/content/42`, {
    maxAge: '200d',
    warnBefore: '30d',
    jsonPath: '$.version.when',
    fieldPaths: { owner: '$.version.by.displayName', title: '$.title' },
    requireFields: ['owner', 'approver'],
  });
  expect(r.status).toBe('fail');
  expect(findingIds(r, 'warn')).toEqual(['freshness.review.due_soon']);
  expect(findingIds(r, 'fail')).toEqual(['freshness.field.missing']);
  expect(r.findings.find((f) => f.id === 'freshness.field.missing')!.evidence).toMatchObject({ field: 'approver' });
  expect(r.measurements.evidence).toBe('json:$.version.when');
  expect(r.measurements.fields).toMatchObject({ owner: 'Andi Wijaya', title: 'Rencana Keberlangsungan Bisnis' });
});

test('a status feed with an epoch timestamp: minutes old against a 10-minute limit', async () => {
  const ok = await probe('freshness', `${srv.url}/status.json`, { maxAge: '10m', warnBefore: '1m', jsonPath: '$.updated_at' });
  expect(ok.status).toBe('pass');
  expect(Math.round((ok.measurements.ageSeconds as number) / 60)).toBe(2);
  const strict = await probe('freshness', `${srv.url}/status.json`, { maxAge: '1m', warnBefore: '0s', jsonPath: '$.updated_at' });
  expect(strict.status).toBe('fail');
});

test('headers carry secret references; the token never appears in the result', async () => {
  process.env.PENGAWAS_TEST_WIKI_TOKEN = TOKEN;
  try {
    const r = await probe('freshness', `${srv.url}/private`, {
      maxAge: '30d',
      warnBefore: '7d',
      jsonPath: '$.reviewed',
      headers: { authorization: 'Bearer ${env:PENGAWAS_TEST_WIKI_TOKEN}' },
    });
    expect(r.status).toBe('pass');
    expect(JSON.stringify(r)).not.toContain(TOKEN);
    delete process.env.PENGAWAS_TEST_WIKI_TOKEN;
    const denied = await probe('freshness', `${srv.url}/private`, { maxAge: '30d', jsonPath: '$.reviewed' });
    expect(denied.status).toBe('error');
    expect(denied.findings[0].message).toMatch(/HTTP 401/);
  } finally {
    delete process.env.PENGAWAS_TEST_WIKI_TOKEN;
  }
});

test('unreadable: 404, 500, not JSON, over the size cap, a silent server, a closed port', async () => {
  for (const p of ['/gone', '/other']) {
    const r = await probe('freshness', `${srv.url}${p}`, { maxAge: '365d' });
    expect(r.status).toBe('error');
    expect(r.errorCode).toBe('PROBE_SOURCE_UNREADABLE');
  }
  const notJson = await probe('freshness', `${srv.url}/id/biaya`, { maxAge: '365d', jsonPath: '$.when' });
  expect(notJson.errorCode).toBe('PROBE_SOURCE_UNREADABLE');
  const huge = await probe('freshness', `${srv.url}/huge`, { maxAge: '365d', jsonPath: '$.when', maxBytes: 1000 });
  expect(huge.errorCode).toBe('PROBE_SOURCE_UNREADABLE');
  expect(huge.findings[0].message).toMatch(/exceeds 1000 bytes/);
  const t0 = Date.now();
  const hang = await probe('freshness', `${srv.url}/hang`, { maxAge: '365d' }, 400);
  expect(hang.errorCode).toBe('PROBE_TIMEOUT');
  expect(Date.now() - t0).toBeLessThan(2000);
  const noCa = await probe('freshness', `${srv.url}/id/biaya`, { maxAge: '365d', caFile: '/nonexistent/ca.pem' });
  expect(noCa.errorCode).toBe('PENGAWAS_USAGE');
  expect(noCa.findings[0].message).toMatch(/caFile \/nonexistent\/ca.pem cannot be read \(ENOENT\)/);
  const closed = await probe('freshness', 'http://127.0.0.1:1/plan', { maxAge: '365d' });
  expect(closed.status).toBe('error');
  expect(closed.errorCode).toBe('PROBE_TARGET_UNREACHABLE');
});
