/**
 * One string names the Redis deployment everywhere pengawas passes it around (settings, roles, the evidence
 * channel): a URL in one of these forms, turned into ioredis options only when a connection is made.
 *
 *   redis://[user[:pass]@]host[:port][/db]                     rediss://… the same over TLS
 *   redis+sentinel://[user[:pass]@]h1:p1,h2:p2,…/master[/db]   rediss+sentinel://… TLS to sentinels and servers
 *   redis+cluster://[user[:pass]@]h1:p1,h2:p2,…                rediss+cluster://… TLS to every node
 *
 * Query parameters: tls_ca_file, tls_cert_file, tls_key_file, tls_servername, sentinel_username,
 * sentinel_password. A password may be a reference, `${env:NAME}` or `${file:PATH}`, resolved at connect time, so
 * the secret itself is never part of the string (nor of logs, metrics or files that carry the string).
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { ClusterOptions, RedisOptions } from 'ioredis';
import { resolveSecrets } from '../config/secrets';
import { UsageError } from '../errors';

export type RedisKind = 'single' | 'sentinel' | 'cluster';

export interface RedisEndpoint {
  kind: RedisKind;
  tls: boolean;
  nodes: Array<{ host: string; port: number }>;
  username?: string;
  /** As written: a literal or a `${env:…}`/`${file:…}` reference. */
  password?: string;
  db?: number;
  /** Sentinel: the master's name. */
  master?: string;
  params: Record<string, string>;
}

const REF = /\$\{(?:env|file):[^}]+\}/g;
const PARAMS = ['tls_ca_file', 'tls_cert_file', 'tls_key_file', 'tls_servername', 'sentinel_username', 'sentinel_password'];
const SCHEMES: Record<string, { kind: RedisKind; tls: boolean; port: number }> = {
  redis: { kind: 'single', tls: false, port: 6379 },
  rediss: { kind: 'single', tls: true, port: 6379 },
  'redis+sentinel': { kind: 'sentinel', tls: false, port: 26379 },
  'rediss+sentinel': { kind: 'sentinel', tls: true, port: 26379 },
  'redis+cluster': { kind: 'cluster', tls: false, port: 6379 },
  'rediss+cluster': { kind: 'cluster', tls: true, port: 6379 },
};

function bad(url: string, why: string): never {
  throw new UsageError(`Redis address "${redact(url)}": ${why}`);
}

export function parseRedisUrl(url: string): RedisEndpoint {
  // References may hold '/', '@' or ':'; they are set aside before the URL is split and put back afterwards.
  const refs: string[] = [];
  const text = url.replace(REF, (m) => `\u0000${refs.push(m) - 1}\u0000`);
  const back = (s: string) => s.replace(/\u0000(\d+)\u0000/g, (_m, i: string) => refs[Number(i)]);
  const m = /^([a-z+]+):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?$/i.exec(text);
  if (!m) bad(url, 'expected scheme://[user[:password]@]host:port… (redis, rediss, redis+sentinel, redis+cluster)');
  const scheme = SCHEMES[m[1].toLowerCase()];
  if (!scheme) bad(url, `unknown scheme "${m[1]}" (${Object.keys(SCHEMES).join(', ')})`);
  const at = m[2].lastIndexOf('@');
  const userinfo = at >= 0 ? m[2].slice(0, at) : '';
  const hostPart = at >= 0 ? m[2].slice(at + 1) : m[2];
  const colon = userinfo.indexOf(':');
  const dec = (s: string) => (s.includes('\u0000') ? back(s) : decodeURIComponent(s));
  const username = userinfo ? dec(colon >= 0 ? userinfo.slice(0, colon) : userinfo) || undefined : undefined;
  const password = colon >= 0 ? dec(userinfo.slice(colon + 1)) || undefined : undefined;
  const nodes = hostPart.split(',').map((hp) => {
    const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(hp);
    const [host, port] = v6 ? [v6[1], v6[2]] : [hp.split(':')[0], hp.split(':')[1]];
    if (!host) bad(url, 'a host is missing');
    const p = port === undefined ? scheme.port : Number(port);
    if (!Number.isInteger(p) || p < 1 || p > 65535) bad(url, `bad port "${port}"`);
    return { host, port: p };
  });
  if (scheme.kind === 'single' && nodes.length > 1) bad(url, 'several hosts need redis+sentinel:// or redis+cluster://');
  const segs = m[3].split('/').filter(Boolean);
  let master: string | undefined;
  if (scheme.kind === 'sentinel') {
    master = segs.shift();
    if (!master) bad(url, 'the sentinel master name is missing (redis+sentinel://host:26379,…/mymaster)');
  }
  let db: number | undefined;
  if (segs.length) {
    db = Number(segs[0]);
    if (segs.length > 1 || !Number.isInteger(db) || db < 0) bad(url, `bad database number "${segs.join('/')}"`);
    if (scheme.kind === 'cluster' && db !== 0) bad(url, 'Redis Cluster has only database 0');
  }
  const params: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(m[4] ?? '')) {
    if (!PARAMS.includes(k)) bad(url, `unknown parameter "${k}" (${PARAMS.join(', ')})`);
    params[k] = back(v);
  }
  if (!scheme.tls && Object.keys(params).some((k) => k.startsWith('tls_'))) bad(url, 'tls_* parameters need a rediss scheme');
  return { kind: scheme.kind, tls: scheme.tls, nodes, username, password, db, master, params };
}

/** Hides a password (not a reference, which is no secret) before a Redis address reaches a log line. */
export function redact(url: string): string {
  const refs: string[] = [];
  const text = url.replace(REF, (m) => `\u0000${refs.push(m) - 1}\u0000`);
  const hidden = text
    .replace(/^([a-z+]+:\/\/)([^@/]*?):([^@/]*)@/i, (all, s: string, u: string, p: string) =>
      /^\u0000\d+\u0000$/.test(p) ? all : `${s}${u}:***@`,
    )
    .replace(/(sentinel_password=)(?!\u0000)[^&]*/, '$1***');
  return hidden.replace(/\u0000(\d+)\u0000/g, (_m, i: string) => refs[Number(i)]);
}

function secret(v: string | undefined): string | undefined {
  return v === undefined ? undefined : resolveSecrets(v).value;
}

function readPem(file: string | undefined, what: string): Buffer | undefined {
  if (!file) return undefined;
  try {
    return readFileSync(file);
  } catch (e) {
    throw new UsageError(`Redis ${what} ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function tlsOptions(e: RedisEndpoint): ConnectionOptions | undefined {
  if (!e.tls) return undefined;
  const p = e.params;
  if (Boolean(p.tls_cert_file) !== Boolean(p.tls_key_file)) throw new UsageError('Redis TLS: tls_cert_file and tls_key_file go together');
  return {
    ca: readPem(p.tls_ca_file, 'TLS CA file (tls_ca_file / REDIS_TLS_CA_FILE)'),
    cert: readPem(p.tls_cert_file, 'TLS client certificate'),
    key: readPem(p.tls_key_file, 'TLS client key'),
    ...(p.tls_servername ? { servername: p.tls_servername } : {}),
  };
}

/** ioredis options for a single server or a sentinel-managed master. Secrets are resolved here, not before. */
export function redisOptions(url: string): RedisOptions {
  const e = parseRedisUrl(url);
  if (e.kind === 'cluster') throw new UsageError(`Redis address "${redact(url)}" is a cluster; use clusterOptions()`);
  const tls = tlsOptions(e);
  const auth = { username: e.username, password: secret(e.password), db: e.db ?? 0 };
  if (e.kind === 'single') return { host: e.nodes[0].host, port: e.nodes[0].port, ...auth, ...(tls ? { tls } : {}) };
  return {
    sentinels: e.nodes,
    name: e.master,
    ...auth,
    sentinelUsername: e.params.sentinel_username,
    sentinelPassword: secret(e.params.sentinel_password),
    ...(tls ? { tls, sentinelTLS: tls, enableTLSForSentinelMode: true } : {}),
    // After a failover the old master may come back as a replica: a write it refuses (READONLY) makes the client
    // reconnect, ask the sentinels again, and resend the command to the new master.
    reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 2 : false),
    failoverDetector: true,
  };
}

export function clusterOptions(url: string): { nodes: Array<{ host: string; port: number }>; options: ClusterOptions } {
  const e = parseRedisUrl(url);
  if (e.kind !== 'cluster') throw new UsageError(`Redis address "${redact(url)}" is not a cluster (redis+cluster://…)`);
  const tls = tlsOptions(e);
  return { nodes: e.nodes, options: { redisOptions: { username: e.username, password: secret(e.password), ...(tls ? { tls } : {}) } } };
}

/** The address string for an endpoint (the inverse of parseRedisUrl); references are kept as written. */
export function formatRedisUrl(e: RedisEndpoint): string {
  const scheme = `redis${e.tls ? 's' : ''}${e.kind === 'single' ? '' : `+${e.kind}`}`;
  const enc = (s: string) => (/^\$\{(env|file):[^}]+\}$/.test(s) ? s : encodeURIComponent(s));
  const user = e.username || e.password ? `${e.username ? enc(e.username) : ''}${e.password ? `:${enc(e.password)}` : ''}@` : '';
  const hosts = e.nodes.map((n) => `${n.host.includes(':') ? `[${n.host}]` : n.host}:${n.port}`).join(',');
  const segs = [e.master, e.db ? String(e.db) : undefined].filter(Boolean).join('/');
  const q = Object.entries(e.params)
    .map(([k, v]) => `${k}=${/^\$\{(env|file):[^}]+\}$/.test(v) ? v : encodeURIComponent(v)}`)
    .join('&');
  return `${scheme}://${user}${hosts}${segs ? `/${segs}` : ''}${q ? `?${q}` : ''}`;
}

/**
 * Redis Cluster runs a Lua script or MULTI only on keys of one slot. BullMQ's scripts touch several keys of a queue
 * and the recorder reads several marks at once, so every pengawas key must share one hash tag: the prefix `{name}`.
 */
export function prefixProblem(url: string, prefix: string): string | undefined {
  if (parseRedisUrl(url).kind !== 'cluster' || /^\{[^{}]+\}$/.test(prefix)) return undefined;
  return `Redis Cluster needs a hash-tagged prefix so that all pengawas keys share one slot: use --prefix "{${prefix.replace(/[{}]/g, '')}}" (PENGAWAS_PREFIX)`;
}
