/** The openapi probe against a local server serving valid and broken documents and acting as the live API. */
import { stringify } from 'yaml';
import { paymentApiOpenApi } from '../../../src/demo/targets/website/openapi';
import { startHttp, type Started } from '../../helpers/net';
import { findingIds, probe } from '../freshness/helpers';

let srv: Started;

const BROKEN = {
  openapi: '3.0.3',
  info: { version: 1 },
  paths: {
    pets: { get: { operationId: 'a', responses: { '200': { description: 'ok' } } } },
    '/pets/{petId}': {
      get: { operationId: 'a', parameters: [{ name: 'petId', in: 'path' }], responses: { '200': { $ref: '#/components/responses/Nope' } } },
      delete: { responses: {} },
    },
    '/owners/{ownerId}': { post: { responses: { '201': {}, '299x': { description: 'bad code' } } } },
  },
};

function withoutHeader(name: string) {
  const doc = paymentApiOpenApi() as { paths: Record<string, { post?: { parameters?: unknown[] } }> };
  const op = doc.paths['/v1.0/debit/status'].post!;
  op.parameters = op.parameters!.filter((p) => !JSON.stringify(p).includes(name));
  return doc;
}

beforeAll(async () => {
  srv = await startHttp((req, res) => {
    const json = (status: number, body: unknown, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    const [p, q] = (req.url ?? '').split('?');
    switch (p) {
      case '/good.json':
        return json(200, paymentApiOpenApi());
      case '/good.yaml':
        return json(200, stringify(paymentApiOpenApi()), 'application/yaml');
      case '/broken.json':
        return json(200, BROKEN);
      case '/swagger.json':
        return json(200, { swagger: '2.0', info: { title: 't', version: '1' }, paths: {} });
      case '/no-snap-header.json':
        return json(200, withoutHeader('XExternalId'));
      case '/plain-http-server.json':
        return json(200, { ...paymentApiOpenApi(), servers: [{ url: 'http://api.example.co.id' }] });
      case '/garbage':
        return json(200, 'openapi: [unclosed', 'text/plain');
      case '/boom':
        return json(502, 'bad gateway', 'text/plain');
      // The live API side.
      case '/health':
        return json(200, { status: 'UP' });
      case '/v1.0/access-token/b2b':
        if (q === 'mode=undocumented') return json(500, { responseCode: '5007300', responseMessage: 'boom' });
        if (q === 'mode=mismatch') return json(401, { responseCode: '4001234', responseMessage: 'x' });
        if (q === 'mode=service') return json(401, { responseCode: '4015400', responseMessage: 'x' });
        if (q === 'mode=nocode') return json(401, { error: 'unauthorized' });
        return json(401, { responseCode: '4017300', responseMessage: 'Unauthorized. [Signature]' });
      default:
        return json(404, { error: 'not found' });
    }
  });
});
afterAll(() => srv.close());

const SNAP_HEADERS = {
  paths: '^/v1\\.0/',
  exceptPaths: '^/v1\\.0/access-token',
  headers: ['Authorization', 'X-TIMESTAMP', 'X-SIGNATURE', 'X-PARTNER-ID', 'X-EXTERNAL-ID', 'CHANNEL-ID'],
};

test('the demo API document is valid (JSON and YAML) with its operations and SNAP headers', async () => {
  for (const f of ['good.json', 'good.yaml']) {
    const r = await probe('openapi', `${srv.url}/${f}`, {
      requireOperations: ['GET /health', 'POST /v1.0/debit/status'],
      requireHeaders: [SNAP_HEADERS],
    });
    expect(r.findings.filter((x) => x.status !== 'pass')).toEqual([]);
    expect(r.measurements).toMatchObject({ openapi: '3.0.3', operations: 7 });
  }
});

test('structural problems are grouped by rule with their locations', async () => {
  const r = await probe('openapi', `${srv.url}/broken.json`);
  expect(r.status).toBe('fail');
  expect(findingIds(r).sort()).toEqual(
    [
      'openapi.document.info',
      'openapi.document.paths',
      'openapi.document.responses',
      'openapi.document.parameters',
      'openapi.document.path_parameters',
      'openapi.document.operation_id',
      'openapi.document.refs',
    ].sort(),
  );
  const responses = r.findings.find((f) => f.id === 'openapi.document.responses')!.evidence!.problems as Array<{ where: string }>;
  expect(responses.map((p) => p.where).sort()).toEqual(
    ['DELETE /pets/{petId}', 'GET /pets/{petId} 200', 'POST /owners/{ownerId} 201', 'POST /owners/{ownerId} 299x'].sort(),
  );
  expect(findingIds(await probe('openapi', `${srv.url}/swagger.json`))).toEqual(['openapi.document.version']);
});

test('missing operations, missing SNAP headers and plain-HTTP servers fail', async () => {
  expect(findingIds(await probe('openapi', `${srv.url}/good.json`, { requireOperations: ['DELETE /v1/payments/{id}'] }))).toEqual([
    'openapi.operation.missing',
  ]);
  const r = await probe('openapi', `${srv.url}/no-snap-header.json`, { requireHeaders: [SNAP_HEADERS] });
  expect(findingIds(r)).toEqual(['openapi.headers.missing']);
  expect(r.findings[0].evidence).toEqual({ operation: 'POST /v1.0/debit/status', missing: ['X-EXTERNAL-ID'] });
  expect(findingIds(await probe('openapi', `${srv.url}/plain-http-server.json`))).toEqual(['openapi.server.insecure']);
});

test('live calls: documented statuses and SNAP response codes pass; each kind of deviation fails', async () => {
  const token = (mode?: string) => ({
    operation: 'POST /v1.0/access-token/b2b',
    path: `/v1.0/access-token/b2b${mode ? `?mode=${mode}` : ''}`,
    body: '{}',
    snap: true,
    snapService: '73',
  });
  const ok = await probe('openapi', `${srv.url}/good.json`, { baseUrl: srv.url, live: [{ operation: 'GET /health' }, token()] });
  expect(ok.status).toBe('pass');
  expect(ok.measurements.live).toEqual([
    expect.objectContaining({ status: 200 }),
    expect.objectContaining({ status: 401, responseCode: '4017300' }),
  ]);
  const bad = async (mode: string) => {
    const r = await probe('openapi', `${srv.url}/good.json`, { baseUrl: srv.url, live: [token(mode)] });
    return r.findings.filter((f) => f.status === 'fail').map((f) => f.id);
  };
  expect(await bad('undocumented')).toEqual(['openapi.live.undocumented_status']);
  expect(await bad('mismatch')).toEqual(['openapi.live.snap_response_code']);
  expect(await bad('service')).toEqual(['openapi.live.snap_response_code']);
  expect(await bad('nocode')).toEqual(['openapi.live.snap_response_code']);
  const unknown = await probe('openapi', `${srv.url}/good.json`, { baseUrl: srv.url, live: [{ operation: 'GET /nope' }] });
  expect(findingIds(unknown)).toEqual(['openapi.live.not_documented']);
});

test('an unavailable document fails, an unparsable one fails, a 5xx or dead server is an error', async () => {
  expect(findingIds(await probe('openapi', `${srv.url}/missing.json`))).toEqual(['openapi.document.unavailable']);
  expect(findingIds(await probe('openapi', `${srv.url}/garbage`))).toEqual(['openapi.document.unparsable']);
  expect((await probe('openapi', `${srv.url}/boom`)).errorCode).toBe('PROBE_TARGET_UNREACHABLE');
  expect((await probe('openapi', 'http://127.0.0.1:1/openapi.json')).status).toBe('error');
});
