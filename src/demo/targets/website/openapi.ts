/**
 * The public OpenAPI 3.0 document of the demo payment API (served by the website on /openapi.json). It describes
 * the stub's real routes, including the SNAP-style token and direct-debit operations with their SNAP headers,
 * so the `openapi` probe can check it is valid, complete, and that the live API answers as documented.
 */
import { DEMO_PORTS } from '../../ports';

const header = (name: string, description: string, required = true) => ({
  name,
  in: 'header',
  required,
  description,
  schema: { type: 'string' },
});
const snapResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/SnapResponse' } } },
});

const TRANSACTION_HEADERS = [
  { $ref: '#/components/parameters/Authorization' },
  { $ref: '#/components/parameters/XTimestamp' },
  { $ref: '#/components/parameters/XSignature' },
  { $ref: '#/components/parameters/XPartnerId' },
  { $ref: '#/components/parameters/XExternalId' },
  { $ref: '#/components/parameters/ChannelId' },
];

function snapOperation(operationId: string, summary: string, service: string) {
  return {
    post: {
      operationId,
      summary,
      tags: ['SNAP'],
      parameters: TRANSACTION_HEADERS,
      requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
      responses: {
        '200': snapResponse(`Successful (responseCode 200${service}00)`),
        '400': snapResponse(`Invalid field format or mandatory field (400${service}01, 400${service}02)`),
        '401': snapResponse(`Unauthorized: token, timestamp or signature (401${service}00)`),
        '404': snapResponse(`Transaction not found (404${service}01)`),
        '409': snapResponse(`X-EXTERNAL-ID reused today (409${service}00)`),
      },
    },
  };
}

export function paymentApiOpenApi(): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: {
      title: 'PT Contoh Pembayaran Nusantara — Payment API',
      version: '1.4.0',
      description: 'Demo payment API (pengawas). SNAP-style operations under /v1.0 follow the SNAP open-API standard shapes.',
      contact: { name: 'API support', email: 'api@contoh-pembayaran.co.id' },
    },
    servers: [{ url: `https://127.0.0.1:${DEMO_PORTS.paymentApi}`, description: 'demo payment API stub' }],
    tags: [{ name: 'Health' }, { name: 'Payments' }, { name: 'SNAP' }],
    paths: {
      '/health': {
        get: {
          operationId: 'getHealth',
          summary: 'Service health',
          tags: ['Health'],
          responses: {
            '200': {
              description: 'Up',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['status'],
                    properties: { status: { type: 'string', enum: ['UP', 'DOWN'] }, service: { type: 'string' } },
                  },
                },
              },
            },
          },
        },
      },
      '/v1/payments': {
        post: {
          operationId: 'createPayment',
          summary: 'Create a payment',
          tags: ['Payments'],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: { type: 'object', required: ['amount'], properties: { amount: { type: 'integer', minimum: 1 } } },
              },
            },
          },
          responses: {
            '201': { description: 'Created', content: { 'application/json': { schema: { $ref: '#/components/schemas/Payment' } } } },
            '400': { description: 'Invalid JSON' },
          },
        },
      },
      '/v1/payments/{id}': {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        get: {
          operationId: 'getPayment',
          summary: 'Payment status',
          tags: ['Payments'],
          responses: {
            '200': { description: 'Found', content: { 'application/json': { schema: { $ref: '#/components/schemas/Payment' } } } },
            '404': { description: 'Unknown payment' },
          },
        },
      },
      '/v1.0/access-token/b2b': {
        post: {
          operationId: 'snapAccessTokenB2b',
          summary: 'SNAP B2B access token',
          tags: ['SNAP'],
          parameters: [
            { $ref: '#/components/parameters/XTimestamp' },
            header('X-CLIENT-KEY', 'Client id'),
            { $ref: '#/components/parameters/XSignature' },
          ],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['grantType'],
                  properties: { grantType: { type: 'string', enum: ['client_credentials'] } },
                },
              },
            },
          },
          responses: { '200': snapResponse('Token issued (2007300)'), '401': snapResponse('Unauthorized (4017300)') },
        },
      },
      '/v1.0/debit/payment-host-to-host': snapOperation('snapDebitPayment', 'SNAP direct debit payment', '54'),
      '/v1.0/debit/status': snapOperation('snapDebitStatus', 'SNAP direct debit status inquiry', '55'),
      '/v1.0/debit/cancel': snapOperation('snapDebitCancel', 'SNAP direct debit cancel', '57'),
    },
    components: {
      parameters: {
        Authorization: header('Authorization', 'Bearer access token from /v1.0/access-token/b2b'),
        XTimestamp: header('X-TIMESTAMP', 'ISO-8601 time with offset, e.g. 2026-11-28T10:15:00+07:00'),
        XSignature: header('X-SIGNATURE', 'SNAP request signature'),
        XPartnerId: header('X-PARTNER-ID', 'Partner id'),
        XExternalId: header('X-EXTERNAL-ID', 'Unique per day'),
        ChannelId: header('CHANNEL-ID', 'Channel id'),
      },
      schemas: {
        Payment: {
          type: 'object',
          required: ['id', 'status'],
          properties: { id: { type: 'string' }, status: { type: 'string' }, amount: { type: 'integer' } },
        },
        SnapResponse: {
          type: 'object',
          required: ['responseCode', 'responseMessage'],
          properties: { responseCode: { type: 'string', pattern: '^[1-5][0-9]{6}$' }, responseMessage: { type: 'string' } },
        },
      },
    },
  };
}
