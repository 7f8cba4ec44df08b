/**
 * pengawas against a Redis that accepts only TLS (its own test CA) and only ACL users holding the least-privilege
 * rules of src/queue/redis-acl.ts, with the default user switched off. All roles in one process, then each role
 * as its own monitor with its own user (sharing a results key, as split roles must): checks run, results are
 * recorded, and Redis's ACL LOG stays empty (no command was refused). Stolen worker credentials are then tried as an attacker
 * would: other prefixes, FLUSHALL, CONFIG, plain TCP.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import IORedis from 'ioredis';
import { loadSettings } from '../../src/config/settings';
import { startMonitor, type Monitor, type Role } from '../../src/monitor/monitor';
import { loadChecks } from '../../src/config/load';
import { CheckQueue } from '../../src/queue/check-queue';
import { ping } from '../../src/queue/connection';
import { aclRules, type AclRole } from '../../src/queue/redis-acl';
import { startHttp, waitFor, type Started } from '../helpers/net';
import { makePki, type TestPki } from '../helpers/pki';
import { startRedisChild, type RedisChild } from '../helpers/redis-server';

jest.setTimeout(180_000);

const PREFIX = 'pgw-acl';
let pki: TestPki;
let redis: RedisChild;
let target: Started;
let dir: string;
let admin: IORedis;

const USERS: Record<string, AclRole[]> = {
  'pengawas-all': ['scheduler', 'worker', 'recorder'],
  'pengawas-scheduler': ['scheduler'],
  'pengawas-worker': ['worker'],
  'pengawas-recorder': ['recorder'],
};
// Split roles need the results key (docs/results.md); given by reference, the way an operator would.
process.env.PGW_ACL_TEST_RESULTS_KEY = randomBytes(32).toString('hex');

beforeAll(async () => {
  pki = makePki();
  dir = mkdtempSync(path.join(tmpdir(), 'pengawas-acl-'));
  target = await startHttp((req, res) => res.writeHead(req.url === '/fail' ? 503 : 200).end('ok'));
  const users = Object.entries(USERS).flatMap(([u, roles]) => {
    writeFileSync(path.join(dir, `${u}.pass`), `${u}-S3cret!\n`, { mode: 0o600 });
    return ['--user', u, 'on', `>${u}-S3cret!`, ...aclRules(roles, PREFIX)];
  });
  redis = await startRedisChild(
    [
      '--tls-cert-file',
      pki.serverCert,
      '--tls-key-file',
      pki.serverKey,
      '--tls-ca-cert-file',
      pki.ca,
      '--tls-auth-clients',
      'no',
      '--user',
      'default',
      'off',
      '--user',
      'admin',
      'on',
      '>admin-pw',
      '~*',
      '&*',
      '+@all',
      ...users,
    ],
    { portArg: '--tls-port' },
  );
  admin = new IORedis({ port: redis.port, host: '127.0.0.1', username: 'admin', password: 'admin-pw', tls: { ca: readFileSync(pki.ca) } });
  writeFileSync(
    path.join(dir, 'checks.yaml'),
    [
      'checks:',
      `  - { id: acl-ok, type: http, element: efficiency, schedule: { every: 1s }, timeout: 1s, target: "${target.url}/ok" }`,
      `  - { id: acl-fail, type: http, element: security, schedule: { every: 1s }, timeout: 1s, target: "${target.url}/fail" }`,
      '  - { id: acl-error, type: http, element: capability, schedule: { every: 2s }, timeout: 300ms, retries: 1, target: "http://127.0.0.1:1/" }',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  admin?.disconnect();
  await redis?.stop();
  await target?.close();
  pki?.remove();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Settings the way an operator gives them: REDIS_URL, REDIS_USERNAME, REDIS_PASSWORD_FILE, REDIS_TLS_CA_FILE; the
 * results key by reference, and a results stream cap small enough for the test to reach.
 */
function settingsFor(user: string, name: string) {
  const env = {
    REDIS_URL: `rediss://127.0.0.1:${redis.port}`,
    REDIS_USERNAME: user,
    REDIS_PASSWORD_FILE: path.join(dir, `${user}.pass`),
    REDIS_TLS_CA_FILE: pki.ca,
  };
  return loadSettings(undefined, env, {
    checksDir: dir,
    dataDir: path.join(dir, name),
    prefix: PREFIX,
    metrics: { port: 0, host: '127.0.0.1' },
    worker: { concurrency: 4, lockDuration: 5000, stalledInterval: 2000, shutdownGrace: 2000, retryBackoff: 200 },
    recorder: { claimIdle: 2000 },
    results: { keys: { main: '${env:PGW_ACL_TEST_RESULTS_KEY}' }, maxLength: 100 },
  } as never);
}

async function start(user: string, roles: Role[], name: string): Promise<Monitor> {
  const s = settingsFor(user, name);
  expect(s.redisUrl).not.toContain('S3cret'); // the password stays a ${file:} reference
  return startMonitor({ settings: s, roles, redisUrl: s.redisUrl!, watch: false });
}

const scrape = async (m: Monitor) => (await fetch(`http://127.0.0.1:${m.metricsPort}/metrics`)).text();
const runs = (text: string, check: string, result: string) =>
  Number(new RegExp(`^pengawas_check_runs_total\\{check="${check}",[^}]*result="${result}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);

/** A connection as one of the ACL users, over TLS with the test CA. */
function asUser(user: string, maxRetriesPerRequest: number | null): IORedis {
  const tls = { ca: readFileSync(pki.ca) };
  return new IORedis({ port: redis.port, host: '127.0.0.1', username: user, password: `${user}-S3cret!`, tls, maxRetriesPerRequest });
}

async function aclLog(): Promise<string[]> {
  const log = (await admin.acl('LOG', '100')) as unknown as Array<Array<string | number>>;
  return log.map((e) => {
    const o = Object.fromEntries(Array.from({ length: e.length / 2 }, (_x, i) => [e[2 * i], e[2 * i + 1]]));
    return `${o.username} ${o.reason} ${o.object} (${o.context})`;
  });
}

async function recordsAllResults(recorder: Monitor): Promise<void> {
  await waitFor(
    async () => {
      const t = await scrape(recorder);
      return runs(t, 'acl-ok', 'pass') >= 2 && runs(t, 'acl-fail', 'fail') >= 2 && runs(t, 'acl-error', 'error') >= 1;
    },
    60_000,
    500,
  );
}

test('all roles in one process, as an ACL user over TLS: checks run, results recorded, nothing refused', async () => {
  await admin.acl('LOG', 'RESET');
  const m = await start('pengawas-all', ['scheduler', 'worker', 'recorder'], 'all');
  try {
    await recordsAllResults(m);
    // A malformed entry on the results stream (as an intruder with write access would add) is dead-lettered.
    await admin.xadd(`${PREFIX}:results`, '*', 'r', '{"not":"a result"}');
    await waitFor(async () => (await admin.xlen(`${PREFIX}:results:dead`)) >= 1, 20_000);
    expect((await fetch(`http://127.0.0.1:${m.metricsPort}/readyz`)).status).toBe(200);
    expect(await scrape(m)).toMatch(/^pengawas_queue_workers 1$/m); // CLIENT LIST is allowed: the worker count is real
  } finally {
    await m.stop();
  }
  expect(await aclLog()).toEqual([]);
});

test('split roles, one ACL user each, through a full results stream: nothing refused', async () => {
  await admin.acl('LOG', 'RESET');
  const recorder = await start('pengawas-recorder', ['recorder'], 'split');
  const worker = await start('pengawas-worker', ['worker'], 'split-w');
  const scheduler = await start('pengawas-scheduler', ['scheduler'], 'split-s');
  try {
    const before = await scrape(recorder);
    await waitFor(async () => runs(await scrape(recorder), 'acl-ok', 'pass') >= runs(before, 'acl-ok', 'pass') + 2, 60_000, 500);
    await recordsAllResults(recorder);
    // A full results stream (results.maxLength): the worker hands jobs back (PTTL of the slot claim, moveToDelayed),
    // the recorder dead-letters the unsigned filler and trims it off (XINFO GROUPS, XTRIM MINID); then results flow again.
    const dead = await admin.xlen(`${PREFIX}:results:dead`);
    for (let i = 0; i < 120; i++) await admin.xadd(`${PREFIX}:results`, '*', 'r', '{}');
    await waitFor(
      async () => /^pengawas_jobs_handed_back_total\{reason="results_backlog"\} [1-9]/m.test(await scrape(worker)),
      30_000,
      200,
    );
    await waitFor(
      async () => (await admin.xlen(`${PREFIX}:results:dead`)) >= dead + 120 && (await admin.xlen(`${PREFIX}:results`)) < 100,
      30_000,
      500,
    );
    const after = await scrape(recorder);
    await waitFor(async () => runs(await scrape(recorder), 'acl-ok', 'pass') >= runs(after, 'acl-ok', 'pass') + 2, 60_000, 500);
  } finally {
    await scheduler.stop();
    await worker.stop();
    await recorder.stop();
  }
  expect(await aclLog()).toEqual([]);
});

test("batch jobs (scheduler.checksPerJob) under the split roles' users: a slot in error split off and retried, nothing refused", async () => {
  await admin.acl('LOG', 'RESET');
  const recorder = await start('pengawas-recorder', ['recorder'], 'batch');
  const worker = await start('pengawas-worker', ['worker'], 'batch-w');
  // The scheduler's user adds the batch (no scheduler runs here: only this batch's slots are new).
  const conn = asUser('pengawas-scheduler', null);
  const queue = new CheckQueue(conn, PREFIX);
  try {
    // Whatever earlier tests left on the stream is counted first (the counts hold still for a second).
    const counts = (t: string) => [runs(t, 'acl-ok', 'pass'), runs(t, 'acl-fail', 'fail'), runs(t, 'acl-error', 'error')].join();
    let before = '';
    await waitFor(
      async () => {
        const t = await scrape(recorder);
        const settled = before !== '' && counts(t) === counts(before);
        before = t;
        return settled;
      },
      30_000,
      1000,
    );
    const slot = Date.now();
    const { outcomes } = await queue.enqueueMany(
      loadChecks(dir).checks.map((check) => ({ check, slot })),
      { retryBackoffMs: 200, checksPerJob: 8 },
    );
    expect(outcomes).toEqual(['enqueued', 'enqueued', 'enqueued']);
    // acl-error (retries: 1) errs in the batch, is split off by the worker (BullMQ add: INCR, HMSET, ZADD …) and
    // published after its second attempt; the other two are published with the batch.
    await waitFor(
      async () => {
        const t = await scrape(recorder);
        return (
          runs(t, 'acl-ok', 'pass') === runs(before, 'acl-ok', 'pass') + 1 &&
          runs(t, 'acl-fail', 'fail') === runs(before, 'acl-fail', 'fail') + 1 &&
          runs(t, 'acl-error', 'error') === runs(before, 'acl-error', 'error') + 1
        );
      },
      30_000,
      300,
    );
    expect(await queue.counts()).toMatchObject({ failed: 0 });
  } finally {
    await queue.close();
    conn.disconnect();
    await worker.stop();
    await recorder.stop();
  }
  expect(await aclLog()).toEqual([]);
});

test('the default user is off, plain TCP is refused, and stolen worker credentials reach nothing else', async () => {
  const url = `rediss://127.0.0.1:${redis.port}?tls_ca_file=${encodeURIComponent(pki.ca)}`;
  await expect(ping(url)).rejects.toThrow(/does not answer/);
  await expect(ping(`redis://127.0.0.1:${redis.port}`)).rejects.toThrow(/does not answer/);
  await expect(ping(`rediss://pengawas-worker:wrong@127.0.0.1:${redis.port}?tls_ca_file=${encodeURIComponent(pki.ca)}`)).rejects.toThrow(
    /WRONGPASS|invalid username-password/,
  );
  // Without our CA the server certificate is not trusted.
  await expect(ping(`rediss://pengawas-worker:pengawas-worker-S3cret!@127.0.0.1:${redis.port}`)).rejects.toThrow(/certificate/);

  const stolen = asUser('pengawas-worker', 0);
  try {
    await admin.set('other-tenant:secret', 'x');
    await expect(stolen.get('other-tenant:secret')).rejects.toThrow(/NOPERM/);
    await expect(stolen.flushall()).rejects.toThrow(/NOPERM/);
    await expect(stolen.config('GET', '*')).rejects.toThrow(/NOPERM/);
    await expect(stolen.call('KEYS', '*')).rejects.toThrow(/NOPERM/);
    await expect(stolen.call('ACL', 'LIST')).rejects.toThrow(/NOPERM/);
    expect(await admin.get('other-tenant:secret')).toBe('x');
  } finally {
    stolen.disconnect();
  }
});
