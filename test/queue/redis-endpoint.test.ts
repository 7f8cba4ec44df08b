/** Redis addresses: parsing, the settings/environment folding, redaction, and errors that name what is wrong. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadSettings } from '../../src/config/settings';
import { ConfigError, UsageError } from '../../src/errors';
import { formatRedisUrl, parseRedisUrl, redact, redisOptions } from '../../src/queue/redis-endpoint';

test('plain, TLS with an ACL user, sentinel and cluster forms', () => {
  expect(parseRedisUrl('redis://127.0.0.1:6379')).toMatchObject({ kind: 'single', tls: false, nodes: [{ host: '127.0.0.1', port: 6379 }] });
  expect(parseRedisUrl('rediss://worker:p%40ss@redis.internal:6380/2?tls_ca_file=/etc/ca.pem')).toMatchObject({
    kind: 'single',
    tls: true,
    username: 'worker',
    password: 'p@ss',
    db: 2,
    params: { tls_ca_file: '/etc/ca.pem' },
  });
  expect(parseRedisUrl('redis+sentinel://a:26379,b:26380,[::1]:26381/mymaster')).toMatchObject({
    kind: 'sentinel',
    master: 'mymaster',
    nodes: [
      { host: 'a', port: 26379 },
      { host: 'b', port: 26380 },
      { host: '::1', port: 26381 },
    ],
  });
  expect(parseRedisUrl('rediss+cluster://n1:7000,n2:7001')).toMatchObject({
    kind: 'cluster',
    tls: true,
    nodes: [
      { host: 'n1', port: 7000 },
      { host: 'n2', port: 7001 },
    ],
  });
});

test('a password reference may hold / @ and : and is resolved only when options are built', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pengawas-redisurl-'));
  try {
    const f = path.join(dir, 'p@ss:word');
    writeFileSync(f, 'file-secret\n');
    const url = `redis://worker:\${file:${f}}@127.0.0.1:6390`;
    const e = parseRedisUrl(url);
    expect(e.password).toBe(`\${file:${f}}`);
    expect(e.nodes).toEqual([{ host: '127.0.0.1', port: 6390 }]);
    expect(redisOptions(url)).toMatchObject({ username: 'worker', password: 'file-secret', port: 6390 });
    expect(redact(url)).toBe(url); // a reference is no secret
    expect(formatRedisUrl(e)).toBe(url);
    expect(() => redisOptions('redis://u:${env:PENGAWAS_NOT_SET_ANYWHERE}@h:1')).toThrow(/PENGAWAS_NOT_SET_ANYWHERE/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('redaction hides literal passwords only', () => {
  expect(redact('rediss://worker:hunter2@h:6380')).toBe('rediss://worker:***@h:6380');
  expect(redact('redis+sentinel://:pw@a:1,b:2/m?sentinel_password=spw')).toBe('redis+sentinel://:***@a:1,b:2/m?sentinel_password=***');
});

test.each([
  ['http://h:1', /unknown scheme "http"/],
  ['redis://h:99999', /bad port "99999"/],
  ['redis://a:1,b:2', /several hosts need redis\+sentinel/],
  ['redis+sentinel://a:1', /master name is missing/],
  ['redis://h:1?tls_ca_file=/x', /tls_\* parameters need a rediss scheme/],
  ['redis://h:1?ca=/x', /unknown parameter "ca"/],
  ['rediss://h:1?tls_ca_file=/nonexistent/ca.pem', /TLS CA file .* \/nonexistent\/ca.pem cannot be read \(ENOENT\)/],
])('%s → %p', (url, msg) => {
  expect(() => redisOptions(url)).toThrow(UsageError);
  expect(() => redisOptions(url)).toThrow(msg);
});

test('settings: REDIS_* variables fold into one address; secrets stay references', () => {
  const s = loadSettings(undefined, {
    REDIS_URL: 'rediss://10.0.0.5:6380',
    REDIS_USERNAME: 'pengawas-worker',
    REDIS_PASSWORD: 'hunter2',
    REDIS_TLS_CA_FILE: '/etc/pengawas/ca.pem',
  });
  expect(s.redisUrl).toBe('rediss://pengawas-worker:${env:REDIS_PASSWORD}@10.0.0.5:6380?tls_ca_file=%2Fetc%2Fpengawas%2Fca.pem');
  expect(s.redisUrl).not.toContain('hunter2');
  const t = loadSettings(undefined, {
    REDIS_SENTINELS: '127.0.0.1:26379, 127.0.0.1:26380',
    REDIS_SENTINEL_MASTER: 'pengawas',
    REDIS_PASSWORD_FILE: '/run/secrets/redis',
  });
  expect(t.redisUrl).toBe('redis+sentinel://:${file:/run/secrets/redis}@127.0.0.1:26379,127.0.0.1:26380/pengawas');
  expect(loadSettings(undefined, {}).redisUrl).toBeUndefined();
});

test('settings: bad Redis settings are config errors naming the file and field', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pengawas-redisset-'));
  const f = path.join(dir, 'pengawas.yaml');
  const problem = (yaml: string, env: NodeJS.ProcessEnv = {}) => {
    writeFileSync(f, yaml);
    try {
      loadSettings(f, env);
      return '';
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as ConfigError).message;
    }
  };
  try {
    expect(problem('redis: { url: "rediss://w:hunter2@h:6380" }')).toMatch(
      /pengawas.yaml redis: the Redis address in the settings file holds a password/,
    );
    expect(problem('redis: { url: "rediss://h:6380", password: hunter2 }')).toMatch(/redis.password: must be a reference/);
    expect(problem('redis: { url: "redis://h:6379", tlsCaFile: /etc/ca.pem }')).toMatch(
      /TLS files are set but the Redis address is plain redis:\/\/; use rediss/,
    );
    expect(problem('redis: { sentinels: [ "a:26379" ] }')).toMatch(/sentinelMaster/);
    expect(problem('redis: { url: "redis:/h" }')).toMatch(/Redis address "redis:\/h"/);
    expect(problem('redis: { url: "rediss://h:6380", password: "${file:/run/secrets/r}" }')).toBe('');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('settings: the metrics listen address and web config come from the environment too', () => {
  const s = loadSettings(undefined, { PENGAWAS_METRICS_HOST: '127.0.0.1', PENGAWAS_WEB_CONFIG_FILE: '/etc/pengawas/web-config.yml' });
  expect(s.metrics).toEqual({ port: 9464, host: '127.0.0.1', webConfigFile: '/etc/pengawas/web-config.yml' });
  expect(loadSettings(undefined, {}).metrics).toEqual({ port: 9464, host: '0.0.0.0' });
});
