/**
 * SteadyRedis (src/queue/steady-redis.ts) against the shared Redis, each case on its own connection: a connection
 * ioredis ends on its own comes back; one pengawas closes (disconnect(), QUIT) stays closed, duplicates included.
 * ioredis is made to end a connection by itself the public way: a retry strategy that gives up, and the server
 * dropping the connection (CLIENT KILL ID, which touches only this test's own connection).
 */
import IORedis from 'ioredis';
import { SteadyRedis } from '../../src/queue/steady-redis';
import { sleep, waitFor } from '../helpers/net';

const URL_OPTS = { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null, lazyConnect: false };

async function killFromOutside(c: IORedis): Promise<void> {
  const admin = new IORedis(6379, '127.0.0.1');
  try {
    await admin.client('KILL', 'ID', String(await c.client('ID')));
  } finally {
    admin.disconnect();
  }
}

test('a connection ioredis ends by itself is connected again, and answers', async () => {
  const ended: string[] = [];
  // retryStrategy null: ioredis itself sets status "end" on the first close, as it does after a failed sentinel lookup.
  const c = new SteadyRedis({ ...URL_OPTS, retryStrategy: () => null, connectionName: 'steady-test' });
  c.on('error', () => undefined);
  c.on('end', () => ended.push(c.status));
  try {
    await waitFor(() => c.status === 'ready', 5000);
    for (let i = 0; i < 3; i++) {
      await killFromOutside(c);
      await waitFor(() => ended.length === i + 1, 5000);
      await waitFor(() => c.status === 'ready', 10_000);
      expect(await c.ping()).toBe('PONG');
    }
    expect(ended).toEqual(['end', 'end', 'end']);
  } finally {
    c.disconnect();
  }
});

test('a connection pengawas closes stays closed: disconnect(), QUIT, and the same for a duplicate', async () => {
  const a = new SteadyRedis({ ...URL_OPTS });
  const b = new SteadyRedis({ ...URL_OPTS });
  const d = a.duplicate();
  for (const c of [a, b, d]) c.on('error', () => undefined);
  await waitFor(() => [a, b, d].every((c) => c.status === 'ready'), 5000);
  expect(d).toBeInstanceOf(SteadyRedis);
  a.disconnect();
  await b.quit();
  d.disconnect();
  await sleep(2500); // longer than the longest wait before a revival
  expect([a.status, b.status, d.status]).toEqual(['end', 'end', 'end']);
  await expect(a.ping()).rejects.toThrow(/Connection is closed/);
});

test('an explicit connect() after a close is honoured, and the connection is steady again', async () => {
  const c = new SteadyRedis({ ...URL_OPTS, retryStrategy: () => null });
  c.on('error', () => undefined);
  try {
    await waitFor(() => c.status === 'ready', 5000);
    c.disconnect();
    await waitFor(() => c.status === 'end', 5000);
    await c.connect();
    let ended = 0;
    c.on('end', () => (ended += 1));
    await killFromOutside(c);
    await waitFor(() => ended === 1, 5000);
    await waitFor(() => c.status === 'ready', 10_000);
    expect(await c.ping()).toBe('PONG');
  } finally {
    c.disconnect();
  }
});

test('the control: an ordinary ioredis client ended by itself stays ended (what SteadyRedis changes)', async () => {
  const c = new IORedis({ ...URL_OPTS, retryStrategy: () => null });
  c.on('error', () => undefined);
  try {
    await waitFor(() => c.status === 'ready', 5000);
    await killFromOutside(c);
    await waitFor(() => c.status === 'end', 5000);
    await sleep(2500);
    expect(c.status).toBe('end');
  } finally {
    c.disconnect();
  }
});

test('closing an already closed connection again arms no timer (the process is free to exit)', async () => {
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const c = new SteadyRedis({ ...URL_OPTS });
  c.on('error', () => undefined);
  await waitFor(() => c.status === 'ready', 5000);
  c.disconnect();
  await waitFor(() => c.status === 'end', 5000);
  await sleep(50);
  const before = timers();
  c.disconnect(); // the monitor's stop closes every connection, including one the recorder closed already
  // ioredis 5 alone would arm a 2 s stream-destroy timer here that nothing clears.
  expect(timers()).toBe(before);
  expect(c.status).toBe('end');
});
