/**
 * Where swagger-parser and pengawas's own rules meet. Expectations come from the OpenAPI specification:
 * 3.0.3 §4.7.24 Schema Object ("type — Value MUST be a string. Multiple types via an array are not supported",
 * the JSON Schema type names), §4.7.1 OpenAPI Object (fixed fields; only `x-` extensions may be added), §4.7.10
 * Operation Object ("The id MUST be unique among all operations"), §4.7.8 Path Templating ("Each template
 * expression in the path MUST correspond to a path parameter"); 3.1.0 §4.8.1 ("at least one of the components,
 * paths field or webhooks field MUST be present"). The first three swagger-parser catches and pengawas alone did
 * not; the next two swagger-parser is silent about; the last it gets wrong.
 */
import { startHttp, type Started } from '../../helpers/net';
import { findingIds, probe } from '../freshness/helpers';

const info = { title: 'Pembayaran', version: '1.0.0' };
const ok = (schema: unknown) => ({ '200': { description: 'ok', content: { 'application/json': { schema } } } });

const DOCS: Record<string, unknown> = {
  '/bad-type.json': { openapi: '3.0.3', info, paths: { '/v1/payments': { get: { responses: ok({ type: 'strng' }) } } } },
  '/type-array-in-30.json': { openapi: '3.0.3', info, paths: { '/v1/payments': { get: { responses: ok({ type: ['string', 'null'] }) } } } },
  '/unknown-top-level.json': { openapi: '3.0.3', info, paths: {}, payments: true },
  '/duplicate-operation-id.json': {
    openapi: '3.0.3',
    info,
    paths: {
      '/a': { get: { operationId: 'pay', responses: ok({ type: 'string' }) } },
      '/b': { get: { operationId: 'pay', responses: ok({ type: 'string' }) } },
    },
  },
  '/undeclared-path-parameter.json': {
    openapi: '3.0.3',
    info,
    paths: { '/v1/payments/{id}': { get: { responses: ok({ type: 'string' }) } } },
  },
  '/components-only-31.json': { openapi: '3.1.0', info, components: { schemas: { Amount: { type: ['string', 'null'] } } } },
};

let srv: Started;
beforeAll(async () => {
  srv = await startHttp((req, res) => {
    const d = DOCS[req.url ?? ''];
    res.writeHead(d ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(d ?? {}));
  });
});
afterAll(() => srv.close());

const ids = async (path: string) => findingIds(await probe('openapi', `${srv.url}${path}`), 'fail');

test('caught by swagger-parser (schema): an invalid type name, a 3.1-style type array in 3.0, an unknown top-level field', async () => {
  expect(await ids('/bad-type.json')).toEqual(['openapi.document.schema']);
  expect(await ids('/type-array-in-30.json')).toEqual(['openapi.document.schema']);
  const r = await probe('openapi', `${srv.url}/unknown-top-level.json`);
  expect(findingIds(r, 'fail')).toEqual(['openapi.document.schema']);
  expect(JSON.stringify(r.findings[0].evidence)).toContain('payments');
});

test('kept from pengawas where swagger-parser is silent: duplicate operationId, undeclared path parameter', async () => {
  expect(await ids('/duplicate-operation-id.json')).toEqual(['openapi.document.operation_id']);
  expect(await ids('/undeclared-path-parameter.json')).toEqual(['openapi.document.path_parameters']);
});

test('kept from pengawas where swagger-parser is wrong: a 3.1 document with only components is valid', async () => {
  const r = await probe('openapi', `${srv.url}/components-only-31.json`);
  expect(findingIds(r, 'fail')).toEqual([]);
  expect(r.status).toBe('pass');
});
